// The effective config in plain words, for `egress-watch check-config`: who may send which data
// class where, what each detector alerts on, the overrides, windows, baseline, alerts and Kafka
// settings, so an operator can review a change before deploying it. Worded from the normalised
// config (regions expanded, defaults filled), so it shows what the engine will do, not what the
// file happens to spell out.
import { ANY_COUNTRY, ANY_PRINCIPAL } from './schema/policy.js';
import type { Config, DetectorKey, DetectorSettings, Override, PolicyDataClass } from './types.js';
import { formatBytes, formatDuration, parseSize } from './units.js';

const INDENT = '  ';

export function explainConfig(config: Config, file: string): string[] {
  return [
    `${file}: valid; config_version ${config.config_version}`,
    '',
    'Policy: who may send which data class where',
    ...policyLines(config).map((line) => INDENT + line),
    '',
    'Detectors',
    ...detectorLines(config.detectors).map((line) => INDENT + line),
    '',
    'Overrides (in file order; a later one wins)',
    ...overrideLines(config.detectors.overrides).map((line) => INDENT + line),
    '',
    'Windows and baseline',
    ...baselineLines(config).map((line) => INDENT + line),
    '',
    'Alerts',
    INDENT + alertsLine(config),
    '',
    'Kafka and service',
    ...kafkaLines(config).map((line) => INDENT + line),
  ];
}

