// `egress-watch run` on the command line, where no broker is needed: help and bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/service-process.js';

const runner = fileURLToPath(new URL('./helpers/run-service.mjs', import.meta.url));
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'egress-watch-run-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('egress-watch run (command line)', () => {
  it('documents every option in --help', () => {
    const { code, stdout } = cli('run', '--help');
    expect(code).toBe(0);
    for (const option of ['--config <file>', '--instance-id <id>', '--http-port <port>', '--session-timeout <duration>', '--log-level <level>']) {
      expect(stdout).toContain(option);
    }
  });

  it('exits 2 with one message naming file, line and key on a bad config', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'kafka:\n  brokers: [localhost]\n');
    const { code, stderr } = cli('run', '--config', file);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([`egress-watch: ${file}:2: kafka.brokers[0]: expected host:port such as 127.0.0.1:9092, got "localhost"`]);
  });

  it('exits 2 on a bad option value and on a missing SASL password variable', () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'kafka:\n  brokers: [127.0.0.1:1]\n');
    expect(cli('run', '--config', good, '--http-port', 'x')).toMatchObject({ code: 2, stderr: 'egress-watch: --http-port: expected a port 0-65535, got "x"\n' });
    expect(cli('run', '--config', good, '--session-timeout', '2s')).toMatchObject({ code: 2, stderr: 'egress-watch: --session-timeout: expected 6s to 30m, got 2s\n' });
    const sasl = join(dir, 'sasl.yaml');
    writeFileSync(sasl, 'kafka:\n  brokers: [127.0.0.1:1]\n  sasl: {mechanism: scram-sha-512, username: u, password_env: EW_TEST_UNSET_PASSWORD}\n');
    expect(cli('run', '--config', sasl)).toMatchObject({
      code: 2,
      stderr: `egress-watch: ${sasl}: kafka.sasl.password_env: environment variable EW_TEST_UNSET_PASSWORD is not set\n`,
    });
  });
});
