// An alert as an OCSF Detection Finding (class_uid 2004, category 2 Findings), OCSF 1.5.0,
// and back. Field definitions checked against the OCSF schema sources
// (https://github.com/ocsf/ocsf-schema: events/findings/finding.json, detection_finding.json,
// events/base_event.json, objects/finding_info.json, evidences.json, observable.json,
// network_endpoint.json, location.json, related_event.json, analytic.json, metadata.json,
// product.json; browsable at https://schema.ocsf.io/1.5.0/classes/detection_finding).
//
// Where every alert field goes (nothing is dropped: the auditor can rebuild the alert):
//   alert_id          metadata.uid: this record's own id (and finding_info.uid when the alert
//                     belongs to no incident)
//   incident_id       finding_info.uid: the finding is the incident, each record one activity
//                     on it (also unmapped.incident_id, so a reader gets it back exactly)
//   incident_state    activity_id / status_id: OPEN 1 Create / 1 New, ESCALATED 2 Update /
//                     2 In Progress, CLOSED 3 Close / 4 Resolved (no incident: Create / New);
//                     finding_info.modified_time on updates (also unmapped.incident_state)
//   type              finding_info.types[0] (and analytic.name, metadata.event_code)
//   severity          severity_id: LOW 2, MEDIUM 3, HIGH 4, CRITICAL 5 (severity: the caption)
//   destination       evidences[0].dst_endpoint.name (and .hostname or .ip by its kind)
//   dst_country       evidences[0].dst_endpoint.location.country (absent: null)
//   principal         evidences[0].actor.user.name (absent: null)
//   window_start_ms   start_time (and finding_info.first_seen_time)
//   window_end_ms     end_time (and finding_info.last_seen_time)
//   flow_count        count (and finding_info.related_events_count)
//   reason            finding_info.desc (and message)
//   sample_flow_ids   finding_info.related_events[].uid
//   config_version    finding_info.analytic.version: the version of the rules that decided
//   detected_at_ms    time (and finding_info.created_time)
//   everything else   unmapped.<field> (data_class, gateway_id, bytes, observed, expected,
//                     score, threshold, and fields later added to the alert schema)
import type { Alert, IncidentState } from '../../engine/types.js';
import { destinationKind } from './destination.js';
import {
  DETECTOR_KINDS,
  PRODUCT_NAME,
  PathReader,
  SEVERITY_CAPTIONS,
  SEVERITY_IDS,
  defaultProduct,
  isObject,
  restFields,
  severityOfId,
  type ProductInfo,
} from './fields.js';

export const OCSF_VERSION = '1.5.0';
export const OCSF_DETECTION_FINDING = 2004;
const FINDINGS_CATEGORY = 2;
/** An incident record as a finding activity and status (OCSF activity_id and status_id enums). */
const INCIDENT_ACTIVITY: Record<IncidentState, { activity_id: number; activity_name: string; status_id: number; status: string }> = {
  OPEN: { activity_id: 1, activity_name: 'Create', status_id: 1, status: 'New' },
  ESCALATED: { activity_id: 2, activity_name: 'Update', status_id: 2, status: 'In Progress' },
  CLOSED: { activity_id: 3, activity_name: 'Close', status_id: 4, status: 'Resolved' },
};

/** Observable type_id values (OCSF observable.type_id enum). */
const OBSERVABLE = {
  hostname: { type_id: 1, type: 'Hostname' },
  ip: { type_id: 2, type: 'IP Address' },
  userName: { type_id: 4, type: 'User Name' },
  subnet: { type_id: 12, type: 'Subnet' },
  country: { type_id: 14, type: 'Country' },
  dataClass: { type_id: 99, type: 'Data Class' }, // 99 Other: `type` names it
  gateway: { type_id: 99, type: 'Security Gateway' },
} as const;

