// Kafka message values: flow records in (JSON, raw Avro or the Confluent wire
// format), alerts out (JSON or Avro). Decoders never throw: every problem is
// a result with a reason, ready for the dead-letter topic.
//
// Confluent wire format: byte 0x00, a 4-byte big-endian schema id, then the
// Avro binary of the record. Raw Avro: the Avro binary alone. In `auto` mode
// '{' (after white space) means JSON: Avro cannot start with '{', it would be
// a negative string length. White space can start Avro though (0x0A, 0x20:
// string lengths 5 and 16), so JSON that fails to parse after leading white
// space is tried as Avro before its reason stands. Both Avro forms are told
// apart by trying Confluent first when the first byte is 0x00 (see
// decodeMessage); a raw FlowRecord starting with 0x00 has an empty flow_id
// and is invalid anyway.

import avro from 'avsc';
import type { Type } from 'avsc';
import { ALERT_TYPES, SEVERITIES } from '../engine/types.js';
import type { Alert, FlowRecord } from '../engine/types.js';
import { canDecodeFast, decodeFlowBinary, newCursor, TRUNCATED } from './flow-binary.js';
import { scanAvro } from './avro-scan.js';
import { alertType, flowRecordType } from './schemas.js';
import { alertDocument, readAlertDocument, type AlertFormat } from './siem/index.js';
import { checkFlow, checkFlowValues, errorText, invalidJsonReason, reasonQuote } from './validate-flow.js';

export type WireFormat = 'avro' | 'json' | 'auto';

/** `schemaId` is set when the message was in the Confluent wire format. */
export type DecodeResult =
  | { ok: true; flow: FlowRecord; schemaId?: number }
  | { ok: false; reason: string; schemaId?: number };

export type AlertDecodeResult =
  | { ok: true; alert: Alert; schemaId?: number }
  | { ok: false; reason: string; schemaId?: number };

export interface WireOptions {
  /** Writer schemas by Confluent schema id (e.g. fetched from a schema registry). */
  schemas?: ReadonlyMap<number, Type>;
  /**
   * Decode a Confluent message whose schema id is not in `schemas` with the
   * local schema. Default: true when no `schemas` are given, else false (the
   * message then fails with `unknown schema id N`).
   */
  localFallback?: boolean;
}

const CONFLUENT_MAGIC = 0;
const CONFLUENT_HEADER = 5;

type Checked<T> = T | string;
type Outcome<T> = { ok: true; value: T; schemaId?: number } | { ok: false; reason: string; schemaId?: number };
/**
 * One way of reading a message; `decoded`: the bytes had the right shape and only the check
 * failed; `schema`: the writer schema id is unknown or its schema cannot be read as ours.
 */
type Attempt<T> = { ok: true; value: T } | { ok: false; reason: string; decoded: boolean; schema?: true };

/** What decodeMessage needs to know of one record type. */
interface Codec<T> {
  local: Type;
  /** Validates a parsed or avsc-decoded value. */
  check(value: unknown): Checked<T>;
  /** Decodes and validates Avro written with the local schema from `start` to the end of `buf`, if faster than avsc. */
  decodeLocal?(buf: Buffer, start: number): Attempt<T>;
}

let flowCodec: Codec<FlowRecord> | undefined;
let alertCodec: Codec<Alert> | undefined;

function flows(): Codec<FlowRecord> {
  flowCodec ??= {
    local: flowRecordType(),
    check: checkFlow,
    decodeLocal: canDecodeFast(flowRecordType()) ? decodeFlowFast : undefined,
  };
  return flowCodec;
}

function alerts(): Codec<Alert> {
  // A JSON alert may also be an OCSF finding or ECS document egress-watch wrote (alerts.format).
  alertCodec ??= { local: alertType(), check: (v) => (isPlainObject(v) ? readAlertDocument(v, checkAlert) : checkAlert(v)) };
  return alertCodec;
}

const cursor = newCursor();

