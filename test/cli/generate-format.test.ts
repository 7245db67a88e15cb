// `generate --format` from the command line: the sensor's lines, the replay config beside them,
// replay reading them with that config, and the option mistakes refused with exit code 2.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'generate-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin/egress-watch.js'), ...args], { encoding: 'utf8', timeout: 120_000, cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--seed', '4', '--duration', '2h', '--rate', '1', '--destinations', '10', '--incidents', '0'];

describe('generate --format', () => {
  it('writes Suricata eve.json lines and a config that replay reads them with', () => {
    const made = cli('generate', ...SMALL, '--format', 'suricata', '-o', 'eve.json', '--enrich-config', 'suricata.yaml');
    expect(made.code, made.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'eve.json'), 'utf8').trim().split('\n');
    const flows = Number(/generate: (\d+) flow records to eve\.json as suricata \((\d+) lines\)/.exec(made.stderr)?.[1]);
    expect(lines).toHaveLength(flows);
    expect(JSON.parse(lines[0])).toMatchObject({ event_type: 'flow', flow: { state: 'closed' } });
    expect(existsSync(join(dir, 'suricata.principals.csv'))).toBe(true);
    expect(existsSync(join(dir, 'suricata.dns.log'))).toBe(true);
    expect(readFileSync(join(dir, 'suricata.yaml'), 'utf8')).toContain('format: suricata');

    const replayed = cli('replay', '--config', 'suricata.yaml', '--input', 'eve.json', '--output', 'alerts.jsonl');
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stderr).toContain(`input suricata: records read ${flows}, flows out ${flows},`);
    expect(replayed.stderr).toContain('errors 0');
  });

  it('refuses what it cannot do, naming the option', () => {
    expect(cli('generate', ...SMALL, '--format', 'avro', '-o', 'x.jsonl')).toMatchObject({
      code: 2,
      stderr: 'egress-watch: --format: expected one of flow, zeek, vpc, goflow2, suricata, ocsf (without --topic), got "avro"\n',
    });
    expect(cli('generate', ...SMALL, '-o', 'x.jsonl', '--enrich-config', 'x.yaml')).toMatchObject({
      code: 2,
      stderr: 'egress-watch: --enrich-config needs a sensor --format (zeek, vpc, goflow2, suricata or ocsf)\n',
    });
  });
});