function observable(name: string, kind: { type_id: number; type: string }, value: string): Record<string, unknown> {
  return { name, type_id: kind.type_id, type: kind.type, value };
}

/** Where fromOcsf reads each alert field with a native OCSF place; the rest are `unmapped.<field>`. */
const NATIVE_PATHS: Record<string, string> = {
  alert_id: 'metadata.uid',
  type: 'finding_info.types.0',
  severity: 'severity_id',
  destination: 'evidences.0.dst_endpoint.name',
  dst_country: 'evidences.0.dst_endpoint.location.country',
  principal: 'evidences.0.actor.user.name',
  window_start_ms: 'start_time',
  window_end_ms: 'end_time',
  flow_count: 'count',
  reason: 'finding_info.desc',
  sample_flow_ids: 'finding_info.related_events',
  config_version: 'finding_info.analytic.version',
  detected_at_ms: 'time',
};
const NATIVE = new Set(Object.keys(NATIVE_PATHS));

/** The OCSF path holding an alert field (for messages about a document read back). */
export function ocsfPathOf(field: string): string {
  return NATIVE_PATHS[field] ?? `unmapped.${field}`;
}

export type OcsfDetectionFinding = Record<string, unknown>;

export function toOcsf(alert: Alert, product: ProductInfo = defaultProduct()): OcsfDetectionFinding {
  const kind = DETECTOR_KINDS[alert.type];
  const endpoint: Record<string, unknown> = { name: alert.destination };
  const destinationObservable = destinationEndpoint(alert.destination, endpoint);
  if (alert.dst_country !== null) endpoint.location = { country: alert.dst_country };
  const evidence: Record<string, unknown> = { dst_endpoint: endpoint };
  if (alert.principal !== null) evidence.actor = { user: { name: alert.principal } };

  const observables: Array<Record<string, unknown>> = [destinationObservable];
  if (alert.dst_country !== null) observables.push(observable('evidences.dst_endpoint.location.country', OBSERVABLE.country, alert.dst_country));
  if (alert.principal !== null) observables.push(observable('evidences.actor.user.name', OBSERVABLE.userName, alert.principal));
  if (alert.data_class !== null) observables.push(observable('unmapped.data_class', OBSERVABLE.dataClass, alert.data_class));

  const activity = INCIDENT_ACTIVITY[alert.incident_state ?? 'OPEN'];
  return {
    activity_id: activity.activity_id,
    activity_name: activity.activity_name,
    category_uid: FINDINGS_CATEGORY,
    category_name: 'Findings',
    class_uid: OCSF_DETECTION_FINDING,
    class_name: 'Detection Finding',
    type_uid: OCSF_DETECTION_FINDING * 100 + activity.activity_id,
    type_name: `Detection Finding: ${activity.activity_name}`,
    severity_id: SEVERITY_IDS[alert.severity],
    severity: SEVERITY_CAPTIONS[alert.severity],
    status_id: activity.status_id,
    status: activity.status,
    is_alert: true,
    time: alert.detected_at_ms,
    start_time: alert.window_start_ms,
    end_time: alert.window_end_ms,
    count: alert.flow_count,
    message: alert.reason,
    metadata: {
      version: OCSF_VERSION,
      product: { name: product.name, vendor_name: product.vendor_name, version: product.version },
      uid: alert.alert_id,
      event_code: alert.type,
    },
    finding_info: {
      uid: alert.incident_id ?? alert.alert_id,
      title: `${kind.title}: ${alert.destination}`,
      desc: alert.reason,
      types: [alert.type],
      created_time: alert.detected_at_ms,
      ...(alert.incident_state === 'ESCALATED' || alert.incident_state === 'CLOSED' ? { modified_time: alert.detected_at_ms } : {}),
      first_seen_time: alert.window_start_ms,
      last_seen_time: alert.window_end_ms,
      analytic: {
        uid: kind.key,
        name: alert.type,
        type_id: kind.analyticTypeId,
        type: kind.analyticType,
        category: kind.category,
        version: alert.config_version,
      },
      related_events: alert.sample_flow_ids.map((uid) => ({ uid, type: 'gateway flow record' })),
      related_events_count: alert.flow_count,
    },
    evidences: [evidence],
    observables,
    unmapped: restFields(alert, NATIVE),
  };
}

