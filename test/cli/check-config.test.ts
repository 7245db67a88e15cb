// `egress-watch check-config F`: the effective policy in plain words, exit 0; a bad file exits 2
// with its one message. Runs the built CLI (dist/) as a child process, as an operator would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainConfig } from '../../src/config/explain.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ensureBuilt } from '../kafka/helpers/service-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(root, 'config/example.yaml');

const FIXTURE = `
baseline: {key: dst_ip, warmup_windows: 30, timezone: Europe/Berlin, return_after: 6h, day_zones: [{destination: '203.0.113.*', timezone: Asia/Tokyo}]}
windows: {size: 5m, allowed_lateness: 1m}
policy:
  regions:
    Nordics: [DK, SE, NO, FI, IS]
  internal_networks: [10.0.0.0/8]
  data_classes:
    hr_data:
      allowed_countries: [Nordics, de]
      principals: ["svc-hr-*", alice, bob]
    secrets:
      allowed_countries: []
      principals: []
    logs:
      allowed_countries: ["*"]
      require_gateway: false
detectors:
  gateway_bypass: {enabled: false}
  volume_spike: {threshold: 7.5, min_bytes: 512KiB}
  overrides:
    - match: {destination: "198.51.100.*"}
      volume_spike: {threshold: 12, min_bytes: 10MB}
      new_destination: {enabled: false}
    - match: {destination: 203.0.113.9, data_class: hr_data}
      residency_violation: {severity: MEDIUM}
      new_destination: {learning_period: 2h}
alerts: {suppress_for: 0s, format: avro}
kafka:
  brokers: [kafka-1:9093, kafka-2:9093]
  group_id: ew-prod
  repartition: false
  sasl: {mechanism: scram-sha-512, username: ew, password_env: EW_PASSWORD}
service: {http_port: 9500}
`;

// Worked out by hand from FIXTURE (regions expanded and sorted, 512KiB = 524288 bytes).
const EXPECTED_AFTER_HEADER = [
  '',
  'Policy: who may send which data class where',
  '  hr_data: may go to Nordics (DK, FI, IS, NO, SE), DE; only svc-hr-*, alice and bob may send it; must pass a gateway (not enforced: gateway_bypass is off).',
  '  logs: may go to any country; anyone may send it; need not pass a gateway.',
  '  secrets: may go to no country; nobody may send it; must pass a gateway (not enforced: gateway_bypass is off).',
  '  Any other data class, and a flow without one, is not restricted.',
  '  A flow whose country is unknown is outside every list but "*".',
  '  Internal networks (not egress, never checked): 10.0.0.0/8.',
  '',
  'Detectors',
  '  residency_violation: CRITICAL when restricted data goes to a country its class does not allow.',
  '  unauthorized_principal: CRITICAL when a principal sends a class it is not listed for.',
  '  gateway_bypass: off, never alerts.',
  '  new_destination: MEDIUM when a destination receives a data class for the first time, after a learning period of 1d.',
  "  volume_spike: HIGH when a window scores above 7.5 against its destination's baseline, or its bytes and the previous window's both pass the level its own tail puts at 1 window in 3,000 and a margin over the highest two windows in a row reached before (slowly forgotten), with at least 524 KB (524288 bytes); a rise that stops growing for 1h (as long as it grew after it opened, up to 3 times that) becomes the new normal.",
  '  sustained_increase: MEDIUM when the volume stays above the baseline with a score beyond 5 for at least 10 windows in a row, judged after a day (a weekday once a weekday has been seen), or after 7d for a destination whose days differ by more than half; a rise that stops growing for 1h (as long as it grew after it opened, up to 3 times that) becomes the new normal.',
  '  gateway_silent: HIGH when a gateway sends nothing while others go on for longer than 15m and 3 times its longest quiet period learnt for that hour of the day (alert destination gateway:<id>), once it has been seen for 1d.',
  '',
  'Overrides (in file order; a later one wins)',
  '  1. for destination 198.51.100.*: new_destination off; volume_spike threshold 12, min_bytes 10 MB.',
  '  2. for destination 203.0.113.9 and data class hr_data: residency_violation severity MEDIUM; new_destination learning_period 2h.',
  '',
  'Windows and baseline',
  '  Tumbling windows of 5m, closed once event time is 1m past their end.',
  '  One baseline per destination IP address; no volume alert before 30 windows; the state of a destination idle for 7d is dropped (the data classes it received kept 365d longer); hours and weekdays in Europe/Berlin.',
  '  Destinations matching 203.0.113.* keep the weekdays and weekends of Asia/Tokyo (hours of the day in Europe/Berlin).',
  '  An accepted rise is given back once traffic has stayed back down for 6h.',
  '',
  'Alerts',
  '  Every alert is sent on its own (no incidents); avro on the alert topic.',
  '',
  'Kafka and service',
  '  Brokers kafka-1:9093, kafka-2:9093 (no TLS, SASL scram-sha-512 as ew); consumer group ew-prod.',
  '  Flows from gateway.flows (auto), alerts to egress.alerts, dead letters to gateway.flows.dlq, state in egress-watch.state; not re-keyed.',
  '  /metrics, /healthz and /readyz on 127.0.0.1:9500.',
];

