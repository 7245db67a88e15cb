// Exit code 2 for every failure the user can fix (bad options, a truth file that is missing or
// wrong, an output path that is a directory), 1 for anything else: found by the independent
// CLI check (bench/independent/cli_check.py), where these ended with 1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeOf, UsageError } from '../../src/cli/errors.js';
import { TruthFileError } from '../../src/eval/scorecard.js';
import { GenerateOptionsError } from '../../src/generate/types.js';
import { packageRoot } from '../../src/io/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'ew-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin/egress-watch.js'), ...args], { encoding: 'utf8', timeout: 60_000, cwd: dir });
  return { code: r.status, stderr: r.stderr };
}

describe('exitCodeOf', () => {
  it('2 for what the user can fix, 1 for the rest', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(
      [new UsageError('u'), new GenerateOptionsError('g'), new TruthFileError('t'), errno('ENOENT'), errno('EISDIR'), errno('ENOTDIR'), errno('EACCES'), new Error('bug')].map(exitCodeOf),
    ).toEqual([2, 2, 2, 2, 2, 2, 2, 1]);
  });
});

describe('the CLI', () => {
  it('generate with no room for its incidents: exit 2, in terms of its options', () => {
    const r = cli('generate', '--seed', '1', '--duration', '6h', '-o', join(dir, 'x.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^egress-watch: generate options leave no room for .* --learning 1d 2h \+ .* exceed --duration 6h \(lengthen --duration, shorten --learning, or leave the type out with --types\)\n$/);
  });

  it('replay with a missing truth file, or an output path that is a directory: exit 2', () => {
    const flows = join(dir, 'f.jsonl');
    writeFileSync(flows, '');
    expect(cli('replay', '-c', join(packageRoot(), 'config/example.yaml'), '-i', flows, '--truth', join(dir, 'gone.jsonl'), '-o', join(dir, 'a.jsonl')).code).toBe(2);
    const r = cli('replay', '-c', join(packageRoot(), 'config/example.yaml'), '-i', flows, '-o', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EISDIR');
  });

  it('replay of a file none of which can be read: exit 2 with the reason; one with a bad record among good ones: 0', () => {
    const notAvro = join(dir, 'x.avro');
    writeFileSync(notAvro, 'not avro at all\n');
    const r = cli('replay', '-c', join(packageRoot(), 'config/example.yaml'), '-i', notAvro, '-o', join(dir, 'b.jsonl'), '--no-progress');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('egress-watch: nothing could be read from');
    expect(r.stderr).toContain('x.avro:header: not an Avro object container file (bad magic bytes)');
    const mixed = join(dir, 'm.jsonl');
    writeFileSync(mixed, '{"flow_id": "f3",\n');
    expect(cli('replay', '-c', join(packageRoot(), 'config/example.yaml'), '-i', mixed, '-o', join(dir, 'c.jsonl'), '--no-progress').code).toBe(0);
  });
});
