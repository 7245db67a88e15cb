// Each kind of mistake gives one line naming file, line and key path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { tempFolder } from '../helpers/temp-folder.js';

const DURATION_FORMS = 'expected a duration: a number with a unit ms, s, m, h or d, such as 500ms, 30s, 5m, 1h or 7d';
const SIZE_FORMS =
  'expected a size: a whole number of bytes or a number with a unit B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), such as 512KB or 10MB';

function errorOf(lines: string[]): ConfigError {
  try {
    parseConfig(lines.join('\n') + '\n', 'config.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const messageOf = (lines: string[]) => errorOf(lines).message;

describe('config errors', () => {
  it('unknown key at top level', () => {
    expect(messageOf(['kafka:', '  client_id: x', 'colour: blue'])).toBe(
      'config.yaml:3: colour: unknown key (expected one of: kafka, input, windows, baseline, policy, detectors, alerts, service, suppressions, enrich)',
    );
  });

  it('unknown key nested, pointing at the key line', () => {
    expect(messageOf(['detectors:', '  volume_spike:', '    threshold: 6', '    treshold: 7'])).toBe(
      'config.yaml:4: detectors.volume_spike.treshold: unknown key (expected one of: enabled, severity, threshold, min_bytes, accept_after)',
    );
  });

  it('unknown key inside an override, and a password written into the file', () => {
    expect(messageOf(['detectors:', '  overrides:', '    - match: {destination: "a.example"}', '      volume_spike: {treshold: 9}'])).toBe(
      'config.yaml:4: detectors.overrides[0].volume_spike.treshold: unknown key (expected one of: enabled, severity, threshold, min_bytes, accept_after)',
    );
    expect(messageOf(['kafka:', '  sasl:', '    mechanism: plain', '    username: u', '    password_env: P', '    password: hunter2'])).toBe(
      'config.yaml:6: kafka.sasl.password: unknown key (expected one of: mechanism, username, password_env, password_file)',
    );
  });

  it('wrong type, with the ConfigError fields', () => {
    const lines = ['# egress-watch', '', 'kafka:', '  brokers: [127.0.0.1:9092]', '', 'windows:', '  size: 1m', '', 'baseline:', '  key: dst_host', '', 'detectors:', '  volume_spike:', '    threshold: high'];
    const error = errorOf(lines);
    expect(error.message).toBe('config.yaml:14: detectors.volume_spike.threshold: expected a number, got "high"');
    expect(error.file).toBe('config.yaml');
    expect(error.line).toBe(14);
    expect(error.keyPath).toBe('detectors.volume_spike.threshold');
    expect(messageOf(['detectors:', '  gateway_bypass: {enabled: yes}'])).toBe(
      'config.yaml:2: detectors.gateway_bypass.enabled: expected true or false, got "yes"',
    );
    expect(messageOf(['policy: [a, b]'])).toBe('config.yaml:1: policy: expected a mapping, got a list');
  });

  it('a value out of range', () => {
    expect(messageOf(['detectors:', '  sustained_increase:', '    min_windows: 2.5'])).toBe(
      'config.yaml:3: detectors.sustained_increase.min_windows: expected a whole number, got 2.5',
    );
    expect(messageOf(['detectors:', '  volume_spike: {threshold: 0}'])).toBe(
      'config.yaml:2: detectors.volume_spike.threshold: expected a number > 0, got 0',
    );
  });

  it('bad duration, including a bare number', () => {
    expect(messageOf(['windows:', '  size: 5 minutes'])).toBe(`config.yaml:2: windows.size: ${DURATION_FORMS}, got "5 minutes"`);
    expect(messageOf(['alerts:', '  format: json', '  suppress_for: 60'])).toBe(`config.yaml:3: alerts.suppress_for: ${DURATION_FORMS}, got 60`);
    expect(messageOf(['windows:', '  size: 0s'])).toBe('config.yaml:2: windows.size: expected a duration above zero, got "0s"');
  });

  it('bad size', () => {
    expect(messageOf(['detectors:', '  volume_spike:', '    min_bytes: 10mb'])).toBe(
      `config.yaml:3: detectors.volume_spike.min_bytes: ${SIZE_FORMS}, got "10mb"`,
    );
  });

  it('bad CIDR, in a block list, and host bits set', () => {
    expect(messageOf(['policy:', '  internal_networks:', '    - 10.0.0.0/8', '    - 300.1.1.1/8'])).toBe(
      'config.yaml:4: policy.internal_networks[1]: expected a network in CIDR notation such as 10.0.0.0/8 or fd00::/8, got "300.1.1.1/8"',
    );
    expect(messageOf(['policy:', '  internal_networks: [10.0.0.0/8,', '    "fd00::1/8"]'])).toBe(
      'config.yaml:3: policy.internal_networks[1]: "fd00::1/8" has host bits set: did you mean fd00::/8?',
    );
  });

  it('unknown country, in a region and in allowed_countries', () => {
    expect(messageOf(['policy:', '  regions:', '    Nordics: [DK, SE, XX]'])).toBe(
      'config.yaml:3: policy.regions.Nordics[2]: unknown country code "XX" (expected an ISO 3166-1 alpha-2 code such as DE or GB)',
    );
    expect(messageOf(['policy:', '  data_classes:', '    hr_data:', '      allowed_countries: [EEA, UK]'])).toBe(
      'config.yaml:4: policy.data_classes.hr_data.allowed_countries[1]: unknown country code "UK" (expected an ISO 3166-1 alpha-2 code such as DE or GB)',
    );
  });

  it('unknown region', () => {
    expect(messageOf(['policy:', '  data_classes:', '    hr_data:', '      allowed_countries:', '        - GB', '        - Europe'])).toBe(
      'config.yaml:6: policy.data_classes.hr_data.allowed_countries[1]: unknown region "Europe" (defined regions: EEA; or write an ISO 3166-1 alpha-2 country code, or "*" for any country)',
    );
  });

  it('a missing required key points at its parent', () => {
    expect(messageOf(['policy:', '  data_classes:', '    hr_data:', '      principals: [alice]'])).toBe(
      'config.yaml:3: policy.data_classes.hr_data.allowed_countries: required key is missing',
    );
  });

  it('bad timezone', () => {
    expect(messageOf(['baseline:', '  timezone: Europe/Pariss'])).toBe(
      'config.yaml:2: baseline.timezone: unknown time zone "Europe/Pariss" (expected an IANA zone such as UTC or Europe/Berlin)',
    );
  });

  it('a bad zone or an empty glob in baseline.day_zones, at its entry', () => {
    expect(messageOf(['baseline:', '  day_zones:', '    - {destination: "*.jp.example", timezone: Asia/Tokio}'])).toBe(
      'config.yaml:3: baseline.day_zones[0].timezone: unknown time zone "Asia/Tokio" (expected an IANA zone such as UTC or Europe/Berlin)',
    );
    expect(messageOf(['baseline:', '  day_zones:', '    - {destination: "*.jp.example", timezone: Asia/Tokyo}', '    - {destination: "", timezone: UTC}'])).toBe(
      'config.yaml:4: baseline.day_zones[1].destination: expected a non-empty string, got ""',
    );
  });

  it('bad severity and bad baseline key', () => {
    expect(messageOf(['detectors:', '  residency_violation:', '    severity: SEVERE'])).toBe(
      'config.yaml:3: detectors.residency_violation.severity: expected one of LOW, MEDIUM, HIGH, CRITICAL, got "SEVERE"',
    );
    expect(messageOf(['baseline: {key: dst_port}'])).toBe(
      'config.yaml:1: baseline.key: expected one of dst_host, dst_ip, dst_prefix, got "dst_port"',
    );
  });

  it('a port out of range and a registry URL that is not http(s)', () => {
    expect(messageOf(['service:', '  http_port: 70000'])).toBe('config.yaml:2: service.http_port: expected a number <= 65535, got 70000');
    expect(messageOf(['kafka:', '  schema_registry:', '    url: registry:8081'])).toBe(
      'config.yaml:3: kafka.schema_registry.url: expected an http(s) URL such as http://127.0.0.1:8081, got "registry:8081"',
    );
  });

  it('ssl and sasl of the wrong shape', () => {
    expect(messageOf(['kafka:', '  ssl: "yes"'])).toBe('config.yaml:2: kafka.ssl: expected false, true or a mapping, got "yes"');
    expect(messageOf(['kafka:', '  ssl: {reject_unauthorised: false}'])).toBe(
      'config.yaml:2: kafka.ssl.reject_unauthorised: unknown key (expected one of: ca, cert, key, reject_unauthorized)',
    );
    expect(messageOf(['kafka:', '  sasl: {mechanism: plain, username: u, password_env: "my password"}'])).toBe(
      'config.yaml:2: kafka.sasl.password_env: expected the name of an environment variable (letters, digits, _), such as EGRESS_WATCH_KAFKA_PASSWORD; the value is not shown in case it is the password itself',
    );
  });

  it('override without match key or without settings', () => {
    expect(messageOf(['detectors:', '  overrides:', '    - match: {}', '      volume_spike: {threshold: 9}'])).toBe(
      'config.yaml:3: detectors.overrides[0].match: expected destination, data_class or both',
    );
    expect(messageOf(['detectors:', '  overrides:', '    - match: {data_class: telemetry}'])).toBe(
      'config.yaml:3: detectors.overrides[0]: an override must change at least one detector (residency_violation, unauthorized_principal, gateway_bypass, new_destination, volume_spike, sustained_increase, gateway_silent)',
    );
  });

  it('YAML syntax errors give file and line', () => {
    expect(messageOf(['windows:', '  size: 1m', '  size: 2m'])).toBe('config.yaml:3: invalid YAML: Map keys must be unique (column 3)');
    expect(messageOf(['kafka:', '  client_id: "egress', 'windows: {}'])).toBe('config.yaml:4: invalid YAML: Missing closing "quote (column 1)');
    expect(errorOf(['kafka:', '\tclient_id: x']).line).toBe(2);
  });

  it('reports every problem, earliest line first', () => {
    const error = errorOf(['baseline:', '  warmup_windows: -1', 'windows:', '  size: 1 minute', 'colour: blue']);
    expect(error.message).toBe(
      [
        'config.yaml:2: baseline.warmup_windows: expected a number >= 0, got -1',
        `config.yaml:4: windows.size: ${DURATION_FORMS}, got "1 minute"`,
        'config.yaml:5: colour: unknown key (expected one of: kafka, input, windows, baseline, policy, detectors, alerts, service, suppressions, enrich)',
      ].join('\n'),
    );
    expect(error.problems).toHaveLength(3);
    expect(error.line).toBe(2);
  });

  it('missing file names the file', () => {
    const path = join(tempFolder('egress-config-'), 'absent.yaml');
    expect(() => loadConfig(path)).toThrow(new ConfigError([{ file: path, message: 'cannot read the config file: no such file' }]));
    expect(() => loadConfig(path)).toThrow(`${path}: cannot read the config file: no such file`);
  });

  it('an error in a real file names its path', () => {
    const path = join(tempFolder('egress-config-'), 'config.yaml');
    writeFileSync(path, 'alerts:\n  format: xml\n');
    expect(() => loadConfig(path)).toThrow(`${path}:2: alerts.format: expected one of json, avro, ocsf, ecs, got "xml"`);
  });

  it('an unreadable TLS file is named with its resolved path', () => {
    const folder = tempFolder('egress-config-');
    const path = join(folder, 'config.yaml');
    writeFileSync(path, 'kafka:\n  ssl:\n    ca: certs/ca.pem\n');
    expect(() => loadConfig(path)).toThrow(`${path}:3: kafka.ssl.ca: cannot read ${join(folder, 'certs/ca.pem')}: no such file`);
  });
});
