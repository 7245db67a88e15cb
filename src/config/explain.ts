// The effective config in plain words, for `egress-watch check-config`: who may send which data
// class where, what each detector alerts on, the overrides, windows, baseline, alerts and Kafka
// settings, so an operator can review a change before deploying it. Worded from the normalised
// config (regions expanded, defaults filled), so it shows what the engine will do, not what the
// file happens to spell out.
import { ANY_COUNTRY, ANY_PRINCIPAL } from './schema/policy.js';
import { DETECTORS } from '../detectors/registry.js';
import type { Config, DetectorBase, DetectorKey, DetectorSettings, Override, PolicyDataClass } from './types.js';
import { exactBytes, formatDuration } from './units.js';

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

/** One line per registered detector, in registry order: its own words for when it alerts. */
function detectorLines(detectors: DetectorSettings): string[] {
  return DETECTORS.map((d) => {
    const s = (detectors as unknown as Record<string, DetectorBase>)[d.key];
    return s.enabled ? `${d.key}: ${s.severity} when ${d.explain(s as never)}.` : `${d.key}: off, never alerts.`;
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
    const changes = DETECTORS.flatMap(({ key }) => {
      const partial = (override.settings as Record<string, object | undefined>)[key];
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
  const { key, warmup_windows: warmup, idle_ttl: ttl, dormant_ttl: dormantTtl, timezone, return_after: giveBack } = config.baseline;
  const keyWords: Record<Config['baseline']['key'], string> = {
    dst_host: 'destination host (its IP address when the host is unknown)',
    dst_ip: 'destination IP address',
    dst_prefix: 'destination network (/24 for IPv4, /64 for IPv6)',
  };
  return [
    `Tumbling windows of ${formatDuration(size)}, closed once event time is ${formatDuration(lateness)} past their end.`,
    ...latenessHint(config.input.format, lateness),
    `One baseline per ${keyWords[key]}; no volume alert before ${warmup} windows; ` +
      `the state of a destination idle for ${formatDuration(ttl)} is dropped (the data classes it received kept ${formatDuration(dormantTtl)} longer); hours and weekdays in ${timezone}.`,
    ...config.baseline.day_zones.map(
      (z) => `Destinations matching ${z.destination} keep the weekdays and weekends of ${z.timezone} (hours of the day in ${config.baseline.timezone}).`,
    ),
    giveBack === 0
      ? 'An accepted rise stays accepted when traffic falls back (baseline.return_after 0s).'
      : `An accepted rise is given back once traffic has stayed back down for ${formatDuration(giveBack)}.`,
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

/** "a", "a and b", "a, b and c". */
function andList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Sensors that write a record well after its last packet: with less allowed lateness than
 * that, their records reach windows already closed (counted as late: policy is checked, the
 * volume baseline misses them). Zeek writes a connection when it ends or times out (TCP after
 * 5 minutes without packets); Suricata a flow when it times out (established TCP: 600 s idle
 * by default); VPC Flow Logs arrive 5-10 minutes after their interval.
 */
function latenessHint(format: Config['input']['format'], lateness: number): string[] {
  const behind: Partial<Record<Config['input']['format'], [string, number]>> = {
    zeek: ['Zeek writes a connection when it ends or times out (TCP: 5m without packets)', 5 * 60_000],
    vpc: ['VPC Flow Logs arrive 5-10 minutes after their interval', 10 * 60_000],
    suricata: ["Suricata writes a flow event when the flow times out (suricata.yaml's default for established TCP: 10m idle)", 10 * 60_000],
  };
  const known = behind[format];
  if (known === undefined || lateness >= known[1]) return [];
  const [why, needed] = known;
  return [`${why}: with allowed_lateness ${formatDuration(lateness)} such records reach closed windows (late: the volume baseline misses them); set windows.allowed_lateness to ${formatDuration(needed)} or more.`];
}