function policyLines(config: Config): string[] {
  const classes = Object.entries(config.policy.data_classes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = classes.map(([name, entry]) => `${name}: ${classRules(entry, config)}.`);
  if (lines.length === 0) lines.push('No data class is restricted: the residency, principal and gateway rules never fire.');
  else lines.push('Any other data class, and a flow without one, is not restricted.');
  if (classes.some(([, entry]) => !entry.allowed_as_written.includes(ANY_COUNTRY))) {
    lines.push(`A flow whose country is unknown is outside every list but "${ANY_COUNTRY}".`);
  }
  const internal = config.policy.internal_networks;
  lines.push(
    internal.length === 0
      ? 'No internal networks: every flow is egress.'
      : `Internal networks (not egress, never checked): ${internal.join(', ')}.`,
  );
  return lines;
}

function classRules(entry: PolicyDataClass, config: Config): string {
  const off = (key: DetectorKey) => (config.detectors[key].enabled ? '' : ` (not enforced: ${key} is off)`);
  return [
    destinations(entry, config) + off('residency_violation'),
    senders(entry.principals) + off('unauthorized_principal'),
    (entry.require_gateway ? 'must pass a gateway' : 'need not pass a gateway') + (entry.require_gateway ? off('gateway_bypass') : ''),
  ].join('; ');
}

function destinations(entry: PolicyDataClass, config: Config): string {
  const written = entry.allowed_as_written;
  if (written.includes(ANY_COUNTRY)) return 'may go to any country';
  if (written.length === 0) return 'may go to no country';
  const items = written.map((item) => {
    const region = Object.hasOwn(config.policy.regions, item) ? config.policy.regions[item] : undefined;
    return region === undefined ? item.toUpperCase() : `${item} (${region.join(', ')})`;
  });
  return `may go to ${items.join(', ')}`;
}

function senders(principals: readonly string[]): string {
  if (principals.includes(ANY_PRINCIPAL)) return 'anyone may send it';
  if (principals.length === 0) return 'nobody may send it';
  return `only ${andList(principals)} may send it`;
}

/** When each detector alerts, in words that follow "SEVERITY when". */
const WHEN: Record<DetectorKey, (s: DetectorSettings[DetectorKey]) => string> = {
  residency_violation: () => 'restricted data goes to a country its class does not allow',
  unauthorized_principal: () => 'a principal sends a class it is not listed for',
  gateway_bypass: () => 'restricted data is seen outside any gateway (for classes that must pass one)',
  new_destination: (s) =>
    'a destination receives a data class for the first time, after a learning period of ' +
    formatDuration((s as DetectorSettings['new_destination']).learning_period),
  volume_spike: (s) => {
    const v = s as DetectorSettings['volume_spike'];
    return `a window scores above ${v.threshold} against its destination's baseline with at least ${exactBytes(v.min_bytes)}`;
  },
  sustained_increase: (s) => {
    const v = s as DetectorSettings['sustained_increase'];
    return `the volume stays above the baseline with a score beyond ${v.threshold} for at least ${v.min_windows} windows in a row`;
  },
  gateway_silent: (s) => {
    const g = s as DetectorSettings['gateway_silent'];
    return (
      `a gateway sends nothing while others go on for longer than ${formatDuration(g.min_silence)} and ${g.factor} times ` +
      `its longest quiet period learnt for that hour of the day (alert destination gateway:<id>), ` +
      `once it has been seen for ${formatDuration(g.learning_period)}`
    );
  },
};

const DETECTOR_KEYS = Object.keys(WHEN) as DetectorKey[];

function detectorLines(detectors: DetectorSettings): string[] {
  return DETECTOR_KEYS.map((key) => {
    const s = detectors[key];
    return s.enabled ? `${key}: ${s.severity} when ${WHEN[key](s)}.` : `${key}: off, never alerts.`;
  });
}

function overrideLines(overrides: readonly Override[]): string[] {
  if (overrides.length === 0) return ['none'];
  return overrides.map((override, i) => {
    const { destination, data_class: dataClass } = override.match;
    const target = [
      destination === undefined ? undefined : `destination ${destination}`,
      dataClass === undefined ? undefined : `data class ${dataClass}`,
    ]
      .filter((part) => part !== undefined)
      .join(' and ');
    const changes = DETECTOR_KEYS.flatMap((key) => {
      const partial = override.settings[key];
      if (partial === undefined) return [];
      const fields = Object.entries(partial)
        .filter(([, value]) => value !== undefined)
        .map(([field, value]) => settingWords(field, value));
      return [`${key} ${fields.join(', ')}`];
    });
    return `${i + 1}. for ${target}: ${changes.join('; ')}.`;
  });
}

function settingWords(field: string, value: unknown): string {
  if (field === 'enabled') return value ? 'on' : 'off';
  if (field === 'learning_period' || field === 'min_silence') return `${field} ${formatDuration(value as number)}`;
  if (field === 'min_bytes') return `min_bytes ${exactBytes(value as number)}`;
  return `${field} ${String(value)}`;
}

function baselineLines(config: Config): string[] {
  const { size, allowed_lateness: lateness } = config.windows;
  const { key, warmup_windows: warmup, idle_ttl: ttl, timezone } = config.baseline;
  const keyWords: Record<Config['baseline']['key'], string> = {
    dst_host: 'destination host (its IP address when the host is unknown)',
    dst_ip: 'destination IP address',
    dst_prefix: 'destination network (/24 for IPv4, /64 for IPv6)',
  };
  return [
    `Tumbling windows of ${formatDuration(size)}, closed once event time is ${formatDuration(lateness)} past their end.`,
    `One baseline per ${keyWords[key]}; no volume alert before ${warmup} windows; ` +
      `the state of a destination idle for ${formatDuration(ttl)} is dropped; hours and weekdays in ${timezone}.`,
  ];
}

function alertsLine(config: Config): string {
  const { suppress_for: suppress, format } = config.alerts;
  const once =
    suppress === 0
      ? 'Every alert is sent on its own (no incidents)'
      : `Repeats fold into one incident (policy types per type, destination, data class and principal; volume types per type and destination), closed after ${formatDuration(suppress)} without one`;
  return `${once}; ${format} on the alert topic.`;
}

function kafkaLines(config: Config): string[] {
  const k = config.kafka;
  const security = [k.ssl === false ? 'no TLS' : 'TLS', k.sasl === null ? 'no SASL' : `SASL ${k.sasl.mechanism} as ${k.sasl.username}`];
  return [
    `Brokers ${k.brokers.join(', ')} (${security.join(', ')}); consumer group ${k.group_id}.`,
    `Flows from ${k.topics.flows} (${k.format}), alerts to ${k.topics.alerts}, dead letters to ${k.topics.dead_letter}, ` +
      `state in ${k.topics.changelog}; ${k.repartition ? `re-keyed through ${k.group_id}.repartition` : 'not re-keyed'}.`,
    `/metrics, /healthz and /readyz on ${config.service.http_host}:${config.service.http_port}.`,
  ];
}

/** "1 MB", or "524 KB (524288 bytes)" where three digits would round: a reviewer sees the real figure. */
function exactBytes(bytes: number): string {
  const short = formatBytes(bytes);
  return parseSize(short.replace(' ', '')) === bytes ? short : `${short} (${bytes} bytes)`;
}

/** "a", "a and b", "a, b and c". */
function andList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
