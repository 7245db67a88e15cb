// fast-check arbitraries of good and bad input for the decoders and the engine,
// shared by the property tests (test/io/fuzz-*.test.ts, test/engine/fuzz-*.test.ts)
// and the bounded fuzz run (bench/fuzz.ts).
import avro from 'avsc';
import fc from 'fast-check';
import type { Alert, FlowRecord } from '../../src/engine/types.js';
import { alertType, flowRecordType, schemaJson } from '../../src/io/schemas.js';
import { MAX_COUNT, MAX_TEXT_LENGTH, MAX_TIME_MS } from '../../src/io/validate-flow.js';

export const FLOW_FIELDS = [
  'flow_id', 'gateway_id', 'start_ms', 'end_ms', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol',
  'dst_host', 'dst_country', 'bytes_out', 'bytes_in', 'packets_out', 'packets_in', 'data_class', 'principal',
] as const;
export type FlowField = (typeof FLOW_FIELDS)[number];

const REQUIRED_STRINGS = ['flow_id', 'src_ip', 'dst_ip'] as const;
const NULLABLE_STRINGS = ['gateway_id', 'dst_host', 'dst_country', 'data_class', 'principal'] as const;
const COUNTS = ['start_ms', 'end_ms', 'bytes_out', 'bytes_in', 'packets_out', 'packets_in'] as const;
const RANGED = ['src_port', 'dst_port', 'protocol'] as const;
/** Every string field of a flow. */
export const TEXT_FIELDS = [...REQUIRED_STRINGS, ...NULLABLE_STRINGS] as const;

export const T_2026 = Date.UTC(2026, 0, 5, 9, 0, 0);
const DAY = 86_400_000;

/** A 1 MiB string (built once: fast-check would take long to shrink or build such values). */
export const ONE_MIB = 'x'.repeat(1 << 20);

const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
/** ISO 3166-1 alpha-2 shape, either case (validation upper-cases it). */
const countryArb = fc.tuple(fc.oneof(upper, lower), fc.oneof(upper, lower)).map(([a, b]) => a + b);
/**
 * A valid text field: never U+FFFD, which every reader refuses in a text field (bytes that were
 * not UTF-8 read as it: validate-flow.ts), so a record meant to carry one bad field carries no
 * second one (grapheme strings hold it now and then: seed 12 of a 90 s run met it 4 times).
 */
const textArb = fc
  .oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }))
  .filter((s) => !s.includes('\uFFFD'));
const countArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 2 ** 31, 2 ** 32, MAX_COUNT) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_COUNT }) },
);

export interface FlowArbOptions {
  /** Event times within this many ms after T_2026 (default: anywhere from 0 to the latest accepted time). */
  spanMs?: number;
  /** Draw destinations, principals, classes from small pools, so that windows fill and detectors fire. */
  pooled?: boolean;
}

