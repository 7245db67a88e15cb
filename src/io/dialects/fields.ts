// Field readers shared by the dialects: each returns the value in the unit the flow record
// wants, or throws a DialectError that names the field and shows what it held.
import { isIp } from '../../values/ip.js';
import { errorText, reasonQuote } from '../validate-flow.js';
import { DialectError, type DecodeCounts } from './dialect.js';
import { ipv6Text } from '../../values/ipv6-text.js';
import { protocolNumber } from './protocols.js';

/** The value for a message: JSON text, cut to 60 characters. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return reasonQuote(text);
}

export function fail(field: string, value: unknown, want: string): never {
  throw new DialectError(`field ${field}: ${value === undefined ? 'missing' : shown(value)}${value === undefined ? '' : ' is not'} ${value === undefined ? `(${want})` : want}`);
}

/**
 * Whether `s` is decimal text: digits, with one `.` among them where `fraction` allows. What
 * Number() also reads (`0x10`, `1e3`, ` 5`, `+5`, `Infinity`) is no count a sensor writes.
 */
export function isDecimalText(s: string, fraction = false): boolean {
  const n = s.length;
  if (n === 0) return false;
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (c !== 46 || !fraction || dot !== -1 || i === 0 || i === n - 1) return false;
    dot = i;
  }
  return true;
}

/** A string read as its number where it is decimal text (else NaN); any other value as it is. */
function numberOrValue(value: unknown, fraction = false): unknown {
  return typeof value === 'string' ? (isDecimalText(value, fraction) ? Number(value) : Number.NaN) : value;
}

/** A count (bytes, packets): a non-negative safe integer, as a number or as decimal text. */
export function countOf(field: string, value: unknown): number {
  const n = numberOrValue(value);
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  return fail(field, value, 'a count (a whole number >= 0)');
}

/** A count that may be absent (null/undefined): 0 then. */
export function optionalCount(field: string, value: unknown): number {
  return value === undefined || value === null ? 0 : countOf(field, value);
}

export function portOf(field: string, value: unknown): number {
  const n = numberOrValue(value);
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  return fail(field, value, 'a port (0-65535)');
}

export function textOf(field: string, value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value;
  return fail(field, value, 'a non-empty string');
}

/** An IANA protocol number, from a number or a name (`tcp`, `UDP`, `IPv6-ICMP`, `IGMP`, ...: protocols.ts). */
export function protocolOf(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  if (typeof value === 'string') {
    const known = protocolNumber(value);
    if (known !== undefined) return known;
    const n = numberOrValue(value) as number;
    if (Number.isInteger(n) && n <= 255) return n;
  }
  return fail(field, value, 'a protocol (a number 0-255 or an IANA name: tcp, udp, icmp, igmp, gre, ...)');
}

/** Epoch seconds (a number, or its decimal text) to whole milliseconds, truncated. */
export function secondsToMs(field: string, value: unknown): number {
  const n = numberOrValue(value, true);
  if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return Math.floor(n * 1000);
  return fail(field, value, 'a time in epoch seconds');
}

/** Nanoseconds since the epoch (number or decimal text) to whole milliseconds, truncated. */
export function nanosToMs(field: string, value: unknown): number {
  if (typeof value === 'string' && /^\d{1,22}$/.test(value)) return Number(BigInt(value) / 1_000_000n);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value / 1e6);
  return fail(field, value, 'a time in nanoseconds since the epoch');
}

// ISO 8601 with a zone (Z, +01:00 or +0100): a time without a zone would be read as local
// time, which differs from machine to machine.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * ISO 8601 text with a zone to milliseconds (fractions below a millisecond are cut). RFC 3339's
 * other spellings read the same: a space or `t` between date and time (Python's `str()` of a
 * datetime, SQL exports), a lower-case `z`.
 */
