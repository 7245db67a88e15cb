import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
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
