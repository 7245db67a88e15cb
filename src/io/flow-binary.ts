// A decoder specialised for the Avro binary layout of schemas/flow-record.avsc.
//
// Measured on the 2-core dev machine (best of 15, decode + validate): avsc's
// generic decoder followed by checkFlow ~1.35M records/s, this decoder with
// checkFlowValues ~1.8M records/s. It writes straight into the plain record
// (no intermediate avsc Record, no copy), and the nullable string fields
// (gateway, host, country, data class, principal), which repeat a lot, reuse
// one string object per value instead of allocating a new one per record.
// It serves only data written with the local schema, and only while the .avsc
// still has the layout below: any other writer schema goes through avsc and
// its schema resolution instead.

import type { Type } from 'avsc';
import type { FlowRecord } from '../engine/types.js';
import { flowRecordType, schemaJson } from './schemas.js';

/** The field layout this decoder implements, in order. */
const LAYOUT: readonly [string, unknown][] = [
  ['flow_id', 'string'],
  ['gateway_id', ['null', 'string']],
  ['start_ms', { type: 'long', logicalType: 'timestamp-millis' }],
  ['end_ms', { type: 'long', logicalType: 'timestamp-millis' }],
  ['src_ip', 'string'],
  ['dst_ip', 'string'],
  ['src_port', 'int'],
  ['dst_port', 'int'],
  ['protocol', 'int'],
  ['dst_host', ['null', 'string']],
  ['dst_country', ['null', 'string']],
  ['bytes_out', 'long'],
  ['bytes_in', 'long'],
  ['packets_out', 'long'],
  ['packets_in', 'long'],
  ['data_class', ['null', 'string']],
  ['principal', ['null', 'string']],
];

let layoutMatches: boolean | undefined;

/** True when records written with `writer` can be read by decodeFlowBinary. */
export function canDecodeFast(writer: Type): boolean {
  if (layoutMatches === undefined) {
    const fields = (schemaJson('flow-record') as { fields: { name: string; type: unknown }[] }).fields;
    layoutMatches =
      fields.length === LAYOUT.length &&
      fields.every((f, i) => f.name === LAYOUT[i][0] && JSON.stringify(f.type) === JSON.stringify(LAYOUT[i][1]));
  }
  return layoutMatches && (writer === flowRecordType() || writer.equals(flowRecordType()));
}

/** Reading position, and why decoding stopped when it returns null. */
export interface Cursor {
  pos: number;
  /** Set when decodeFlowBinary returns null; `truncated` means the input ended inside the record. */
  error: string;
}

export const TRUNCATED = 'truncated';

export function newCursor(pos = 0): Cursor {
  return { pos, error: '' };
}

// Varint state kept in module variables: no allocation, no closures.
let at = 0;
let failure = '';
/** Where the current record starts: error messages give byte offsets from here. */
let recordStart = 0;

/**
 * Decodes one record starting at cursor.pos, reading no further than `end`.
 * Returns the record (fields typed, values not yet checked: see
 * checkFlowValues) and advances the cursor, or returns null with cursor.error.
 */
