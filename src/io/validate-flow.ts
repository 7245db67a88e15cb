// Validation of one flow record (parsed JSON or decoded Avro) against the
// contract of DESIGN.md. This runs for every record on the hot path, so it is
// written as straight-line checks: no closures, no per-field helper objects,
// no exceptions unless the record is bad.
//
// Unknown extra fields are ignored (not copied): DESIGN.md lets the schema grow
// with new defaulted fields, so a producer newer than this reader may send
// fields we do not know yet.

import type { FlowRecord } from '../engine/types.js';
import { isIp } from '../values/ip.js';
import { ipv6Text } from '../values/ipv6-text.js';

export class FlowValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowValidationError';
  }
}

/**
 * The reason for text JSON.parse refused: V8's message (the position, or the
 * offending token with some context), made printable (see errorText).
 */
export function invalidJsonReason(err: unknown): string {
  return `invalid JSON: ${errorText(err)}`;
}

const MAX_ERROR_TEXT = 200;

/**
 * An error's message for a reason built from it. Library messages may quote
 * the input (V8's JSON.parse, avsc's schema errors): control characters are
 * escaped and the text is cut at 200 characters, since reasons go into
 * dead-letter headers and log lines.
 */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cut = message.length > MAX_ERROR_TEXT ? `${message.slice(0, MAX_ERROR_TEXT - 3)}...` : message;
  // One line whatever the input quoted: C0 and C1 controls and the Unicode line and paragraph
  // separators (U+2028, U+2029: line breaks to JavaScript and many log viewers) are escaped.
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Validates and normalises a record; throws FlowValidationError naming the field. */
export function validateFlow(obj: unknown): FlowRecord {
  const result = checkFlow(obj);
  if (typeof result === 'string') throw new FlowValidationError(result);
  return result;
}

const COUNTRY = /^[A-Za-z]{2}$/;

/**
 * Longest text accepted in flow_id, gateway_id, dst_host, data_class and
 * principal. Real values are far shorter (a DNS name is at most 253); a
 * megabyte id would otherwise be kept in the engine's state and copied into
 * alerts, which then exceed Kafka's message size and cannot be published.
 */
export const MAX_TEXT_LENGTH = 1024;
/**
 * Largest count (bytes, packets) accepted: 2^53 - 2, the largest long avsc
 * writes. A record read from JSON must fit the Avro schema too, or the
 * service could not forward it on its internal topic.
 */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER - 1;
/**
 * Latest start_ms / end_ms accepted: 9999-12-31T23:59:59.999Z. Well inside
 * the range of a JS Date (8.64e15 ms), which the engine's calendar and alert
 * texts rely on, with room for window and suppression arithmetic after it.
 */
export const MAX_TIME_MS = 253_402_300_799_999;

/**
 * Validates and normalises a record without throwing: returns a fresh record
 * holding exactly the contract fields (absent nullable fields become null,
 * dst_country upper-cased), or the reason the record is bad. Readers use this
 * form so that a file full of bad records does not pay for exceptions.
 */
export function checkFlow(obj: unknown): FlowRecord | string {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return `expected a record (JSON object), got ${describe(obj)}`;
  }
  // First the JSON types, building the record; then checkFlowValues.
  const r = obj as Record<string, unknown>;
  const flowId = r.flow_id;
  const gatewayId = r.gateway_id ?? null;
  const startMs = r.start_ms;
  const endMs = r.end_ms;
  const srcIp = r.src_ip;
  const dstIp = r.dst_ip;
  const srcPort = r.src_port;
  const dstPort = r.dst_port;
  const protocol = r.protocol;
  const dstHost = r.dst_host ?? null;
  const dstCountry = r.dst_country ?? null;
  const bytesOut = r.bytes_out;
  const bytesIn = r.bytes_in;
  const packetsOut = r.packets_out;
  const packetsIn = r.packets_in;
  const dataClass = r.data_class ?? null;
  const principal = r.principal ?? null;

  if (typeof flowId !== 'string') return badString('flow_id', flowId);
  if (gatewayId !== null && typeof gatewayId !== 'string') return badNullableString('gateway_id', gatewayId);
  if (!isSafeInt(startMs)) return badCount('start_ms', startMs);
  if (!isSafeInt(endMs)) return badCount('end_ms', endMs);
  if (typeof srcIp !== 'string') return badString('src_ip', srcIp);
  if (typeof dstIp !== 'string') return badString('dst_ip', dstIp);
  if (!isSafeInt(srcPort)) return badRange('src_port', srcPort, 65535);
  if (!isSafeInt(dstPort)) return badRange('dst_port', dstPort, 65535);
  if (!isSafeInt(protocol)) return badRange('protocol', protocol, 255);
  if (dstHost !== null && typeof dstHost !== 'string') return badNullableString('dst_host', dstHost);
  if (dstCountry !== null && typeof dstCountry !== 'string') return badNullableString('dst_country', dstCountry);
  if (!isSafeInt(bytesOut)) return badCount('bytes_out', bytesOut);
  if (!isSafeInt(bytesIn)) return badCount('bytes_in', bytesIn);
  if (!isSafeInt(packetsOut)) return badCount('packets_out', packetsOut);
  if (!isSafeInt(packetsIn)) return badCount('packets_in', packetsIn);
  if (dataClass !== null && typeof dataClass !== 'string') return badNullableString('data_class', dataClass);
  if (principal !== null && typeof principal !== 'string') return badNullableString('principal', principal);

  // One object literal with a fixed field order: every record shares one
  // hidden class, which keeps the engine's property accesses monomorphic.
  const flow: FlowRecord = {
    flow_id: flowId,
    gateway_id: gatewayId,
    start_ms: startMs,
    end_ms: endMs,
    src_ip: srcIp,
    dst_ip: dstIp,
    src_port: srcPort,
    dst_port: dstPort,
    protocol: protocol,
    dst_host: dstHost,
    dst_country: dstCountry,
    bytes_out: bytesOut,
    bytes_in: bytesIn,
    packets_out: packetsOut,
    packets_in: packetsIn,
    data_class: dataClass,
    principal: principal,
  };
  const problem = checkTextFlowValues(flow);
  return problem === null ? flow : problem;
}

