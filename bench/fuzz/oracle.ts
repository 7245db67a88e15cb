// What counts as a good outcome for one fuzzed input, shared by the property
// tests and the fuzz run: a valid record (that validation accepts again,
// unchanged), or a rejection whose reason is precise (names the field, the
// byte offset, the JSON position or the schema id) and short enough for a
// dead-letter header.
import { ALERT_TYPES, SEVERITIES, type Alert, type FlowRecord } from '../../src/engine/types.js';
import { checkFlow } from '../../src/io/validate-flow.js';

/** Longest reason accepted: reasons go into Kafka headers and log lines. */
export const MAX_REASON_LENGTH = 400;

/** The reason classes, each a precise form. Anything else is a vague reason. */
const REASON_CLASSES: [string, RegExp][] = [
  ['empty', /^empty message$/],
  ['json-syntax', /^invalid JSON: \S.*$/],
  ['avro-truncated', /^truncated Avro record \(\d+ bytes?\)$/],
  ['avro-trailing', /^\d+ trailing bytes? after record$/],
  ['avro-structure', /^invalid Avro record: (field \S+ )?at byte \d+: \S.*$/],
  ['schema-id', /^(unknown schema id -?\d+|schema id -?\d+: \S.*)$/],
  ['missing-field', /^missing required field \w+$/],
  ['field-value', /^field \w+: \S.*$/],
  ['not-a-record', /^expected (a record \(JSON object\)|an alert \(JSON object\)), got \S.*$|^expected an alert \(JSON object\)$/],
];

/** The class of a rejection reason, or null when it is vague or too long. */
export function reasonClassOf(reason: unknown): string | null {
  if (typeof reason !== 'string' || reason.length === 0 || reason.length > MAX_REASON_LENGTH) return null;
  for (const [name, pattern] of REASON_CLASSES) if (pattern.test(reason)) return name;
  return null;
}

/** The first field a reason names (`field X`, `missing required field X`, `before start_ms`), or null. */
export function fieldNamed(reason: string): string | null {
  return /^(?:missing required field |field |invalid Avro record: field )(\w+)/.exec(reason)?.[1] ?? null;
}

/** Does `reason` name `field` (directly, or as the other side of end_ms < start_ms)? */
export function namesField(reason: string, field: string): boolean {
  const named = fieldNamed(reason);
  if (named === field) return true;
  return named === 'end_ms' && field === 'start_ms' && reason.includes(' is before start_ms ');
}

const FIELD_COUNT = 17;

/**
 * Why an accepted flow is not a valid, normalised record, or null when it is:
 * exactly the 17 contract fields, and validation returns it unchanged.
 */
export function acceptedFlowProblem(flow: FlowRecord): string | null {
  if (typeof flow !== 'object' || flow === null) return `accepted a non-object ${String(flow)}`;
  const keys = Object.keys(flow);
  if (keys.length !== FIELD_COUNT) return `accepted a record with ${keys.length} fields: ${keys.join(',')}`;
  const again = checkFlow({ ...flow });
  if (typeof again === 'string') return `accepted a record validation rejects: ${again}`;
  for (const k of keys) {
    const a = (flow as unknown as Record<string, unknown>)[k];
    const b = (again as unknown as Record<string, unknown>)[k];
    if (!Object.is(a, b)) return `accepted a record that validation changes: ${k} ${String(a)} -> ${String(b)}`;
  }
  return null;
}

export type DecodeOutcome = { ok: true; flow: FlowRecord } | { ok: false; reason: string };

/** 'accepted', or the reason class; throws an Error describing a bad outcome. */
export function judgeFlowOutcome(out: DecodeOutcome): string {
  if (out.ok) {
    const problem = acceptedFlowProblem(out.flow);
    if (problem !== null) throw new Error(problem);
    return 'accepted';
  }
  const cls = reasonClassOf(out.reason);
  if (cls === null) throw new Error(`vague or overlong reason (${String(out.reason).length} chars): ${String(out.reason).slice(0, 200)}`);
  return cls;
}

/**
 * Why a file reader's item is wrong, or null: an accepted flow must be valid; an error item
 * must say where (`label:line`, `label:header`, `label:block N (byte B)`, `label:block N
 * record R (#n)`) and why, in one printable line of bounded length.
 */
export function fileItemProblem(item: { ok: true; flow: FlowRecord; where: string } | { ok: false; where: string; reason: string }, label: string): string | null {
  if (item.ok) return acceptedFlowProblem(item.flow);
  if (!item.where.startsWith(`${label}:`)) return `where "${item.where}" does not name the file ${label}`;
  if (!/^(\d+|header|block \d+ \(byte \d+\)|block \d+ record \d+ \(#\d+\))$/.test(item.where.slice(label.length + 1))) {
    return `where "${item.where}" names no line, header, block or record`;
  }
  if (item.reason.length === 0 || item.reason.length > MAX_REASON_LENGTH) return `reason of ${item.reason.length} characters at ${item.where}`;
  if (/[\u0000-\u001f]/.test(item.reason)) return `control characters in the reason at ${item.where}: ${JSON.stringify(item.reason.slice(0, 100))}`;
  return null;
}

/** A short class of a file reader's reason, for the counts: the decoder classes, else its leading words. */
export function fileReasonClass(reason: string): string {
  return reasonClassOf(reason) ?? reason.replace(/\d+/g, 'N').split(/[:;(]/)[0].trim();
}

const ALERT_TEXT_OR_NULL = ['dst_country', 'data_class', 'principal', 'gateway_id'] as const;
const ALERT_NUMBERS = ['window_start_ms', 'window_end_ms', 'flow_count', 'bytes', 'observed', 'expected', 'score', 'threshold', 'detected_at_ms'] as const;

/**
 * Why an engine alert breaks the contract of DESIGN.md, or null: every field there with its
 * type, finite numbers, samples drawn from the input flows, the config version in force.
 */
export function alertContractProblem(a: Alert, flowIds: ReadonlySet<string>, configVersion: string): string | null {
  if (!/^[0-9a-f]{32}$/.test(a.alert_id)) return `alert_id ${a.alert_id}`;
  if (!(ALERT_TYPES as readonly string[]).includes(a.type)) return `type ${a.type}`;
  if (!(SEVERITIES as readonly string[]).includes(a.severity)) return `severity ${a.severity}`;
  if (typeof a.destination !== 'string' || a.destination.length === 0) return `destination ${a.destination}`;
  for (const k of ALERT_TEXT_OR_NULL) if (a[k] !== null && typeof a[k] !== 'string') return `${k} ${String(a[k])}`;
  for (const k of ALERT_NUMBERS) if (!Number.isFinite(a[k])) return `${k} ${a[k]}`;
  if (a.window_start_ms > a.window_end_ms) return `window ${a.window_start_ms} > ${a.window_end_ms}`;
  if (typeof a.reason !== 'string' || a.reason.length === 0) return 'empty reason';
  if (!Array.isArray(a.sample_flow_ids) || a.sample_flow_ids.length === 0) return 'no sample_flow_ids';
  for (const id of a.sample_flow_ids) if (!flowIds.has(id)) return `sample ${id} is no input flow`;
  if (a.config_version !== configVersion) return `config_version ${a.config_version}`;
  return null;
}