/** Flows that satisfy the contract (every one must be accepted by every decoder). */
export function validFlowArb(options: FlowArbOptions = {}): fc.Arbitrary<FlowRecord> {
  const times = options.spanMs === undefined
    ? fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: MAX_TIME_MS }), fc.integer({ min: 0, max: MAX_TIME_MS })),
      fc.constantFrom<[number, number]>([0, 0], [MAX_TIME_MS, MAX_TIME_MS], [0, MAX_TIME_MS]),
    ).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number])
    : fc.tuple(fc.integer({ min: 0, max: options.spanMs }), fc.integer({ min: 0, max: 600_000 }))
      .map(([end, dur]) => [T_2026 + end - Math.min(dur, T_2026 + end), T_2026 + end] as [number, number]);
  const pooled = options.pooled === true;
  const dstIp = pooled
    ? fc.constantFrom('198.51.100.7', '203.0.113.9', '2001:db8::5', '10.2.3.4', '::ffff:10.9.9.9', '52.1.2.3')
    : fc.oneof(fc.ipV4(), fc.ipV6());
  const host = pooled ? fc.constantFrom('api.example.eu', 'cdn.example.com', 'x.example.cn') : fc.domain();
  const dataClass = pooled ? fc.constantFrom('eu_user_data', 'public') : textArb;
  const principal = pooled ? fc.constantFrom('svc-eu-export', 'alice', 'mallory') : textArb;
  const country = pooled ? fc.constantFrom('DE', 'US', 'CN', 'GB', 'de') : countryArb;
  const gateway = pooled ? fc.constantFrom('gw-1', 'gw-2') : textArb;
  return fc
    .record({
      flow_id: pooled ? fc.integer({ min: 1, max: 1e9 }).map((n) => `f${n}`) : textArb,
      gateway_id: fc.option(gateway),
      times,
      src_ip: fc.oneof(fc.ipV4(), fc.ipV6()),
      dst_ip: dstIp,
      src_port: fc.integer({ min: 0, max: 65535 }),
      dst_port: fc.integer({ min: 0, max: 65535 }),
      protocol: fc.integer({ min: 0, max: 255 }),
      dst_host: fc.option(host),
      dst_country: fc.option(country),
      bytes_out: pooled ? fc.integer({ min: 0, max: 50_000_000 }) : countArb,
      bytes_in: countArb,
      packets_out: countArb,
      packets_in: countArb,
      data_class: fc.option(dataClass),
      principal: fc.option(principal),
    })
    .map(({ times: [start, end], ...r }) => ({
      flow_id: r.flow_id,
      gateway_id: r.gateway_id,
      start_ms: start,
      end_ms: end,
      src_ip: r.src_ip,
      dst_ip: r.dst_ip,
      src_port: r.src_port,
      dst_port: r.dst_port,
      protocol: r.protocol,
      dst_host: r.dst_host,
      dst_country: r.dst_country,
      bytes_out: r.bytes_out,
      bytes_in: r.bytes_in,
      packets_out: r.packets_out,
      packets_in: r.packets_in,
      data_class: r.data_class,
      principal: r.principal,
    }));
}

/** The record validation returns for a valid flow: dst_country upper-cased, IPv6 addresses in RFC 5952 form. */
export function normalised(flow: FlowRecord): FlowRecord {
  return { ...flow, src_ip: rfc5952(flow.src_ip), dst_ip: rfc5952(flow.dst_ip), dst_country: flow.dst_country === null ? null : flow.dst_country.toUpperCase() };
}

/**
 * The oracle's RFC 5952 text of an address, written apart from src/values/ipv6-text.ts from the
 * RFC itself: IPv4 and zone ids as written; the eight groups in lower-case hex without leading
 * zeros, the longest run of two or more zero groups (the first of equal runs) as `::`; an
 * IPv4-mapped address as `::ffff:` and its dotted quad (section 5); other text with a dotted
 * part as written.
 */
