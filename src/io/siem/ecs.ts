// An alert as an Elastic Common Schema 8.x document, and back. Field definitions checked
// against the ECS reference (https://www.elastic.co/guide/en/ecs/8.11/ecs-field-reference.html:
// base, event, rule, destination, geo, source, user, observer fields, and the categorization
// values of event.kind, event.category and event.type).
//
// Where every alert field goes (nothing is dropped: the auditor can rebuild the alert):
//   alert_id          event.id
//   type              rule.name (rule.id is the detector's config key)
//   severity          event.severity: LOW 2, MEDIUM 3, HIGH 4, CRITICAL 5 (the OCSF scale)
//   destination       destination.address (and destination.domain or destination.ip by its kind)
//   dst_country       destination.geo.country_iso_code (absent: null)
//   principal         user.name (absent: null)
//   gateway_id        observer.name, observer.type "gateway" (absent: no gateway, null)
//   window_start_ms   event.start (ISO 8601, millisecond precision: exact)
//   window_end_ms     event.end
//   bytes             source.bytes: "bytes sent from the source to the destination", which is
//                     what the alert counts (bytes_out); not network.bytes, which counts both
//                     directions
//   reason            event.reason (and message)
//   config_version    rule.version: the version of the rules that decided
//   detected_at_ms    @timestamp
//   incident_id       egress_watch.incident_id (ECS has no incident field; kibana.alert.* is
//                     written by Kibana's own alerting, not by external detectors)
//   incident_state    egress_watch.incident_state, and event.type gains start (OPEN), change
//                     (ESCALATED) or end (CLOSED), event.action incident-opened/-escalated/-closed
//   everything else   egress_watch.<field> (data_class, flow_count, observed, expected, score,
//                     threshold, sample_flow_ids, and fields later added to the alert schema),
//                     custom fields under one prefix as ECS advises
import type { Alert, IncidentState } from '../../engine/types.js';
import { formatInstant as iso } from '../../values/units.js';
import { destinationKind } from './destination.js';
import {
  DETECTOR_KINDS,
  PRODUCT_NAME,
  PathReader,
  SEVERITY_IDS,
  defaultProduct,
  restFields,
  severityOfId,
  type ProductInfo,
} from './fields.js';

export const ECS_VERSION = '8.11.0';
/** Custom fields: everything the alert has that ECS has no field for. */
export const ECS_CUSTOM = 'egress_watch';

/** Where fromEcs reads each alert field with a native ECS place; the rest are `egress_watch.<field>`. */
const NATIVE_PATHS: Record<string, string> = {
  alert_id: 'event.id',
  type: 'rule.name',
  severity: 'event.severity',
  destination: 'destination.address',
  dst_country: 'destination.geo.country_iso_code',
  principal: 'user.name',
  gateway_id: 'observer.name',
  window_start_ms: 'event.start',
  window_end_ms: 'event.end',
  bytes: 'source.bytes',
  reason: 'event.reason',
  config_version: 'rule.version',
  detected_at_ms: '@timestamp',
};
const NATIVE = new Set(Object.keys(NATIVE_PATHS));

/** The ECS path holding an alert field (for messages about a document read back). */
export function ecsPathOf(field: string): string {
  return NATIVE_PATHS[field] ?? `${ECS_CUSTOM}.${field}`;
}

export type EcsDocument = Record<string, unknown>;

/** An incident record's ECS event.type (allowed values start, change, end) and event.action. */
const INCIDENT_EVENT: Record<IncidentState, { type: string; action: string }> = {
  OPEN: { type: 'start', action: 'incident-opened' },
  ESCALATED: { type: 'change', action: 'incident-escalated' },
  CLOSED: { type: 'end', action: 'incident-closed' },
};

export function toEcs(alert: Alert, product: ProductInfo = defaultProduct()): EcsDocument {
  const kind = DETECTOR_KINDS[alert.type];
  const destination: Record<string, unknown> = { address: alert.destination };
  const destinationType = destinationKind(alert.destination);
  if (destinationType === 'ip') destination.ip = alert.destination;
  if (destinationType === 'host') destination.domain = alert.destination;
  if (alert.dst_country !== null) destination.geo = { country_iso_code: alert.dst_country };

  const doc: EcsDocument = {
    '@timestamp': iso(alert.detected_at_ms),
    ecs: { version: ECS_VERSION },
    message: alert.reason,
    event: {
      kind: 'alert',
      category: ['network'],
      // Every alert is about outbound connections (flows) the gateways saw.
      type: alert.incident_state == null ? ['connection'] : ['connection', INCIDENT_EVENT[alert.incident_state].type],
      ...(alert.incident_state == null ? {} : { action: INCIDENT_EVENT[alert.incident_state].action }),
      id: alert.alert_id,
      severity: SEVERITY_IDS[alert.severity],
      reason: alert.reason,
      start: iso(alert.window_start_ms),
      end: iso(alert.window_end_ms),
      provider: product.name,
      module: ECS_CUSTOM,
      dataset: `${ECS_CUSTOM}.alerts`,
    },
    rule: {
      id: kind.key,
      name: alert.type,
      category: kind.category,
      description: kind.title,
      ruleset: `${product.name} ${product.version}`,
      version: alert.config_version,
    },
    destination,
    source: { bytes: alert.bytes },
  };
  if (alert.principal !== null) doc.user = { name: alert.principal };
  if (alert.gateway_id !== null) doc.observer = { name: alert.gateway_id, type: 'gateway' };
  doc[ECS_CUSTOM] = restFields(alert, NATIVE);
  return doc;
}

/** True when the document claims to be ECS (it has an ecs or @timestamp field): then only fromEcs may read it. */
export function looksLikeEcs(doc: Record<string, unknown>): boolean {
  return '@timestamp' in doc || 'ecs' in doc;
}

/**
 * The alert fields of an ECS document that egress-watch wrote (validated afterwards against
 * the alert schema by the caller), or the first problem, naming the ECS path.
 */
export function fromEcs(doc: Record<string, unknown>): Record<string, unknown> | string {
  const r = new PathReader(doc, 'ECS document');
  const provider = r.optional('event.provider');
  if (provider !== PRODUCT_NAME) {
    return `ECS document: event.provider ${JSON.stringify(provider ?? null)} is not ${PRODUCT_NAME}: not an egress-watch alert`;
  }
  const severityValue = r.required(NATIVE_PATHS.severity, 'severity');
  const severity = severityOfId(severityValue);
  if (severityValue !== undefined && severity === undefined) {
    r.fail(`event.severity ${JSON.stringify(severityValue)} is not one egress-watch writes (2 LOW, 3 MEDIUM, 4 HIGH, 5 CRITICAL)`);
  }
  const need = (field: string): unknown => r.required(NATIVE_PATHS[field], field);
  const time = (field: string): unknown => r.isoTime(NATIVE_PATHS[field], field);
  const native: Record<string, unknown> = {
    alert_id: need('alert_id'),
    type: need('type'),
    severity,
    destination: need('destination'),
    dst_country: r.nullable(NATIVE_PATHS.dst_country),
    principal: r.nullable(NATIVE_PATHS.principal),
    gateway_id: r.nullable(NATIVE_PATHS.gateway_id),
    window_start_ms: time('window_start_ms'),
    window_end_ms: time('window_end_ms'),
    bytes: need('bytes'),
    reason: need('reason'),
    config_version: need('config_version'),
    detected_at_ms: time('detected_at_ms'),
  };
  const rest = r.object(ECS_CUSTOM);
  // Object.assign, not spread: spreading into a literal is some 30 times slower here.
  return r.problem ?? Object.assign({}, rest, native);
}