export function isoToMs(field: string, value: unknown): number {
  if (typeof value === 'string') {
    const fast = isoFixedToMs(value);
    if (fast !== -1) return fast;
    const text = rfc3339Spelling(value);
    if (ISO_WITH_ZONE.test(text)) {
      const ms = Date.parse(text);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  return fail(field, value, 'an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)');
}

/** `2024-04-19 10:00:00z` or `...t...` as `2024-04-19T10:00:00Z`; other text as it is. */
function rfc3339Spelling(s: string): string {
  const sep = s.charCodeAt(10);
  let t = sep === 32 || sep === 116 ? `${s.slice(0, 10)}T${s.slice(11)}` : s;
  if (t.charCodeAt(t.length - 1) === 122) t = `${t.slice(0, -1)}Z`;
  return t;
}

/** Two decimal digits of `s` at `i` as a number, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The common forms sensors write (`2024-04-19T10:00:00.123456+0000`, `...Z`, `...+01:00`),
 * read by position without a regex or Date.parse: -1 when the text is not exactly such a form
 * or its values are unusual (a day past the 28th, a year before 1970, 24:00, a leap second),
 * which then go the regex and Date.parse way. Where this answers, it equals Date.parse.
 */
function isoFixedToMs(s: string): number {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return -1;
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  const mo = twoDigits(s, 5);
  const d = twoDigits(s, 8);
  const h = twoDigits(s, 11);
  const mi = twoDigits(s, 14);
  const sec = twoDigits(s, 17);
  if (y1 < 19 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 28 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return -1;
  const year = y1 * 100 + y2;
  if (year < 1970) return -1;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    let digits = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (digits < 3) ms = ms * 10 + c;
      digits++;
    }
    if (digits === 0) return -1;
    for (let k = digits; k < 3; k++) ms *= 10;
  }
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 /* Z */) {
    if (i + 1 !== n) return -1;
  } else if (z === 43 || z === 45) {
    const oh = twoDigits(s, i + 1);
    const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
    const om = twoDigits(s, i + 3 + colon);
    if (i + 5 + colon !== n || oh < 0 || oh > 23 || om < 0 || om > 59) return -1;
    offsetMin = (z === 43 ? 1 : -1) * (oh * 60 + om);
  } else return -1;
  // Date.UTC(year, mo - 1, d, h, mi, sec, ms), its day remembered: a stream's times share few days.
  if (year !== lastDay[0] || mo !== lastDay[1] || d !== lastDay[2]) {
    lastDay[0] = year;
    lastDay[1] = mo;
    lastDay[2] = d;
    lastDay[3] = Date.UTC(year, mo - 1, d);
  }
  return lastDay[3] + ((h * 60 + mi) * 60 + sec) * 1000 + ms - offsetMin * 60_000;
}

/** The day isoFixedToMs read last: year, month, day and its Date.UTC. */
const lastDay = [0, 0, 0, 0];

/**
 * Epoch seconds as a number or decimal text, or ISO 8601 text (Zeek's JSON writer with
 * json_timestamps): text with a date's `-` after its year (`2024-04-19...`, whatever separates
 * date and time) or a `T`, which no number of seconds has.
 */
export function secondsOrIsoToMs(field: string, value: unknown): number {
  return typeof value === 'string' && (value.charCodeAt(4) === 45 /* - */ || value.indexOf('T') !== -1) ? isoToMs(field, value) : secondsToMs(field, value);
}

/** A JSON object, or DialectError. */
export function parseObject(line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new DialectError(`invalid JSON: ${errorText(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DialectError(`expected a JSON object, got ${shown(value)}`);
  return value as Record<string, unknown>;
}

/**
 * The record a log shipper's wrapper (Filebeat, Elastic Agent, Logstash: `{"message": "<the
 * line>", ...}`) carries as JSON text under `message`; a bad one is named as that field, `what`
 * saying what it should have held.
 */
export function unwrapped(message: string, what: string): Record<string, unknown> {
  try {
    return parseObject(message);
  } catch (err) {
    return fail('message', message, `${what} (${(err as Error).message})`);
  }
}

/**
 * A nested object field's value (`o.flow`, `o.traffic`, ...), or an empty object when absent
 * (undefined, or JSON null when not required).
 * The caller reads the field by its own name: one `parent[field]` here, seeing every field's
 * name, became a slow generic lookup for all of them (OCSF reads six).
 */
export function objectOf(field: string, value: unknown, required: boolean): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  if (value == null && !required) return {};
  return fail(field, value, 'an object');
}

/** Counts a record of a kind the dialect does not turn into flows. */
export function skip(counts: DecodeCounts, kind: string): [] {
  counts.skipped[kind] = (counts.skipped[kind] ?? 0) + 1;
  return [];
}

/** Sensor facts from the given fields that hold non-empty text or numbers. */
export function factsOf(source: Record<string, unknown>, fields: readonly string[], prefix = ''): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const f of fields) {
    const v = source[f];
    if ((typeof v === 'string' && v.length > 0) || typeof v === 'number') facts[prefix + f] = String(v);
  }
  return facts;
}