let dir: string;
let fixture: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'egress-check-config-'));
  fixture = join(dir, 'check.yaml');
  writeFileSync(fixture, FIXTURE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/egress-watch.js'), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// What check-config says of a config without an enrich section (src/io/enrich/describe.ts).
const NO_ENRICHMENT = [
  '',
  'Enrichment (fills only what a record leaves empty; a value the record carries is kept)',
  '  gateway_id: not filled: a record without gateway_id counts as seen outside any gateway.',
  '  dst_country: not filled: a record without dst_country goes to an unknown country, allowed only by "*".',
  '  dst_host: only what the record carries (OCSF dst_endpoint.hostname); otherwise the baseline key falls back to dst_ip.',
  '  principal: not filled: a record without principal is sent by nobody known.',
  '  data_class: not filled: a record without data_class is not restricted.',
];

describe('egress-watch check-config', () => {
  it('prints the effective policy in plain words and exits 0', () => {
    const version = loadConfig(fixture).config_version;
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    const { code, stdout, stderr } = cli('check-config', fixture);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([`${fixture}: valid; config_version ${version}`, ...EXPECTED_AFTER_HEADER, ...NO_ENRICHMENT, '']);
    expect(explainConfig(loadConfig(fixture), fixture)).toEqual(stdout.split('\n').slice(0, -1 - NO_ENRICHMENT.length));
  });

  it('reads config/example.yaml', () => {
    const { code, stdout } = cli('check-config', EXAMPLE);
    expect(code).toBe(0);
    const eea = 'AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI, FR, GR, HR, HU, IE, IS, IT, LI, LT, LU, LV, MT, NL, NO, PL, PT, RO, SE, SI, SK';
    const lines = stdout.split('\n');
    expect(lines).toContain(`  eu_user_data: may go to EEA (${eea}), GB, CH; only svc-eu-*, alice and bob may send it; must pass a gateway.`);
    expect(lines).toContain('  telemetry: may go to any country; anyone may send it; need not pass a gateway.');
    expect(lines).toContain('  1. for destination backup.example.com: volume_spike threshold 12.');
  });

  it('prints the normalised config with --json', () => {
    const { code, stdout } = cli('check-config', '--json', fixture);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json).toEqual(JSON.parse(JSON.stringify(loadConfig(fixture))));
    expect(json.detectors.volume_spike.min_bytes).toBe(524_288);
    expect(json.policy.data_classes.hr_data.allowed_countries).toEqual(['DE', 'DK', 'FI', 'IS', 'NO', 'SE']);
  });

  it('exits 2 with the one FILE:LINE: key: reason message on a bad file', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, FIXTURE.replace('data_class: hr_data', 'data_class: hr-data'));
    const { code, stdout, stderr } = cli('check-config', bad);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(
      `egress-watch: ${bad}:25: detectors.overrides[1].match.data_class: unknown data class "hr-data" ` +
        '(policy.data_classes declares: hr_data, logs, secrets); an override only matches a declared class\n',
    );
    expect(cli('check-config', join(dir, 'absent.yaml'))).toEqual({
      code: 2,
      stdout: '',
      stderr: `egress-watch: ${join(dir, 'absent.yaml')}: cannot read the config file: no such file\n`,
    });
  });
});

describe('check-config on sensors that write records late', () => {
  const windowsLines = (yaml: string) => {
    const lines = explainConfig(parseConfig(yaml, 'late.yaml'), 'late.yaml');
    const at = lines.indexOf('Windows and baseline');
    return lines.slice(at + 1, at + 3);
  };

  it('says when allowed_lateness is shorter than the dialect writes records late', () => {
    expect(windowsLines('input: {format: zeek}\n')).toEqual([
      '  Tumbling windows of 1m, closed once event time is 30s past their end.',
      '  Zeek writes a connection when it ends or times out (TCP: 5m without packets): with allowed_lateness 30s such records reach closed windows (late: the volume baseline misses them); set windows.allowed_lateness to 5m or more.',
    ]);
    expect(windowsLines('input: {format: vpc}\nwindows: {allowed_lateness: 5m}\n')[1]).toBe(
      '  VPC Flow Logs arrive 5-10 minutes after their interval: with allowed_lateness 5m such records reach closed windows (late: the volume baseline misses them); set windows.allowed_lateness to 10m or more.',
    );
  });

  it('says it for Suricata too (a flow event is written when the flow times out)', () => {
    expect(windowsLines('input: {format: suricata}\n')[1]).toBe(
      "  Suricata writes a flow event when the flow times out (suricata.yaml's default for established TCP: 10m idle): with allowed_lateness 30s such records reach closed windows (late: the volume baseline misses them); set windows.allowed_lateness to 10m or more.",
    );
  });

  it('says nothing when allowed_lateness covers it, or for the flow record', () => {
    expect(windowsLines('input: {format: zeek}\nwindows: {allowed_lateness: 5m}\n')[1]).toMatch(/^  One baseline per /);
    expect(windowsLines('input: {format: flow}\n')[1]).toMatch(/^  One baseline per /);
  });
});