export function rfc5952(text: string): string {
  if (!text.includes(':') || text.includes('%')) return text;
  const groups = ipv6Groups(text);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return `::ffff:${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  if (text.includes('.')) return text;
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  return best === -1 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** The eight groups of valid IPv6 text (a dotted quad as its last two; `::` expanded). */
function ipv6Groups(text: string): number[] {
  let t = text.toLowerCase();
  if (t.includes('.')) {
    const at = t.lastIndexOf(':');
    const [a, b, c, d] = t.slice(at + 1).split('.').map(Number);
    t = `${t.slice(0, at + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left, right] = t.includes('::') ? t.split('::') : [t, undefined];
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const zeros = right === undefined ? [] : new Array(8 - head.length - tail.length).fill('0');
  return [...head, ...zeros, ...tail].map((g) => parseInt(g, 16));
}

/**
 * One field changed. `expect`: 'reject' when the change breaks the contract
 * (the reason must then name `field`), 'either' when it may be fine (null
 * for a nullable field, an unknown extra field, a value that happens to fit).
 */
export interface Mutation {
  field: string;
  value: unknown;
  kind: string;
  expect: 'reject' | 'either';
}

const JSON_MISFITS: [string, unknown][] = [
  ['true', true], ['array', [1]], ['object', { a: 1 }], ['empty array', []],
];
const BAD_NUMBERS: [string, unknown][] = [
  ['negative', -1], ['negative large', -1e15], ['fraction', 1.5], ['huge', 1e300], ['2^53', 2 ** 53],
  ['2^64', 2 ** 64], ['string NaN', 'NaN'], ['string Infinity', 'Infinity'], ['numeric string', '42'],
  ['tiny', 5e-324], ['negative zero fraction', -0.5], ['2^53 - 1', Number.MAX_SAFE_INTEGER],
];
const BAD_IPS = [
  '', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '0x7f.0.0.1', '1.2.3.4 ', ' 1.2.3.4', '::g', '1:2:3:4:5:6:7:8:9',
  '12345::', 'localhost', '1.2.3.-4', ':::', '1::2::3', 'fe80::1%', `fe80::1%${'a'.repeat(100)}`, '١.٢.٣.٤', '999.999.999.999',
];
const BAD_COUNTRIES = ['', 'USA', 'u', '1A', 'ÄÖ', 'D E', 'de ', '--', 'EU1', 'ＤＥ'];

/**
 * A field set to a value the contract forbids, or to one it may allow.
 * `mebibyte`: include 1 MiB strings (slow to encode and decode: ~0.1 s each on
 * a busy 2-core machine, so the property tests give them a test of their own).
 */
export function mutationArb(options: { mebibyte?: boolean } = {}): fc.Arbitrary<Mutation> {
  const pick = <T>(items: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...items);
  const reject = (field: string, kind: string, value: unknown): Mutation => ({ field, value, kind, expect: 'reject' });
  return fc.oneof(
    // Wrong JSON types and missing required fields.
    fc.tuple(pick(FLOW_FIELDS), pick(JSON_MISFITS)).map(([f, [k, v]]) => reject(f, `wrong type: ${k}`, v)),
    fc.tuple(pick([...REQUIRED_STRINGS, ...COUNTS, ...RANGED]), fc.constantFrom<[string, unknown]>(['missing', undefined], ['null', null]))
      .map(([f, [k, v]]) => reject(f, k, v)),
    fc.tuple(pick([...REQUIRED_STRINGS, ...NULLABLE_STRINGS]), fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()))
      .map(([f, v]) => reject(f, 'number or boolean for a string', v)),
    fc.tuple(pick([...REQUIRED_STRINGS, ...NULLABLE_STRINGS]), fc.constant('')).map(([f, v]) => reject(f, 'empty string', v)),
    // Numbers out of range or not integers, as JSON can carry them.
    fc.tuple(pick([...COUNTS, ...RANGED]), pick(BAD_NUMBERS)).map(([f, [k, v]]) => reject(f, k, v)),
    fc.tuple(pick(RANGED), fc.integer({ min: 65536, max: 2 ** 40 })).map(([f, v]) => reject(f, 'above range', v)),
    fc.integer({ min: 256, max: 65535 }).map((v) => reject('protocol', 'above range', v)),
    fc.tuple(pick(['start_ms', 'end_ms'] as const), fc.integer({ min: MAX_TIME_MS + 1, max: Number.MAX_SAFE_INTEGER }))
      .map(([f, v]) => reject(f, 'after year 9999', v)),
    // Bad addresses and country codes.
    fc.tuple(pick(['src_ip', 'dst_ip'] as const), fc.oneof(pick(BAD_IPS), fc.string({ maxLength: 20 }).filter((s) => !s.includes(':') && !/^[\d.]*$/.test(s))))
      .map(([f, v]) => reject(f, 'bad IP', v)),
    fc.oneof(pick(BAD_COUNTRIES), fc.string({ maxLength: 5 }).filter((s) => !/^[A-Za-z]{2}$/.test(s) && s !== ''))
      .map((v) => reject('dst_country', 'bad country code', v)),
    // Too long: 1 MiB, and one past the limit.
    fc.tuple(pick([...REQUIRED_STRINGS, ...NULLABLE_STRINGS]), fc.constantFrom('h'.repeat(MAX_TEXT_LENGTH + 1), 'h'.repeat(5000)))
      .map(([f, v]) => reject(f, 'over the length limit', v)),
    { weight: options.mebibyte === true ? 1 : 0, arbitrary: pick(TEXT_FIELDS).map((f) => reject(f, '1 MiB string', ONE_MIB)) },
    // Possibly fine: nullable fields null or absent, extra unknown fields, any valid IP.
    fc.tuple(pick(NULLABLE_STRINGS), fc.constantFrom(null, undefined)).map(([f, v]): Mutation => ({ field: f, value: v, kind: 'null or absent', expect: 'either' })),
    fc.tuple(fc.string({ maxLength: 12 }).filter((k) => !(FLOW_FIELDS as readonly string[]).includes(k) && k !== '__proto__'), fc.jsonValue({ maxDepth: 2 }))
      .map(([f, v]): Mutation => ({ field: f, value: v, kind: 'extra field', expect: 'either' })),
    fc.tuple(pick(['src_ip', 'dst_ip'] as const), fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended()))
      .map(([f, v]): Mutation => ({ field: f, value: v, kind: 'IP text', expect: 'either' })),
  );
}

