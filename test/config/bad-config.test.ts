// Config safety: one bad config per kind of mistake, each refused at load with exactly one
// message "FILE:LINE: key.path: reason". Read from real files, as the service reads them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const DURATION_FORMS = 'expected a duration: a number with a unit ms, s, m, h or d, such as 500ms, 30s, 5m, 1h or 7d';
const SIZE_FORMS =
  'expected a size: a whole number of bytes or a number with a unit B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), such as 512KB or 10MB';
const CIDR_FORMS = 'expected a network in CIDR notation such as 10.0.0.0/8 or fd00::/8';
const DECLARED = 'policy:\n  data_classes:\n    eu_user_data: {allowed_countries: [EEA]}\n    telemetry: {allowed_countries: ["*"]}\n';
const NEVER_PREFIX = 'never matches: with baseline.key dst_prefix';

// [kind of mistake, file text, expected message after "FILE:"]
const CASES: Array<[string, string, string]> = [
  ['wrong type', 'detectors:\n  volume_spike:\n    threshold: high\n', '3: detectors.volume_spike.threshold: expected a number, got "high"'],
  ['a section that is not a mapping', 'windows: 5\n', '1: windows: expected a mapping, got 5'],
  ['a list written as a scalar', 'policy:\n  internal_networks: 10.0.0.0/8\n', '2: policy.internal_networks: expected a list, got "10.0.0.0/8"'],
  [
    'unknown key',
    'detectors:\n  gateway_bypass:\n    enable: false\n',
    '3: detectors.gateway_bypass.enable: unknown key (expected one of: enabled, severity)',
  ],
  ['missing required key', 'policy:\n  data_classes:\n    hr_data:\n      principals: [alice]\n', '3: policy.data_classes.hr_data.allowed_countries: required key is missing'],
  ['value out of range', 'baseline:\n  warmup_windows: -1\n', '2: baseline.warmup_windows: expected a number >= 0, got -1'],
  ['bad enum value', 'baseline:\n  key: dst_port\n', '2: baseline.key: expected one of dst_host, dst_ip, dst_prefix, got "dst_port"'],
  ['bad duration', 'windows:\n  size: 5 minutes\n', `2: windows.size: ${DURATION_FORMS}, got "5 minutes"`],
  ['bare number as a duration', 'alerts:\n  suppress_for: 60\n', `2: alerts.suppress_for: ${DURATION_FORMS}, got 60`],
  ['zero duration where it must be positive', 'baseline:\n  idle_ttl: 0d\n', '2: baseline.idle_ttl: expected a duration above zero, got "0d"'],
  [
    'bad duration inside an override',
    'detectors:\n  overrides:\n    - match: {destination: a.example.com}\n      new_destination: {learning_period: 2 days}\n',
    `4: detectors.overrides[0].new_destination.learning_period: ${DURATION_FORMS}, got "2 days"`,
  ],
  ['bad size', 'detectors:\n  volume_spike: {min_bytes: 10mb}\n', `2: detectors.volume_spike.min_bytes: ${SIZE_FORMS}, got "10mb"`],
  ['negative size', 'detectors:\n  volume_spike: {min_bytes: -5}\n', `2: detectors.volume_spike.min_bytes: ${SIZE_FORMS}, got -5`],
  ['bad CIDR', 'policy:\n  internal_networks: [10.0.0.0/33]\n', `2: policy.internal_networks[0]: ${CIDR_FORMS}, got "10.0.0.0/33"`],
  ['address without prefix length', 'policy:\n  internal_networks: [10.0.0.1]\n', `2: policy.internal_networks[0]: ${CIDR_FORMS}, got "10.0.0.1"`],
  ['CIDR with host bits', 'policy:\n  internal_networks: [192.168.1.1/16]\n', '2: policy.internal_networks[0]: "192.168.1.1/16" has host bits set: did you mean 192.168.0.0/16?'],
  [
    'unknown country code in allowed_countries',
    'policy:\n  data_classes:\n    hr_data: {allowed_countries: [DE, UK]}\n',
    '3: policy.data_classes.hr_data.allowed_countries[1]: unknown country code "UK" (expected an ISO 3166-1 alpha-2 code such as DE or GB)',
  ],
  [
    'unknown region in allowed_countries',
    'policy:\n  data_classes:\n    hr_data: {allowed_countries: [Europe]}\n',
    '3: policy.data_classes.hr_data.allowed_countries[0]: unknown region "Europe" (defined regions: EEA; or write an ISO 3166-1 alpha-2 country code, or "*" for any country)',
  ],
  [
    'unknown country code in a region',
    'policy:\n  regions:\n    Nordics: [DK, SE, XX]\n',
    '3: policy.regions.Nordics[2]: unknown country code "XX" (expected an ISO 3166-1 alpha-2 code such as DE or GB)',
  ],
  ['region named like a country', 'policy:\n  regions:\n    EU: [DE, FR]\n', '3: policy.regions.EU: region name "EU" could be read as a country code; choose a longer name'],
  ['region that includes itself', 'policy:\n  regions:\n    North: [South, DK]\n    South: [North]\n', '3: policy.regions.North: region "North" includes itself (North -> South -> North)'],
  [
    'EEA redefined to include itself',
    'policy:\n  regions:\n    EEA: [EEA, CH]\n',
    '3: policy.regions.EEA: region "EEA" includes itself (EEA -> EEA) (a region named EEA replaces the built-in one: to add to it, name the group otherwise, e.g. EU_PLUS: [EEA, CH])',
  ],
  ['bytes that are not UTF-8', 'policy:\n  data_classes:\n    d: {allowed_countries: [DE], principals: ["m\ufffdller"]}\n', '3: holds U+FFFD, the replacement character: the file is not UTF-8 there (save it as UTF-8)'],
  ['any country in a region', 'policy:\n  regions:\n    Anywhere: ["*"]\n', '3: policy.regions.Anywhere[0]: a region lists countries and regions; "*" (any country) belongs in a data class\'s allowed_countries'],
  [
    'unknown region in a region',
    'policy:\n  regions:\n    North: [Nordics, DK]\n',
    '3: policy.regions.North[0]: unknown region "Nordics" (defined regions: EEA, North; or write an ISO 3166-1 alpha-2 country code, or "*" for any country)',
  ],
  [
    'unknown time zone',
    'baseline:\n  timezone: Europe/Pariss\n',
    '2: baseline.timezone: unknown time zone "Europe/Pariss" (expected an IANA zone such as UTC or Europe/Berlin)',
  ],
  [
    'override without a match key',
    'detectors:\n  overrides:\n    - match: {}\n      volume_spike: {threshold: 9}\n',
    '3: detectors.overrides[0].match: expected destination, data_class or both',
  ],
  [
    'override naming no detector key',
    'detectors:\n  overrides:\n    - match: {destination: a.example.com}\n',
    '3: detectors.overrides[0]: an override must change at least one detector (residency_violation, unauthorized_principal, gateway_bypass, new_destination, volume_spike, sustained_increase, gateway_silent)',
  ],
  [
    'override with a misspelt detector key',
    'detectors:\n  overrides:\n    - match: {destination: a.example.com}\n      volume_spikes: {threshold: 9}\n',
    '4: detectors.overrides[0].volume_spikes: unknown key (expected one of: match, residency_violation, unauthorized_principal, gateway_bypass, new_destination, volume_spike, sustained_increase, gateway_silent)',
  ],
  [
    'override with a misspelt match key',
    'detectors:\n  overrides:\n    - match: {destinaton: a.example.com}\n      volume_spike: {threshold: 9}\n',
    '3: detectors.overrides[0].match.destinaton: unknown key (expected one of: destination, data_class)',
  ],
  [
    'override for a data class the policy does not declare',
    `${DECLARED}detectors:\n  overrides:\n    - match: {data_class: eu_userdata}\n      residency_violation: {severity: LOW}\n`,
    '7: detectors.overrides[0].match.data_class: unknown data class "eu_userdata" (policy.data_classes declares: eu_user_data, telemetry); an override only matches a declared class',
  ],
  [
    'override for a data class when the policy declares none',
    'detectors:\n  overrides:\n    - match: {data_class: eu_user_data}\n      new_destination: {enabled: false}\n',
    '3: detectors.overrides[0].match.data_class: unknown data class "eu_user_data" (policy.data_classes declares: none); an override only matches a declared class',
  ],
  [
    'override changing a volume detector for one data class',
    `${DECLARED}detectors:\n  overrides:\n    - match: {destination: "*.example.com", data_class: telemetry}\n      new_destination: {enabled: false}\n      sustained_increase: {threshold: 9}\n`,
    "9: detectors.overrides[0].sustained_increase: never applies: sustained_increase judges a destination's whole window, not one data class, so an override with match.data_class cannot change it (match by destination only)",
  ],
  [
    'override glob that cannot cross the "/" of a dst_prefix key',
    'baseline: {key: dst_prefix}\ndetectors:\n  overrides:\n    - match: {destination: "203.0.113.*"}\n      volume_spike: {threshold: 9}\n',
    `4: detectors.overrides[0].match.destination: ${NEVER_PREFIX} every destination is a network such as 203.0.113.0/24, and the "*" or "?" in "203.0.113.*" does not match its "/" (write the network, or e.g. "203.0.*/24")`,
  ],
  [
    'override naming an address where the key is a network',
    'baseline: {key: dst_prefix}\ndetectors:\n  overrides:\n    - match: {destination: 203.0.113.7}\n      volume_spike: {threshold: 9}\n',
    `4: detectors.overrides[0].match.destination: ${NEVER_PREFIX} a destination is a /24 (IPv4) or /64 (IPv6) network such as 203.0.113.0/24 or 2001:db8:1:2::/64, got "203.0.113.7" (did you mean 203.0.113.0/24?)`,
  ],
  [
    'override naming a network of another size',
    'baseline: {key: dst_prefix}\ndetectors:\n  overrides:\n    - match: {destination: 203.0.0.0/16}\n      volume_spike: {threshold: 9}\n',
    `4: detectors.overrides[0].match.destination: ${NEVER_PREFIX} a destination is a /24 (IPv4) or /64 (IPv6) network such as 203.0.113.0/24 or 2001:db8:1:2::/64, got "203.0.0.0/16"`,
  ],
  [
    'override naming a host where the key is an IP address',
    'baseline: {key: dst_ip}\ndetectors:\n  overrides:\n    - match: {destination: backup.example.com}\n      volume_spike: {threshold: 9}\n',
    '4: detectors.overrides[0].match.destination: never matches: with baseline.key dst_ip a destination is an IP address, got "backup.example.com"',
  ],
  [
    // Suricata's spelling copied from eve.json: every dialect keys 2001:db8::42, so this never matched.
    'override naming an IPv6 address in full groups',
    'baseline: {key: dst_ip}\ndetectors:\n  overrides:\n    - match: {destination: "2001:0db8:0000:0000:0000:0000:0000:0042"}\n      volume_spike: {threshold: 9}\n',
    '4: detectors.overrides[0].match.destination: never matches: egress-watch reads every IPv6 destination in RFC 5952 form (lower case, no leading zeros, the longest run of zero groups as ::), got "2001:0db8:0000:0000:0000:0000:0000:0042" (did you mean 2001:db8::42?)',
  ],
  [
    'override naming an IPv6 address in upper case where the key is a host',
    'detectors:\n  overrides:\n    - match: {destination: "2001:DB8::42"}\n      volume_spike: {threshold: 9}\n',
    '3: detectors.overrides[0].match.destination: never matches: egress-watch reads every IPv6 destination in RFC 5952 form (lower case, no leading zeros, the longest run of zero groups as ::), got "2001:DB8::42" (did you mean 2001:db8::42?)',
  ],
  [
    'override naming a network where the key is a host',
    'detectors:\n  overrides:\n    - match: {destination: 203.0.113.0/24}\n      volume_spike: {threshold: 9}\n',
    '3: detectors.overrides[0].match.destination: never matches: with baseline.key dst_host a destination is a host name or an IP address, got "203.0.113.0/24" (networks are destinations only with baseline.key dst_prefix)',
  ],
  [
    'override naming an internal address',
    'policy:\n  internal_networks: [10.0.0.0/8]\ndetectors:\n  overrides:\n    - match: {destination: 10.1.2.3}\n      volume_spike: {threshold: 9}\n',
    '5: detectors.overrides[0].match.destination: never matches: "10.1.2.3" lies inside the internal network 10.0.0.0/8 (policy.internal_networks), whose flows are not egress and are never checked',
  ],
  ['invalid YAML', 'windows:\n  size: 1m\n  size: 2m\n', '3: invalid YAML: Map keys must be unique (column 3)'],
];

describe('every kind of bad config fails at load with one FILE:LINE: key: reason message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egress-bad-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CASES.map(([kind, text, message], i) => ({ kind, text, message, i })))('$kind', ({ text, message, i }) => {
    const file = join(dir, `bad-${i}.yaml`);
    writeFileSync(file, text);
    let error: unknown;
    try {
      loadConfig(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(1);
    expect((error as ConfigError).message).toBe(`${file}:${message}`);
  });

  it('accepts overrides that can match', () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(
      file,
      [
        'baseline: {key: dst_prefix}',
        DECLARED.trimEnd(),
        'detectors:',
        '  overrides:',
        '    - {match: {destination: 203.0.113.0/24}, volume_spike: {threshold: 9}}',
        '    - {match: {destination: "2001:DB8:1:2::/64"}, volume_spike: {threshold: 9}}',
        '    - {match: {destination: "198.51.*/24"}, sustained_increase: {threshold: 9}}',
        '    - {match: {destination: "**"}, sustained_increase: {threshold: 8}}',
        '    - {match: {data_class: telemetry}, new_destination: {enabled: false}}',
        '',
      ].join('\n'),
    );
    expect(loadConfig(file).detectors.overrides).toHaveLength(5);
  });
});