/**
 * checkFlowValues, and the rule for records read from text (JSON flow records, and every input
 * dialect, whose strings come out of JSON.parse or text): no lone UTF-16 surrogate. JSON can
 * carry one (`"\ud800"`), which no UTF-8 encoding can: Avro would write it as U+FFFD and the
 * alert it lands in would no longer match its hash-chain link. Binary decoders never produce
 * one, so only the text paths check. `addressesChecked`: the caller has already checked
 * src_ip and dst_ip as IP text (the input dialects do, before orienting), so they are not
 * checked twice.
 */
export function checkTextFlowValues(flow: FlowRecord, addressesChecked = false): string | null {
  return checkFlowValues(flow, addressesChecked) ?? loneSurrogate(flow);
}

/** String.prototype.isWellFormed (ES2024, in every Node this runs on; not yet in the TypeScript lib we target). */
type MaybeWellFormed = string & { isWellFormed(): boolean };

function loneSurrogate(flow: FlowRecord): string | null {
  for (const field of TEXT_FIELDS) {
    const v = flow[field];
    if (v !== null && !(v as MaybeWellFormed).isWellFormed()) return `field ${field}: ${describe(v)} is not well-formed Unicode (a lone surrogate)`;
  }
  return null;
}

/**
 * The value rules of a record whose fields already have the right types (as
 * an Avro decoder guarantees): non-empty strings, non-negative counts, port
 * and protocol ranges, end_ms >= start_ms, IP text, country code. Upper-cases
 * dst_country and writes IPv6 addresses in RFC 5952 form in place. Returns the first problem, or null.
 */
export function checkFlowValues(flow: FlowRecord, addressesChecked = false): string | null {
  if (flow.flow_id.length === 0) return badString('flow_id', '');
  if (flow.flow_id.length > MAX_TEXT_LENGTH) return tooLong('flow_id', flow.flow_id);
  if (flow.gateway_id !== null && flow.gateway_id.length === 0) return badNullableString('gateway_id', '');
  if (flow.gateway_id !== null && flow.gateway_id.length > MAX_TEXT_LENGTH) return tooLong('gateway_id', flow.gateway_id);
  if (flow.start_ms < 0) return badCount('start_ms', flow.start_ms);
  if (flow.end_ms < 0) return badCount('end_ms', flow.end_ms);
  if (flow.start_ms > MAX_TIME_MS) return tooLate('start_ms', flow.start_ms);
  if (flow.end_ms > MAX_TIME_MS) return tooLate('end_ms', flow.end_ms);
  if (flow.end_ms < flow.start_ms) return `field end_ms: ${flow.end_ms} is before start_ms ${flow.start_ms}`;
  if (!addressesChecked) {
    if (!isIp(flow.src_ip)) return badIp('src_ip', flow.src_ip);
    if (!isIp(flow.dst_ip)) return badIp('dst_ip', flow.dst_ip);
    // One spelling per IPv6 address, as the input dialects write it (values/ipv6-text.ts): an
    // address is a key (baselines, overrides, suppressions), and 2001:DB8::1 would be another.
    flow.src_ip = ipv6Text(flow.src_ip);
    flow.dst_ip = ipv6Text(flow.dst_ip);
  }
  if (flow.src_port < 0 || flow.src_port > 65535) return badRange('src_port', flow.src_port, 65535);
  if (flow.dst_port < 0 || flow.dst_port > 65535) return badRange('dst_port', flow.dst_port, 65535);
  if (flow.protocol < 0 || flow.protocol > 255) return badRange('protocol', flow.protocol, 255);
  if (flow.dst_host !== null && flow.dst_host.length === 0) return badNullableString('dst_host', '');
  if (flow.dst_host !== null && flow.dst_host.length > MAX_TEXT_LENGTH) return tooLong('dst_host', flow.dst_host);
  const country = flow.dst_country;
  if (country !== null) {
    const a = country.charCodeAt(0);
    const b = country.charCodeAt(1);
    // Already upper case: the common case, no regex and no new string.
    if (!(country.length === 2 && a >= 65 && a <= 90 && b >= 65 && b <= 90)) {
      if (!COUNTRY.test(country)) return `field dst_country: ${describe(country)} is not an ISO 3166-1 alpha-2 code`;
      flow.dst_country = country.toUpperCase();
    }
  }
  if (flow.bytes_out < 0 || flow.bytes_out > MAX_COUNT) return badCount('bytes_out', flow.bytes_out);
  if (flow.bytes_in < 0 || flow.bytes_in > MAX_COUNT) return badCount('bytes_in', flow.bytes_in);
  if (flow.packets_out < 0 || flow.packets_out > MAX_COUNT) return badCount('packets_out', flow.packets_out);
  if (flow.packets_in < 0 || flow.packets_in > MAX_COUNT) return badCount('packets_in', flow.packets_in);
  if (flow.data_class !== null && flow.data_class.length === 0) return badNullableString('data_class', '');
  if (flow.data_class !== null && flow.data_class.length > MAX_TEXT_LENGTH) return tooLong('data_class', flow.data_class);
  if (flow.principal !== null && flow.principal.length === 0) return badNullableString('principal', '');
  if (flow.principal !== null && flow.principal.length > MAX_TEXT_LENGTH) return tooLong('principal', flow.principal);
  return replacementCharacter(flow);
}

