// `egress-watch suppress add` as an analyst types it: a scope that would widen, or an expiry
// beyond suppressions.max_duration, exits 2 with one message naming the flag, before any
// connection (the brokers here listen nowhere). Runs the built CLI (dist/) as a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../kafka/helpers/service-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'egress-suppress-cli-'));
const config = join(dir, 'config.yaml');

beforeAll(() => {
  ensureBuilt();
  writeFileSync(config, 'kafka: {brokers: ["127.0.0.1:9"]}\nsuppressions: {max_duration: 14d}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function suppressAdd(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/egress-watch.js'), 'suppress', 'add', '--config', config, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GOOD = ['--reason', 'vendor sync, OPS-1', '--owner', 'alice', '--expires', '7d'];

describe('egress-watch suppress add', () => {
  it('exits 2 with one message for a country as destination', () => {
    expect(suppressAdd('--destination', 'CN', ...GOOD)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'egress-watch: suppress add refused: --destination: destination "CN" looks like a country code; a suppression never covers a whole country\n',
    });
  });

  it('exits 2 without a destination, and names every missing flag in the one message', () => {
    const r = suppressAdd('--type', 'VOLUME_SPIKE', '--expires', '15d');
    expect({ code: r.code, stdout: r.stdout, lines: r.stderr.split('\n').length }).toEqual({ code: 2, stdout: '', lines: 2 });
    // The creation is the wall clock, so the two times are matched by shape.
    const time = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
    expect(r.stderr).toMatch(
      new RegExp(
        '^egress-watch: suppress add refused: ' +
          '--destination: a suppression needs a destination: the exact baseline key it covers \\(such as api\\.example\\.com\\); it never covers a whole vendor or country; ' +
          '--reason: a suppression needs a reason: why the alerts it covers are benign; ' +
          '--owner: a suppression needs an owner: who answers for it; ' +
          `--expires: expiry ${time} is 15d after the creation ${time}, longer than suppressions\\.max_duration 14d\\n$`,
      ),
    );
  });

  it('exits 2 for an expiry it cannot read', () => {
    expect(suppressAdd('--destination', 'api.example.com', '--reason', 'r', '--owner', 'o', '--expires', 'next week')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'egress-watch: --expires: expected an ISO 8601 time such as 2026-02-01T00:00:00Z or a duration from now such as 7d, got "next week"\n',
    });
  });
});
