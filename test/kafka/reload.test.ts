// reloadConfigFile (SIGHUP) without a broker: real config files, a real pino logger writing into
// an array, and a plain object standing in for the running service's reconfigure hook.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { reloadConfigFile } from '../../src/kafka/reload.js';

const dir = mkdtempSync(join(tmpdir(), 'egress-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = [
  'windows: {size: 1m}',
  'policy:',
  '  data_classes:',
  '    eu_user_data: {allowed_countries: [EEA, GB]}',
  'detectors:',
  '  volume_spike: {threshold: 6}',
  '',
].join('\n');

function setUp(name: string) {
  const file = join(dir, name);
  writeFileSync(file, BASE);
  const applied: Config[] = [];
  const service = {
    config: loadConfig(file),
    reconfigure(next: Config) {
      applied.push(next);
      this.config = next;
    },
  };
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const log = pino({ level: 'info', base: null, timestamp: false }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { file, service, applied, lines, reload: () => reloadConfigFile(file, service, log) };
}

describe('reloadConfigFile', () => {
  it('applies a valid change and logs the old and new version', () => {
    const t = setUp('valid.yaml');
    const old = t.service.config.config_version;
    writeFileSync(t.file, BASE.replace('threshold: 6', 'threshold: 9'));
    expect(t.reload()).toBe('reloaded');
    expect(t.applied).toHaveLength(1);
    const next = t.applied[0];
    expect(next.detectors.volume_spike.threshold).toBe(9);
    expect(next.config_version).not.toBe(old);
    expect(t.lines).toEqual([
      {
        level: 30,
        config_file: t.file,
        old_config_version: old,
        new_config_version: next.config_version,
        msg: `config reloaded: version ${old} -> ${next.config_version}`,
      },
    ]);
  });

  it('does nothing but log when the meaning did not change', () => {
    const t = setUp('same.yaml');
    const version = t.service.config.config_version;
    writeFileSync(t.file, `# a comment only\n${BASE}`);
    expect(t.reload()).toBe('unchanged');
    expect(t.applied).toEqual([]);
    expect(t.lines.map((l) => [l.level, l.msg])).toEqual([[30, `config reloaded: unchanged (version ${version})`]]);
  });

  it('keeps the old config on an invalid file, with the one FILE:LINE: key: reason message', () => {
    const t = setUp('invalid.yaml');
    const version = t.service.config.config_version;
    writeFileSync(t.file, BASE.replace('threshold: 6', 'threshold: high'));
    expect(t.reload()).toBe('invalid');
    expect(t.applied).toEqual([]);
    expect(t.lines).toEqual([
      {
        level: 50,
        config_file: t.file,
        config_version: version,
        msg: `config not reloaded, version ${version} stays in force: ${t.file}:6: detectors.volume_spike.threshold: expected a number, got "high"`,
      },
    ]);
  });

  it('refuses a change only a restart can apply, naming each key and its line', () => {
    const t = setUp('restart.yaml');
    const version = t.service.config.config_version;
    writeFileSync(t.file, `kafka: {group_id: other}\n${BASE.replace('size: 1m', 'size: 2m').replace('threshold: 6', 'threshold: 9')}`);
    expect(t.reload()).toBe('refused');
    expect(t.applied).toEqual([]);
    const why = 'cannot change while the service runs; restart the service to apply it';
    expect(t.lines).toEqual([
      {
        level: 50,
        config_file: t.file,
        config_version: version,
        restart_only: ['windows.size', 'kafka.group_id'],
        msg: `config not reloaded, version ${version} stays in force: ${t.file}:1: kafka.group_id: ${why}\n${t.file}:2: windows.size: ${why}`,
      },
    ]);
  });

  it('refuses enrich changes, and with a sensor dialect internal_networks changes (decoders built at start)', () => {
    const dialect = (nets: string, cls: string) =>
      `input: {format: zeek}\nenrich:\n  data_classes: [{src: 10.1.0.0/16, data_class: ${cls}}]\n${BASE.replace('policy:', `policy:\n  internal_networks: [${nets}]`).replace('eu_user_data: {', `${cls}: {`)}`;
    const t = setUp('dialect.yaml');
    writeFileSync(t.file, dialect('10.0.0.0/8', 'eu_user_data'));
    t.service.config = loadConfig(t.file);
    writeFileSync(t.file, dialect('10.0.0.0/8, 172.16.0.0/12', 'eu_data'));
    expect(t.reload()).toBe('refused');
    expect(t.lines[0].restart_only).toEqual(['enrich.data_classes', 'policy.internal_networks']);
    // Flow records: internal_networks is live as before (the engine reads it per record).
    const f = setUp('flow.yaml');
    writeFileSync(f.file, BASE.replace('policy:', 'policy:\n  internal_networks: [10.0.0.0/8]'));
    expect(f.reload()).toBe('reloaded');
  });

  it('refuses new contents of an enrichment file: the service read it at start, the version would claim the new one', () => {
    const t = setUp('files.yaml');
    writeFileSync(join(dir, 'principals.csv'), 'cidr,principal\n10.10.1.0/24,svc-eu-export\n');
    writeFileSync(t.file, `enrich: {principals_file: principals.csv}\n${BASE}`);
    t.service.config = loadConfig(t.file);
    const version = t.service.config.config_version;
    writeFileSync(join(dir, 'principals.csv'), 'cidr,principal\n10.10.1.0/24,svc-other\n');
    expect(t.reload()).toBe('refused');
    expect(t.applied).toEqual([]);
    const csv = join(dir, 'principals.csv');
    expect([t.lines[0].config_version, t.lines[0].restart_only]).toEqual([version, [`enrich_files.${csv}`]]);
    expect(t.lines[0].msg).toBe(
      `config not reloaded, version ${version} stays in force: ${t.file}:1: enrich_files.${csv}: cannot change while the service runs; restart the service to apply it`,
    );
  });

  it('reports a file that went away', () => {
    const t = setUp('gone.yaml');
    rmSync(t.file);
    expect(t.reload()).toBe('invalid');
    expect(t.lines[0].msg).toBe(
      `config not reloaded, version ${t.service.config.config_version} stays in force: ${t.file}: cannot read the config file: no such file`,
    );
  });
});
