import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig, parseConfig } from '../../src/config/load.js';
import { tempFolder } from '../helpers/temp-folder.js';

const EXAMPLE = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));
const EEA = 'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK'.split(' ');

describe('config/example.yaml', () => {
  const config = loadConfig(EXAMPLE);

  it('keeps the kafka defaults', () => {
    expect(config.kafka).toEqual({
      brokers: ['127.0.0.1:9092'],
      client_id: 'egress-watch',
      group_id: 'egress-watch',
      topics: {
        flows: 'gateway.flows',
        alerts: 'egress.alerts',
        dead_letter: 'gateway.flows.dlq',
        changelog: 'egress-watch.state',
        suppressions: 'egress.alerts.suppressions',
        suppression_audit: 'egress.alerts.suppressions.audit',
        suppressed: 'egress.alerts.suppressed',
      },
      format: 'auto',
      ssl: false,
      sasl: null,
      repartition: true,
      commit_interval: 1_000,
      schema_registry: null,
    });
    expect(config.service).toEqual({ http_host: '127.0.0.1', http_port: 9464 });
    expect(config.suppressions).toEqual({ max_duration: 30 * 86_400_000, entries: [] });
  });

  it('converts durations to milliseconds', () => {
    expect(config.windows).toEqual({ size: 60_000, allowed_lateness: 30_000, idle_timeout: 300_000, max_future: 3_600_000, dedup_horizon: 600_000 });
    expect(config.baseline).toEqual({ key: 'dst_host', warmup_windows: 60, idle_ttl: 604_800_000, dormant_ttl: 31_536_000_000, timezone: 'UTC', day_zones: [], return_after: 86_400_000 });
    expect(config.alerts).toEqual({ suppress_for: 900_000, format: 'json' });
  });

  it('holds the policy the traffic generator relies on', () => {
    expect(config.policy.regions).toEqual({ EEA });
    expect(config.policy.internal_networks).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8']);
    expect(config.policy.data_classes.eu_user_data).toEqual({
      allowed_countries: [...EEA, 'CH', 'GB'].sort(),
      allowed_as_written: ['EEA', 'GB', 'CH'],
      principals: ['svc-eu-*', 'alice', 'bob'],
      require_gateway: true,
    });
    expect(config.policy.data_classes.payment_data).toEqual({
      allowed_countries: EEA,
      allowed_as_written: ['EEA'],
      principals: ['svc-billing-*', 'carol'],
      require_gateway: true,
    });
    const telemetry = config.policy.data_classes.telemetry;
    expect(telemetry.allowed_as_written).toEqual(['*']);
    expect(telemetry.allowed_countries).toHaveLength(249);
    expect(telemetry.principals).toEqual(['**']);
    expect(telemetry.require_gateway).toBe(false);
  });

  it('converts detector settings and normalises the override', () => {
    expect(config.detectors.volume_spike).toEqual({ enabled: true, severity: 'HIGH', threshold: 6, min_bytes: 1_000_000, accept_after: 3_600_000 });
    expect(config.detectors.sustained_increase).toEqual({ enabled: true, severity: 'MEDIUM', threshold: 5, min_windows: 10, accept_after: 3_600_000, min_history: 604_800_000 });
    expect(config.detectors.new_destination).toEqual({ enabled: true, severity: 'MEDIUM', learning_period: 86_400_000 });
    expect(config.detectors.residency_violation).toEqual({ enabled: true, severity: 'CRITICAL' });
    expect(config.detectors.overrides).toEqual([
      { match: { destination: 'backup.example.com' }, settings: { volume_spike: { threshold: 12 } } },
    ]);
  });

  it('leaves enrichment off, every key at its default', () => {
    expect(config.enrich).toEqual({
      geoip: null,
      countries: [],
      data_classes: [],
      principals: [],
      principals_file: null,
      gateways: [],
      dst_host: { zeek_ssl: [], zeek_dns: [], suricata_eve: [], max_entries: 1_000_000 },
    });
  });

  it('has a 16-hex-digit config_version', () => {
    expect(config.config_version).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('defaults', () => {
  it('an empty file gives every default of DESIGN.md and an empty policy', () => {
    const config = parseConfig('# nothing set\n', 'empty.yaml');
    expect(config).toEqual(defaultConfig());
    expect(config.detectors).toEqual({
      residency_violation: { enabled: true, severity: 'CRITICAL' },
      unauthorized_principal: { enabled: true, severity: 'CRITICAL' },
      gateway_bypass: { enabled: true, severity: 'HIGH' },
      new_destination: { enabled: true, severity: 'MEDIUM', learning_period: 86_400_000 },
      volume_spike: { enabled: true, severity: 'HIGH', threshold: 6, min_bytes: 1_000_000, accept_after: 3_600_000 },
      sustained_increase: { enabled: true, severity: 'MEDIUM', threshold: 5, min_windows: 10, accept_after: 3_600_000, min_history: 604_800_000 },
      gateway_silent: { enabled: true, severity: 'HIGH', min_silence: 900_000, factor: 3, learning_period: 86_400_000 },
      overrides: [],
    });
    expect(config.policy).toEqual({ regions: { EEA }, internal_networks: [], data_classes: {} });
    expect(config.windows).toEqual({ size: 60_000, allowed_lateness: 30_000, idle_timeout: 300_000, max_future: 3_600_000, dedup_horizon: 600_000 });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.repartition).toBe(true);
    expect(config.kafka.schema_registry).toBeNull();
    expect(config.service).toEqual({ http_host: '127.0.0.1', http_port: 9464 });
  });

  it('a section present but empty (all its lines commented out) takes its defaults', () => {
    expect(parseConfig('kafka:\n  # brokers: [x:1]\nwindows:\n', 'c.yaml')).toEqual(defaultConfig());
  });

  it('a partly written section keeps the defaults of the keys left out', () => {
    const config = parseConfig('detectors:\n  volume_spike:\n    threshold: 8\n', 'c.yaml');
    expect(config.detectors.volume_spike).toEqual({ enabled: true, severity: 'HIGH', threshold: 8, min_bytes: 1_000_000, accept_after: 3_600_000 });
  });
});

describe('normalisation', () => {
  it('expands regions, upper-cases and de-duplicates countries, and keeps them as written', () => {
    const config = parseConfig(
      ['policy:', '  regions:', '    Alps: [ch, AT, li, AT]', '  data_classes:', '    d:', '      allowed_countries: [Alps, de, CH]'].join('\n'),
      'c.yaml',
    );
    expect(config.policy.regions.Alps).toEqual(['AT', 'CH', 'LI']);
    expect(config.policy.data_classes.d).toEqual({
      allowed_countries: ['AT', 'CH', 'DE', 'LI'],
      allowed_as_written: ['Alps', 'de', 'CH'],
      principals: ['**'],
      require_gateway: true,
    });
  });

  it('expands a region named in another region, in any order, EEA included', () => {
    const config = parseConfig(
      ['policy:', '  regions:', '    Wider: [EU_PLUS, Alps]', '    EU_PLUS: [EEA, gb]', '    Alps: [CH, li]', '  data_classes:', '    d: {allowed_countries: [Wider]}'].join('\n'),
      'c.yaml',
    );
    expect(config.policy.regions.EU_PLUS).toEqual([...EEA, 'GB'].sort());
    expect(config.policy.regions.Alps).toEqual(['CH', 'LI']);
    // The EEA's 30 countries, GB and CH (LI is in the EEA already): 32.
    expect(config.policy.regions.Wider).toEqual([...EEA, 'CH', 'GB'].sort());
    expect(config.policy.regions.Wider).toHaveLength(32);
    expect(config.policy.data_classes.d.allowed_countries).toEqual(config.policy.regions.Wider);
  });

  it('lets the file redefine EEA', () => {
    const config = parseConfig('policy:\n  regions:\n    EEA: [DE]\n  data_classes:\n    d: {allowed_countries: [EEA]}\n', 'c.yaml');
    expect(config.policy.regions.EEA).toEqual(['DE']);
    expect(config.policy.data_classes.d.allowed_countries).toEqual(['DE']);
  });

  it('writes networks in canonical form and accepts an empty principals list', () => {
    const config = parseConfig(
      'policy:\n  internal_networks: ["fd00:0000::/8", 192.168.0.0/16]\n  data_classes:\n    d: {allowed_countries: [DE], principals: []}\n',
      'c.yaml',
    );
    expect(config.policy.internal_networks).toEqual(['fd00::/8', '192.168.0.0/16']);
    expect(config.policy.data_classes.d.principals).toEqual([]);
  });

  it('resolves TLS files against the config folder and keeps only the password variable name', () => {
    const folder = tempFolder('egress-config-');
    writeFileSync(join(folder, 'ca.pem'), 'not really a certificate');
    writeFileSync(
      join(folder, 'config.yaml'),
      'kafka:\n  ssl: {ca: ca.pem}\n  sasl: {mechanism: scram-sha-512, username: watcher, password_env: KAFKA_PASSWORD}\n',
    );
    const config = loadConfig(join(folder, 'config.yaml'));
    expect(config.kafka.ssl).toEqual({ ca: join(folder, 'ca.pem'), reject_unauthorized: true });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'watcher', password_env: 'KAFKA_PASSWORD' });
  });

  it('reads a schema registry and a service port', () => {
    const config = parseConfig('kafka:\n  schema_registry: {url: "https://registry.internal:8081"}\nservice: {http_port: 0}\n', 'c.yaml');
    expect(config.kafka.schema_registry).toEqual({ url: 'https://registry.internal:8081' });
    expect(config.service).toEqual({ http_host: '127.0.0.1', http_port: 0 });
  });

  it('reads ssl: true as TLS with the system CAs', () => {
    expect(parseConfig('kafka:\n  ssl: true\n', 'c.yaml').kafka.ssl).toEqual({ reject_unauthorized: true });
  });
});