/**
 * A text field holding U+FFFD, the replacement character: every reader of bytes (JSON Lines,
 * the dialects' text, Avro's strings, Kafka messages) turns bytes that are not UTF-8 into it, so
 * a principal `svc-eu-\xc3` would read as `svc-eu-\ufffd` and match the glob `svc-eu-*`. No host
 * name, identity or label holds it legitimately: the record is refused, with the field named.
 */
function replacementCharacter(flow: FlowRecord): string | null {
  for (const field of TEXT_FIELDS) {
    const v = flow[field];
    if (v !== null && v.indexOf('\ufffd') !== -1) {
      return `field ${field}: ${describe(v)} holds U+FFFD, the replacement character: the input's bytes there were not UTF-8`;
    }
  }
  return null;
}

const TEXT_FIELDS = ['flow_id', 'gateway_id', 'dst_host', 'data_class', 'principal'] as const;

function isSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function badIp(field: string, v: string): string {
  return v.length === 0
    ? `field ${field}: expected a non-empty string, got ""`
    : `field ${field}: ${describe(v)} is not an IPv4 or IPv6 address`;
}

function tooLong(field: string, v: string): string {
  return `field ${field}: ${v.length} characters, more than the ${MAX_TEXT_LENGTH} allowed (starts ${describe(v)})`;
}

function tooLate(field: string, v: number): string {
  return `field ${field}: ${v} is after ${new Date(MAX_TIME_MS).toISOString()}, the latest time accepted`;
}

function badString(field: string, v: unknown): string {
  return v === undefined ? `missing required field ${field}` : `field ${field}: expected a non-empty string, got ${describe(v)}`;
}

function badNullableString(field: string, v: unknown): string {
  return `field ${field}: expected a non-empty string or null, got ${describe(v)}`;
}

function badCount(field: string, v: unknown): string {
  if (v === undefined) return `missing required field ${field}`;
  if (typeof v === 'number' && Number.isInteger(v) && v > MAX_COUNT) {
    return field === 'start_ms' || field === 'end_ms' ? tooLate(field, v) : `field ${field}: ${v} is beyond the largest count accepted, ${MAX_COUNT}`;
  }
  return `field ${field}: expected a non-negative integer, got ${describe(v)}`;
}

function badRange(field: string, v: unknown, max: number): string {
  return v === undefined ? `missing required field ${field}` : `field ${field}: expected an integer 0..${max}, got ${describe(v)}`;
}

/** A short rendering of a bad value for a message: JSON, cut at 60 characters. */
function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v); // JSON.stringify would turn NaN into null
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  // Only the start of a long string is shown: no need to escape a megabyte of it first.
  const text = typeof v === 'bigint' ? `${v}n` : JSON.stringify(typeof v === 'string' && v.length > 100 ? v.slice(0, 100) : v);
  return reasonQuote(text);
}

/**
 * A value's text as a reason quotes it: cut at 60 characters (reasons go into dead-letter
 * headers) and on one line (JSON leaves U+2028 and U+2029 as they are: errorText escapes them).
 */
export function reasonQuote(text: string): string {
  return errorText(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