function decodeFlowFast(buf: Buffer, start: number): Attempt<FlowRecord> {
  cursor.pos = start;
  const flow = decodeFlowBinary(buf, cursor, buf.length);
  if (flow === null) {
    return cursor.error === TRUNCATED ? truncated(buf, start) : undecodable(`invalid Avro record: ${cursor.error}`);
  }
  if (cursor.pos < buf.length) return trailing(buf, cursor.pos);
  const problem = checkFlowValues(flow);
  return problem === null ? { ok: true, value: flow } : { ok: false, reason: problem, decoded: true };
}

function undecodable(reason: string): { ok: false; reason: string; decoded: false } {
  return { ok: false, reason, decoded: false };
}

function truncated(buf: Buffer, start: number): { ok: false; reason: string; decoded: false } {
  return undecodable(`truncated Avro record (${plural(buf.length - start, 'byte')})`);
}

function trailing(buf: Buffer, end: number): { ok: false; reason: string; decoded: false } {
  return undecodable(`${plural(buf.length - end, 'trailing byte')} after record`);
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Decodes one flow message value; never throws. */
export function decodeFlowMessage(buf: Buffer, format: WireFormat = 'auto', options: WireOptions = {}): DecodeResult {
  const out = decodeMessage(buf, format, options, flows());
  if (!out.ok) return out;
  return out.schemaId === undefined ? { ok: true, flow: out.value } : { ok: true, flow: out.value, schemaId: out.schemaId };
}

/** Decodes one alert message value (JSON, raw Avro or Confluent); never throws. */
export function decodeAlert(buf: Buffer, format: WireFormat = 'auto', options: WireOptions = {}): AlertDecodeResult {
  const out = decodeMessage(buf, format, options, alerts());
  if (!out.ok) return out;
  dropAbsentChainLink(out.value);
  return out.schemaId === undefined ? { ok: true, alert: out.value } : { ok: true, alert: out.value, schemaId: out.schemaId };
}

/** An unchained (or unsuppressed, or incident-less) alert reads back as it was written: without those fields, not with nulls. */
function dropAbsentChainLink(alert: Alert): void {
  for (const k of ['chain_id', 'chain_seq', 'chain_prev', 'chain_hash', 'suppressed_by', 'incident_id', 'incident_state'] as const) if (alert[k] === null) delete alert[k];
}

/** Raw Avro binary of a flow (schemas/flow-record.avsc). Throws when the flow does not fit the schema. */
export function encodeFlowAvro(flow: FlowRecord): Buffer {
  return flowRecordType().toBuffer(flow);
}

/** Confluent wire format: 0x00, schema id (4 bytes, big-endian), Avro binary. */
export function encodeFlowConfluent(flow: FlowRecord, schemaId: number): Buffer {
  return confluentFrame(schemaId, encodeFlowAvro(flow));
}

/** UTF-8 JSON of a flow. */
export function encodeFlowJson(flow: FlowRecord): Buffer {
  return Buffer.from(JSON.stringify(flow), 'utf8');
}

/**
 * An alert as JSON, an OCSF Detection Finding or ECS document (JSON, see src/io/siem/),
 * or as Avro (schemas/alert.avsc; in the Confluent wire format when a schema id is
 * given). Throws when the alert does not fit the schema: that is a bug of the producer,
 * not bad input.
 */
export function encodeAlert(alert: Alert, format: AlertFormat, schemaId?: number): Buffer {
  const problem = alertProblem(alert);
  if (problem !== null) throw new Error(`alert ${String(alert.alert_id)} does not fit the alert schema: ${problem}`);
  if (format !== 'avro') {
    // JSON would turn NaN or Infinity into null, which no reader could decode.
    for (const field of ['observed', 'expected', 'score', 'threshold'] as const) {
      if (!Number.isFinite(alert[field])) {
        throw new Error(`alert ${alert.alert_id}: field ${field} is ${alert[field]}, which JSON cannot carry`);
      }
    }
    return Buffer.from(JSON.stringify(alertDocument(alert, format)), 'utf8');
  }
  const body = alertType().toBuffer(alert);
  return schemaId === undefined ? body : confluentFrame(schemaId, body);
}

function confluentFrame(schemaId: number, body: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new Error(`schema id ${schemaId} is not a 31-bit non-negative integer`);
  }
  const out = Buffer.allocUnsafe(CONFLUENT_HEADER + body.length);
  out[0] = CONFLUENT_MAGIC;
  out.writeInt32BE(schemaId, 1);
  body.copy(out, CONFLUENT_HEADER);
  return out;
}

