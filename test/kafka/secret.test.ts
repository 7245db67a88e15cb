// Where the SASL password comes from (an environment variable or a file, never the config) and
// that no message about it ever repeats a value.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { SecretError, saslPassword } from '../../src/kafka/secret.js';

const dir = mkdtempSync(join(tmpdir(), 'egress-watch-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(yaml: string): string {
  try {
    parseConfig(yaml, 'c.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('saslPassword', () => {
  const fromEnv = { mechanism: 'scram-sha-512' as const, username: 'u', password_env: 'EW_PW' };

  it('reads the environment variable the config names', () => {
    expect(saslPassword(fromEnv, { EW_PW: 's3cret value' })).toBe('s3cret value');
  });

  it('names an unset or empty variable and nothing else', () => {
    for (const env of [{}, { EW_PW: '' }]) {
      expect(() => saslPassword(fromEnv, env)).toThrow(new SecretError('kafka.sasl.password_env: environment variable EW_PW is not set'));
    }
  });

  it('reads a file, dropping one trailing newline', () => {
    const cases: Array<[string, string]> = [
      ['pw-plain', 'hunter2'],
      ['pw-newline', 'hunter2\n'],
      ['pw-crlf', 'hunter2\r\n'],
    ];
    for (const [name, content] of cases) {
      const file = join(dir, name);
      writeFileSync(file, content);
      expect(saslPassword({ mechanism: 'plain', username: 'u', password_file: file }, {})).toBe('hunter2');
    }
    const twoNewlines = join(dir, 'pw-two');
    writeFileSync(twoNewlines, 'hunter2\n\n');
    expect(saslPassword({ mechanism: 'plain', username: 'u', password_file: twoNewlines }, {})).toBe('hunter2\n');
  });

  it('names an empty or missing file, never its content', () => {
    const empty = join(dir, 'pw-empty');
    writeFileSync(empty, '\n');
    expect(() => saslPassword({ mechanism: 'plain', username: 'u', password_file: empty })).toThrow(
      new SecretError(`kafka.sasl.password_file: ${empty} is empty`),
    );
    const missing = join(dir, 'no-such-file');
    expect(() => saslPassword({ mechanism: 'plain', username: 'u', password_file: missing })).toThrow(
      new SecretError(`kafka.sasl.password_file: cannot read ${missing}: no such file`),
    );
  });
});

describe('kafka.sasl in the config', () => {
  it('resolves password_file against the config folder and keeps only its path', () => {
    writeFileSync(join(dir, 'kafka.password'), 'never-read-at-load\n');
    writeFileSync(join(dir, 'c.yaml'), 'kafka:\n  sasl: {mechanism: scram-sha-256, username: watcher, password_file: kafka.password}\n');
    const config = loadConfig(join(dir, 'c.yaml'));
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'watcher', password_file: join(dir, 'kafka.password') });
    expect(JSON.stringify(config)).not.toContain('never-read-at-load');
  });

  it('names a password file it cannot read', () => {
    writeFileSync(join(dir, 'd.yaml'), 'kafka:\n  sasl:\n    mechanism: plain\n    username: u\n    password_file: gone.txt\n');
    expect(() => loadConfig(join(dir, 'd.yaml'))).toThrow(
      `${join(dir, 'd.yaml')}:5: kafka.sasl.password_file: cannot read ${join(dir, 'gone.txt')}: no such file`,
    );
  });

  it('wants exactly one of password_env and password_file', () => {
    expect(configError('kafka:\n  sasl: {mechanism: plain, username: u}\n')).toBe(
      'c.yaml:2: kafka.sasl: expected password_env (the name of an environment variable holding the password) or password_file (a file holding it)',
    );
    expect(configError('kafka:\n  sasl: {mechanism: plain, username: u, password_env: P, password_file: p.txt}\n')).toBe(
      'c.yaml:2: kafka.sasl: expected password_env or password_file, not both',
    );
  });

  it('never repeats a password written where a variable name belongs, or under a key of its own', () => {
    for (const value of ['"correct horse battery staple"', '"p@ss:w0rd!"', '123456789']) {
      const message = configError(`kafka:\n  sasl: {mechanism: plain, username: u, password_env: ${value}}\n`);
      expect(message).toBe(
        'c.yaml:2: kafka.sasl.password_env: expected the name of an environment variable (letters, digits, _), such as ' +
          'EGRESS_WATCH_KAFKA_PASSWORD; the value is not shown in case it is the password itself',
      );
    }
    const message = configError('kafka:\n  sasl: {mechanism: plain, username: u, password_env: P, password: "hunter2"}\n');
    expect(message).toBe('c.yaml:2: kafka.sasl.password: unknown key (expected one of: mechanism, username, password_env, password_file)');
  });
});