/** A number as JSON text that JSON.stringify cannot produce (1e999, 18446744073709551616, -0). */
export class RawJson {
  constructor(readonly text: string) {}
}

const RAW_REJECTED = ['1e999', '-1e999', '18446744073709551616', '9007199254740993', '0.5', '1E400', '-1'];
/** Parse to integers in range: must be accepted like the plain number. */
const RAW_FINE = ['-0', '1.0', '1e-400', '0e5', '2.000'];

/** Numbers as raw JSON text, for the JSON decoders only. */
export function rawNumberMutationArb(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.tuple(fc.constantFrom(...COUNTS, ...RANGED), fc.constantFrom(...RAW_REJECTED))
      .map(([f, t]): Mutation => ({ field: f, value: new RawJson(t), kind: `raw JSON ${t}`, expect: 'reject' })),
    fc.tuple(fc.constantFrom(...COUNTS, ...RANGED), fc.constantFrom(...RAW_FINE))
      .map(([f, t]): Mutation => ({ field: f, value: new RawJson(t), kind: `raw JSON ${t}`, expect: 'either' })),
  );
}

/** JSON text of a record whose values may include RawJson numbers. */
export function toJsonText(record: Record<string, unknown>): string {
  const raws: string[] = [];
  const text = JSON.stringify(record, (_key, value: unknown) => {
    if (!(value instanceof RawJson)) return value;
    raws.push(value.text);
    return `\u0000raw${raws.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]);
}

/** The flow as a plain object with the mutation applied (undefined deletes the field). */
export function applyMutation(flow: FlowRecord, m: Mutation): Record<string, unknown> {
  const out: Record<string, unknown> = { ...flow };
  if (m.value === undefined) delete out[m.field];
  else out[m.field] = m.value;
  return out;
}

/** True when a mutated record still fits the Avro schema (types right), so Avro can carry it. */
export function fitsAvro(record: Record<string, unknown>): boolean {
  return flowRecordType().isValid(record);
}

/** A copy with some bits flipped (positions given as bit indexes, taken modulo the size). */
export function flipBits(buf: Uint8Array, bits: readonly number[]): Buffer {
  const out = Buffer.from(buf);
  if (out.length === 0) return out;
  for (const bit of bits) {
    const i = Math.floor(bit / 8) % out.length;
    out[i] ^= 1 << (bit % 8);
  }
  return out;
}

/** Byte-level damage of a valid encoding: cut short, bits flipped, or bytes overwritten. */
export type Damage =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; bits: number[] }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'append'; bytes: Uint8Array };

export function damageArb(): fc.Arbitrary<Damage> {
  return fc.oneof(
    fc.nat().map((at): Damage => ({ kind: 'truncate', at })),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }).map((bits): Damage => ({ kind: 'flip', bits })),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 10 })).map(([at, bytes]): Damage => ({ kind: 'overwrite', at, bytes })),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes): Damage => ({ kind: 'append', bytes })),
  );
}

export function applyDamage(buf: Uint8Array, d: Damage): Buffer {
  switch (d.kind) {
    case 'truncate':
      return Buffer.from(buf.subarray(0, buf.length === 0 ? 0 : d.at % buf.length));
    case 'flip':
      return flipBits(buf, d.bits);
    case 'overwrite': {
      const out = Buffer.from(buf);
      if (out.length > 0) out.set(d.bytes.subarray(0, Math.max(0, out.length - (d.at % out.length))), d.at % out.length);
      return out;
    }
    case 'append':
      return Buffer.concat([buf, d.bytes]);
  }
}

/** The flow-record schema with three fields added (array, map, array of null), with defaults. */
export const NEWER_FLOW_SCHEMA: object = (() => {
  const schema = structuredClone(schemaJson('flow-record')) as { fields: object[] };
  schema.fields.push(
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
    { name: 'labels', type: { type: 'map', values: 'long' }, default: {} },
    { name: 'hops', type: { type: 'array', items: 'null' }, default: [] },
  );
  return schema;
})();

/**
 * A newer flow schema with fields this reader does not know, of the kinds
 * avsc trusts counts for: an array and a map (what a registry or a container
 * file header may hand us). Records written with it decode through schema
 * resolution, not the fast decoder.
 */
export function newerFlowType(): avro.Type {
  newer ??= avro.Type.forSchema(NEWER_FLOW_SCHEMA as avro.Schema);
  return newer;
}
let newer: avro.Type | undefined;

/** A flow as the newer schema writes it. */
export function newerRecordArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(
    validFlowArb(),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.integer({ min: -1000, max: 1000 }), { maxKeys: 3 }),
    fc.integer({ min: 0, max: 3 }),
  ).map(([flow, tags, labels, hops]) => ({ ...flow, tags, labels, hops: new Array<null>(hops).fill(null) }));
}

function enumSymbols(field: string): string[] {
  const f = (alertType() as unknown as { fields: { name: string; type: { symbols: string[] } }[] }).fields.find((x) => x.name === field);
  return f!.type.symbols;
}

/** Alerts that fit the alert contract (for decodeAlert round trips and damage). */
export function alertArb(): fc.Arbitrary<Alert> {
  return fc.record({
    alert_id: fc.string({ minLength: 1, maxLength: 32 }),
    // The symbols the alert schema carries (the wire's view of the contract).
    type: fc.constantFrom(...enumSymbols('type')) as fc.Arbitrary<Alert['type']>,
    severity: fc.constantFrom(...enumSymbols('severity')) as fc.Arbitrary<Alert['severity']>,
    destination: fc.domain(),
    dst_country: fc.option(countryArb.map((c) => c.toUpperCase())),
    data_class: fc.option(textArb),
    principal: fc.option(textArb),
    gateway_id: fc.option(textArb),
    window_start_ms: fc.integer({ min: 0, max: T_2026 + DAY }),
    window_end_ms: fc.integer({ min: 0, max: T_2026 + DAY }),
    flow_count: fc.integer({ min: 0, max: 1e6 }),
    bytes: fc.integer({ min: 0, max: 1e12 }),
    observed: fc.double({ noNaN: true, noDefaultInfinity: true }),
    expected: fc.double({ noNaN: true, noDefaultInfinity: true }),
    score: fc.double({ noNaN: true, noDefaultInfinity: true }),
    threshold: fc.double({ noNaN: true, noDefaultInfinity: true }),
    reason: fc.string({ maxLength: 60 }),
    sample_flow_ids: fc.array(textArb, { maxLength: 5 }),
    config_version: fc.string({ minLength: 1, maxLength: 16 }),
    detected_at_ms: fc.integer({ min: 0, max: T_2026 + DAY }),
  });
}