function decodeMessage<T>(buf: Buffer, format: WireFormat, options: WireOptions, codec: Codec<T>): Outcome<T> {
  if (buf.length === 0) return { ok: false, reason: 'empty message' };
  if (format === 'json') return finish(decodeJson(buf, codec));
  if (format === 'auto' && startsLikeJson(buf)) {
    const json = decodeJson(buf, codec);
    if (json.ok || json.decoded || buf[0] === 0x7b) return finish(json);
    // Leading white space, then no JSON: maybe Avro whose first string length is 5 or 16.
    const avro = decodeAvroMessage(buf, options, codec);
    return avro.attempt.ok || avro.attempt.decoded ? finish(avro.attempt, avro.schemaId) : finish(json);
  }
  const avro = decodeAvroMessage(buf, options, codec);
  return finish(avro.attempt, avro.schemaId);
}

/** Raw Avro or the Confluent wire format; `schemaId` when read as Confluent. */
function decodeAvroMessage<T>(buf: Buffer, options: WireOptions, codec: Codec<T>): { attempt: Attempt<T>; schemaId?: number } {
  if (buf[0] === CONFLUENT_MAGIC && buf.length >= CONFLUENT_HEADER) {
    // Confluent when the rest decodes fully; else raw Avro when that decodes
    // fully; else the Confluent reading's reason (e.g. an unknown schema id),
    // the likely intent of a message starting with the magic byte.
    const schemaId = buf.readInt32BE(1);
    const confluent = decodeConfluent(buf, schemaId, options, codec);
    // An unknown or unreadable writer schema settles it too: told to expect ids, the
    // reader should say which id failed, not how the bytes misread as raw Avro.
    if (confluent.ok || confluent.decoded || confluent.schema) return { attempt: confluent, schemaId };
    const raw = decodeAvro(buf, 0, codec, codec.local, null);
    return raw.ok || raw.decoded ? { attempt: raw } : { attempt: confluent, schemaId };
  }
  return { attempt: decodeAvro(buf, 0, codec, codec.local, null) };
}

function finish<T>(attempt: Attempt<T>, schemaId?: number): Outcome<T> {
  if (attempt.ok) return schemaId === undefined ? { ok: true, value: attempt.value } : { ok: true, value: attempt.value, schemaId };
  return schemaId === undefined ? { ok: false, reason: attempt.reason } : { ok: false, reason: attempt.reason, schemaId };
}

/** '{' as the first byte, after ASCII white space: what `auto` reads as JSON first. */
export function startsLikeJson(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x7b) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}

function decodeJson<T>(buf: Buffer, codec: Codec<T>): Attempt<T> {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    return undecodable(invalidJsonReason(err));
  }
  return checked(codec.check(value));
}

function checked<T>(result: Checked<T>): Attempt<T> {
  return typeof result === 'string' ? { ok: false, reason: result, decoded: true } : { ok: true, value: result };
}

function decodeConfluent<T>(buf: Buffer, schemaId: number, options: WireOptions, codec: Codec<T>): Attempt<T> {
  let writer = options.schemas?.get(schemaId);
  if (writer === undefined && (options.localFallback ?? options.schemas === undefined)) writer = codec.local;
  if (writer === undefined) return schemaProblem(`unknown schema id ${schemaId}`);
  const resolver = resolverFor(codec.local, writer);
  if (typeof resolver === 'string') return schemaProblem(`schema id ${schemaId}: ${resolver}`);
  return decodeAvro(buf, CONFLUENT_HEADER, codec, writer, resolver);
}

