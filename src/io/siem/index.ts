// Alert documents for SIEMs: the alert's own JSON, an OCSF Detection Finding, or an ECS
// document; and the way back, so the `alerts` console (and an auditor) can read a topic or
// a file in whichever of them egress-watch wrote.
import type { Alert } from '../../engine/types.js';
import { ecsPathOf, fromEcs, looksLikeEcs, toEcs } from './ecs.js';
import type { ProductInfo } from './fields.js';
import { fromOcsf, looksLikeOcsf, ocsfPathOf, toOcsf } from './ocsf.js';

/** alerts.format and `replay --format`: json and avro are the alert schema itself. */
export const ALERT_FORMATS = ['json', 'avro', 'ocsf', 'ecs'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];
/** The formats that are a JSON object per alert. */
export type AlertJsonFormat = Exclude<AlertFormat, 'avro'>;

/** The JSON object written for an alert in a JSON format. */
export function alertDocument(alert: Alert, format: AlertJsonFormat, product?: ProductInfo): object {
  if (format === 'ocsf') return toOcsf(alert, product);
  if (format === 'ecs') return toEcs(alert, product);
  return alert;
}

/**
 * Reads a parsed JSON object as an alert: an OCSF finding or ECS document is mapped back
 * first, then `check` validates the alert's fields. A problem names the document's path
 * (e.g. `OCSF finding: missing unmapped.bytes (bytes)`).
 */
export function readAlertDocument(doc: Record<string, unknown>, check: (fields: unknown) => Alert | string): Alert | string {
  const siem = looksLikeOcsf(doc)
    ? { label: 'OCSF finding', fields: fromOcsf(doc), pathOf: ocsfPathOf }
    : looksLikeEcs(doc)
      ? { label: 'ECS document', fields: fromEcs(doc), pathOf: ecsPathOf }
      : null;
  if (siem === null) return check(doc);
  if (typeof siem.fields === 'string') return siem.fields;
  const alert = check(siem.fields);
  return typeof alert === 'string' ? `${siem.label}: ${inDocumentTerms(alert, siem.pathOf)}` : alert;
}

/** The alert checker's words about a field, said about the document path that held it. */
function inDocumentTerms(problem: string, pathOf: (field: string) => string): string {
  const missing = /^missing required field (\w+)$/.exec(problem);
  if (missing) return `missing ${pathOf(missing[1])} (${missing[1]})`;
  const invalid = /^field (\w+)((?:\.\S+)?): (.*)$/s.exec(problem);
  if (invalid) return `${pathOf(invalid[1])}${invalid[2]} (${invalid[1]}): ${invalid[3]}`;
  return problem;
}