export function decodeFlowBinary(buf: Uint8Array, cursor: Cursor, end: number): FlowRecord | null {
  at = cursor.pos;
  failure = '';
  recordStart = at;
  const flowId = readString(buf, end, null, 'flow_id');
  const gatewayId = readNullableString(buf, end, 'gateway_id');
  const startMs = readLong(buf, end, 'start_ms');
  const endMs = readLong(buf, end, 'end_ms');
  const srcIp = readString(buf, end, sharedAddresses, 'src_ip');
  const dstIp = readString(buf, end, sharedAddresses, 'dst_ip');
  const srcPort = readLong(buf, end, 'src_port');
  const dstPort = readLong(buf, end, 'dst_port');
  const protocol = readLong(buf, end, 'protocol');
  const dstHost = readNullableString(buf, end, 'dst_host');
  const dstCountry = readNullableString(buf, end, 'dst_country');
  const bytesOut = readLong(buf, end, 'bytes_out');
  const bytesIn = readLong(buf, end, 'bytes_in');
  const packetsOut = readLong(buf, end, 'packets_out');
  const packetsIn = readLong(buf, end, 'packets_in');
  const dataClass = readNullableString(buf, end, 'data_class');
  const principal = readNullableString(buf, end, 'principal');
  // The readers return harmless placeholders after a failure, so one check
  // at the end is enough.
  if (failure !== '') {
    cursor.error = failure;
    return null;
  }
  cursor.pos = at;
  return {
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
}

/**
 * Decodes one Avro long (zig-zag varint) at cursor.pos, reading no further
 * than `end`; NaN with cursor.error when it cannot.
 */
export function decodeLong(buf: Uint8Array, cursor: Cursor, end: number): number {
  at = cursor.pos;
  failure = '';
  const value = readLong(buf, end, '');
  if (failure !== '') {
    cursor.error = failure;
    return Number.NaN;
  }
  cursor.pos = at;
  return value;
}

/** Zig-zag varint (Avro int and long) of `field` ('' outside a record). */
function readLong(buf: Uint8Array, end: number, field: string): number {
  if (failure !== '') return 0;
  const from = at;
  let pos = at;
  let n = 0;
  let shift = 0;
  let b: number;
  do {
    if (pos >= end) return fail(TRUNCATED, field, from);
    b = buf[pos++];
    n |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80 && shift < 28);
  if (b & 0x80) {
    // Beyond 28 bits: the rest as a float; the sign is the lowest bit of n.
    // Computing the magnitude (z >>> 1) from the parts keeps it exact up to
    // 2^53, where the zig-zag form z itself would already round.
    let high = 0;
    let scale = 1;
    do {
      if (pos >= end) return fail(TRUNCATED, field, from);
      if (scale > 2 ** 35) return fail('invalid varint (more than 10 bytes)', field, from);
      b = buf[pos++];
      high += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    const negative = n & 1;
    const magnitude = (n >>> 1) + high * 134217728; // 2^27
    if (magnitude > Number.MAX_SAFE_INTEGER - negative) return fail('long beyond 2^53 (potential precision loss)', field, from);
    at = pos;
    return negative ? -magnitude - 1 : magnitude;
  }
  at = pos;
  return (n >>> 1) ^ -(n & 1);
}

function readString(buf: Uint8Array, end: number, shared: SharedTable | null, field: string): string {
  const from = at;
  const len = readLong(buf, end, field);
  if (failure !== '') return '';
  if (len < 0) return failString(`negative string length ${len}`, field, from);
  const start = at;
  const stop = start + len;
  if (stop > end) return failString(TRUNCATED, field, from);
  at = stop;
  return shared !== null ? sharedString(shared, buf, start, stop) : utf8(buf, start, stop);
}

function readNullableString(buf: Uint8Array, end: number, field: string): string | null {
  const from = at;
  const branch = readLong(buf, end, field);
  if (failure !== '') return null;
  if (branch === 0) return null;
  if (branch !== 1) {
    fail(`invalid union index ${branch} (expected 0 for null or 1 for a string)`, field, from);
    return null;
  }
  return readString(buf, end, sharedValues, field);
}

/**
 * Records why decoding stopped. TRUNCATED stays bare (callers test for it);
 * any other reason names the field and its byte offset in the record.
 */
function fail(reason: string, field: string, from: number): number {
  failure = reason === TRUNCATED || field === '' ? reason : `field ${field} at byte ${from - recordStart}: ${reason}`;
  return 0;
}

function failString(reason: string, field: string, from: number): string {
  fail(reason, field, from);
  return '';
}

/** Buffer's undocumented but long-standing utf8Slice (avsc uses it too): toString without its argument checks. */
interface Utf8Slicer {
  utf8Slice(start: number, end: number): string;
}

function utf8(buf: Uint8Array, start: number, stop: number): string {
  return (buf as unknown as Utf8Slicer).utf8Slice(start, stop);
}

// Repeated short ASCII values share one string: a hash table of the last
// string seen per slot, checked byte for byte, so a collision costs only a
// comparison. Flow ids are unique and never shared: their misses would fill a
// table with strings that are never seen again. Addresses repeat (the same
// sources and destinations over and over), and a shared one also keeps its
// hash, which the engine's per-address lookups then need not compute again;
// they have a table of their own, so that many distinct addresses cannot push
// the few gateway, host, country, class and principal values out.
const SHARED_SLOTS = 1 << 14;
const SHARED_MAX_LENGTH = 48;
type SharedTable = (string | undefined)[];
const sharedValues: SharedTable = new Array<string | undefined>(SHARED_SLOTS).fill(undefined);
const sharedAddresses: SharedTable = new Array<string | undefined>(SHARED_SLOTS).fill(undefined);

function sharedString(sharedStrings: SharedTable, buf: Uint8Array, start: number, stop: number): string {
  const len = stop - start;
  if (len > SHARED_MAX_LENGTH) return utf8(buf, start, stop);
  let hash = 0x811c9dc5; // FNV-1a
  let high = 0;
  for (let i = start; i < stop; i++) {
    const b = buf[i];
    high |= b;
    hash = Math.imul(hash ^ b, 0x01000193);
  }
  if (high & 0x80) return utf8(buf, start, stop); // not ASCII: no sharing
  const slot = (hash ^ (hash >>> 15)) & (SHARED_SLOTS - 1);
  const known = sharedStrings[slot];
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return known;
  }
  const text = utf8(buf, start, stop);
  sharedStrings[slot] = text;
  return text;
}