function schemaProblem(reason: string): { ok: false; reason: string; decoded: false; schema: true } {
  return { ok: false, reason, decoded: false, schema: true };
}

type Resolver = ReturnType<Type['createResolver']>;
const resolvers = new WeakMap<Type, WeakMap<Type, Resolver | string | null>>();

/**
 * The resolver from a writer schema to the local one (cached): null when the
 * writer schema is the local one, a string when it cannot be read as it.
 */
function resolverFor(local: Type, writer: Type): Resolver | null | string {
  if (writer === local) return null;
  let byWriter = resolvers.get(local);
  if (byWriter === undefined) resolvers.set(local, (byWriter = new WeakMap()));
  let resolver = byWriter.get(writer);
  if (resolver === undefined) {
    try {
      // avsc fails with a bare TypeError resolving a non-record into a record: said plainly.
      if (writer.typeName !== local.typeName) resolver = `cannot be read as ${local.name}: the writer schema is a ${writer.typeName}, not a ${local.typeName}`;
      else resolver = writer.equals(local) ? null : local.createResolver(writer);
    } catch (err) {
      resolver = `cannot be read as ${local.name}: ${errorText(err)}`;
    }
    byWriter.set(writer, resolver);
  }
  return resolver;
}

/** Avro binary from `start` to the end of `buf`; `resolver` null: written with the local schema. */
function decodeAvro<T>(buf: Buffer, start: number, codec: Codec<T>, writer: Type, resolver: Resolver | null): Attempt<T> {
  if (resolver === null && codec.decodeLocal) return codec.decodeLocal(buf, start);
  // avsc trusts array and map counts (a corrupt one hangs it): checked first.
  const scan = scanAvro(writer, buf, start);
  if (!scan.ok) return scan.truncated ? truncated(buf, start) : undecodable(`invalid Avro record: ${scan.reason}`);
  if (scan.end < buf.length) return trailing(buf, scan.end);
  let decoded: { value: unknown; offset: number };
  try {
    decoded = codec.local.decode(buf, start, resolver ?? undefined);
  } catch (err) {
    return undecodable(`invalid Avro record: ${errorText(err)}`);
  }
  if (decoded.offset < 0) return truncated(buf, start);
  if (decoded.offset < buf.length) return trailing(buf, decoded.offset);
  return checked(codec.check(decoded.value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a decoded or parsed alert; returns a plain Alert (absent nullable fields null) or the reason. */
function checkAlert(value: unknown): Checked<Alert> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected an alert (JSON object)';
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of (alertType() as avro.types.RecordType).fields) {
    let v = source[field.name];
    if (v === undefined) {
      const fallback: unknown = field.defaultValue();
      if (fallback === undefined) return `missing required field ${field.name}`;
      v = fallback;
    }
    out[field.name] = v;
  }
  const problem = alertProblem(out);
  return problem ?? (out as unknown as Alert);
}

/** The first field of an alert that does not fit the schema, or null. */
function alertProblem(alert: unknown): string | null {
  let problem: string | null = null;
  alertType().isValid(alert, {
    errorHook: (path: string[], v: unknown) => {
      problem ??= `field ${path.join('.')}: invalid value ${shortJson(v)}${hint(path[0])}`;
    },
  });
  return problem;
}

/** A bad value for a message, cut at 60 characters: the reason goes into a dead-letter header. */
function shortJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v); // JSON would turn NaN into null
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v); // a BigInt, or a cyclic object
  }
  return reasonQuote(text);
}

function hint(field: string | undefined): string {
  if (field === 'type') return ` (expected one of ${ALERT_TYPES.join(', ')})`;
  if (field === 'severity') return ` (expected one of ${SEVERITIES.join(', ')})`;
  return '';
}