/** An IPv4 or IPv6 address as text (IPv6 in RFC 5952 form): checked before orientation, which would call a bad one external. */
export function ipOf(field: string, value: unknown): string {
  if (typeof value === 'string' && isIp(value)) return ipv6Text(value);
  return fail(field, value, 'an IPv4 or IPv6 address');
}

/**
 * Sensor facts objects reused while a record's sensor values are ones seen lately: facts are
 * read-only, and one object per record was garbage. A sensor sends many records, and a stream
 * interleaves a few sensors (gateways), so the last few distinct value tuples are kept (8, the
 * oldest replaced first), each with its facts. Values compare with ===.
 */
export class FactsCache {
  /** The values of the record at hand: the caller fills them, then calls find() or add(). */
  readonly current: unknown[];
  private readonly keys: unknown[];
  private readonly facts: Array<Readonly<Record<string, string>>> = [];
  private last = 0;
  private next = 0;
  constructor(private readonly width: number) {
    this.current = new Array<unknown>(width).fill(undefined);
    this.keys = new Array<unknown>(width * FACTS_KEPT).fill(undefined);
  }

  /** The facts kept for the current values, or null. */
  find(): Readonly<Record<string, string>> | null {
    if (this.facts.length === 0) return null;
    if (this.matches(this.last)) return this.facts[this.last];
    for (let e = 0; e < this.facts.length; e++) {
      if (e !== this.last && this.matches(e)) {
        this.last = e;
        return this.facts[e];
      }
    }
    return null;
  }

  /** Keeps `facts` (made from the current values, frozen here) and returns it. */
  add(facts: Record<string, string>): Readonly<Record<string, string>> {
    const e = this.next;
    this.next = (e + 1) % FACTS_KEPT;
    for (let i = 0; i < this.width; i++) this.keys[e * this.width + i] = this.current[i];
    this.facts[e] = Object.freeze(facts);
    this.last = e;
    return this.facts[e];
  }

  private matches(e: number): boolean {
    const at = e * this.width;
    for (let i = 0; i < this.width; i++) if (this.keys[at + i] !== this.current[i]) return false;
    return true;
  }
}

const FACTS_KEPT = 8;

/** Sensor facts from the given fields (names prefixed), reused while their values are ones seen lately (FactsCache). */
export class ReusedFacts {
  private readonly cache: FactsCache;
  /** The first three field names ('' when fewer): each read at a site of its own (see of()). */
  private readonly first: string;
  private readonly second: string;
  private readonly third: string;
  constructor(
    private readonly fields: readonly string[],
    private readonly prefix = '',
  ) {
    this.cache = new FactsCache(fields.length);
    this.first = fields[0] ?? '';
    this.second = fields[1] ?? '';
    this.third = fields[2] ?? '';
  }

  of(source: Record<string, unknown>): Readonly<Record<string, string>> {
    const current = this.cache.current;
    const n = this.fields.length;
    // One read site per field, each seeing one name, stays a fast lookup; a loop's single
    // `source[fields[i]]` sees them all and becomes a slow generic one (every record comes here).
    if (n > 0) current[0] = source[this.first];
    if (n > 1) current[1] = source[this.second];
    if (n > 2) current[2] = source[this.third];
    for (let i = 3; i < n; i++) current[i] = source[this.fields[i]];
    return this.cache.find() ?? this.cache.add(factsOf(source, this.fields, this.prefix));
  }
}

/** Sensor facts from two fields, reused while they stay the same (see ReusedFacts). */
export class FactsOfTwo extends ReusedFacts {
  constructor(first: string, second: string) {
    super([first, second]);
  }
}