/** Fills the endpoint's typed field for the destination's kind; returns its observable. */
function destinationEndpoint(destination: string, endpoint: Record<string, unknown>): Record<string, unknown> {
  switch (destinationKind(destination)) {
    case 'ip':
      endpoint.ip = destination;
      return observable('evidences.dst_endpoint.ip', OBSERVABLE.ip, destination);
    case 'prefix':
      // A network endpoint has no prefix field: the /24 or /64 stays in `name`.
      return observable('evidences.dst_endpoint.name', OBSERVABLE.subnet, destination);
    case 'host':
      endpoint.hostname = destination;
      return observable('evidences.dst_endpoint.hostname', OBSERVABLE.hostname, destination);
    case 'gateway':
      // GATEWAY_SILENT: the silent gateway itself; `gateway:<id>` stays in `name`.
      return observable('evidences.dst_endpoint.name', OBSERVABLE.gateway, destination);
  }
}

/** True when the document claims to be OCSF (it has a class_uid): then only fromOcsf may read it. */
export function looksLikeOcsf(doc: Record<string, unknown>): boolean {
  return 'class_uid' in doc;
}

/**
 * The alert fields of a Detection Finding that egress-watch wrote (validated afterwards
 * against the alert schema by the caller), or the first problem, naming the OCSF path.
 */
export function fromOcsf(doc: Record<string, unknown>): Record<string, unknown> | string {
  const r = new PathReader(doc, 'OCSF finding');
  const classUid = r.optional('class_uid');
  if (classUid !== OCSF_DETECTION_FINDING) {
    return `OCSF finding: class_uid ${JSON.stringify(classUid)} is not a Detection Finding (${OCSF_DETECTION_FINDING})`;
  }
  const productName = r.optional('metadata.product.name');
  if (productName !== PRODUCT_NAME) {
    return `OCSF finding: metadata.product.name ${JSON.stringify(productName ?? null)} is not ${PRODUCT_NAME}: not an egress-watch alert`;
  }
  const severityId = r.required(NATIVE_PATHS.severity, 'severity');
  const severity = severityOfId(severityId);
  if (severityId !== undefined && severity === undefined) {
    r.fail(`severity_id ${JSON.stringify(severityId)} is not one egress-watch writes (2 LOW, 3 MEDIUM, 4 HIGH, 5 CRITICAL)`);
  }
  const related = r.required(NATIVE_PATHS.sample_flow_ids, 'sample_flow_ids');
  let sampleFlowIds: unknown[] = [];
  if (Array.isArray(related)) sampleFlowIds = related.map((e) => (isObject(e) ? e.uid : e));
  else if (related !== undefined) r.fail('finding_info.related_events (sample_flow_ids): expected an array');

  const need = (field: string): unknown => r.required(NATIVE_PATHS[field], field);
  const native: Record<string, unknown> = {
    alert_id: need('alert_id'),
    type: need('type'),
    severity,
    destination: need('destination'),
    dst_country: r.nullable(NATIVE_PATHS.dst_country),
    principal: r.nullable(NATIVE_PATHS.principal),
    window_start_ms: need('window_start_ms'),
    window_end_ms: need('window_end_ms'),
    flow_count: need('flow_count'),
    reason: need('reason'),
    sample_flow_ids: sampleFlowIds,
    config_version: need('config_version'),
    detected_at_ms: need('detected_at_ms'),
  };
  const rest = r.object('unmapped');
  // Object.assign, not spread: spreading into a literal is some 30 times slower here.
  return r.problem ?? Object.assign({}, rest, native);
}
