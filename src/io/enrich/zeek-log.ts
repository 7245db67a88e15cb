// Reads a whole Zeek log of any path (ssl.log, dns.log) for the dst_host joins: TSV with its
// `#` header lines (separator, set separator, `-` unset, `(empty)`, a header that changes
// mid-file) or JSON lines (Zeek's JSON writer), plain or gzip-compressed. Field names keep
// Zeek's spelling; `id_resp_h` (another scope separator) reads as `id.resp_h`. Records the Kafka
// writer wrapped with `tag_json` (`{"ssl": {...}}`) are unwrapped, the tag being their path.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { untagZeek } from '../dialects/zeek-tag.js';

export type ZeekValue = string | string[] | null;
export interface ZeekRow {
  line: number;
  /** The log the row belongs to (`#path`, `_path` or the tag_json tag: ssl, dns, conn, ...), null when the file does not say. */
  path: string | null;
  fields: Record<string, ZeekValue>;
}

/** A row the join cannot read: file, line and reason. */
export class ZeekLogError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'ZeekLogError';
  }
}

/** A whole text file, gunzipped when it starts with gzip's magic bytes (the join files). */
export function readTextFile(file: string): string {
  const raw = readFileSync(file);
  return (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
}

export function readZeekLog(file: string): ZeekRow[] {
  const text = readTextFile(file);
  const rows: ZeekRow[] = [];
  let header: TsvHeader = { separator: '\t', setSeparator: ',', unset: '-', empty: '(empty)', path: null, fields: null, vectors: new Set() };
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].replace(/\r$/, '');
    const number = index + 1;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      header = readHeaderLine(header, line);
      continue;
    }
    if (line.startsWith('{')) {
      rows.push(jsonRow(file, number, line));
      continue;
    }
    if (header.fields === null) throw new ZeekLogError(file, number, 'a TSV row before the #fields header line');
    const cells = line.split(header.separator);
    if (cells.length !== header.fields.length) {
      throw new ZeekLogError(file, number, `expected ${header.fields.length} tab-separated fields (#fields), got ${cells.length}`);
    }
    const fields: Record<string, ZeekValue> = {};
    header.fields.forEach((name, i) => {
      const cell = cells[i];
      fields[name] = cell === header.unset ? null : cell === header.empty ? [] : header.vectors.has(name) ? cell.split(header.setSeparator) : cell;
    });
    rows.push({ line: number, path: header.path, fields });
  }
  return rows;
}

/** Epoch milliseconds of a Zeek `ts` (epoch seconds, or ISO 8601 with json_timestamps); null when absent or unreadable. */
export function zeekTimeMs(value: ZeekValue | undefined): number | null {
  if (typeof value !== 'string') return null;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return Math.round(seconds * 1000);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

interface TsvHeader {
  separator: string;
  setSeparator: string;
  unset: string;
  empty: string;
  path: string | null;
  fields: string[] | null;
  /** Fields whose #types is a vector or set: split at the set separator. */
  vectors: Set<string>;
}

function readHeaderLine(header: TsvHeader, line: string): TsvHeader {
  const next = { ...header };
  if (line.startsWith('#separator ')) {
    next.separator = line.slice('#separator '.length).replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return next;
  }
  const [key, ...values] = line.split(header.separator);
  switch (key) {
    case '#set_separator':
      next.setSeparator = values[0] ?? ',';
      break;
    case '#unset_field':
      next.unset = values[0] ?? '-';
      break;
    case '#empty_field':
      next.empty = values[0] ?? '(empty)';
      break;
    case '#path':
      next.path = values[0] ?? null;
      break;
    case '#fields':
      next.fields = values.map(normaliseName);
      next.vectors = new Set();
      break;
    case '#types':
      if (next.fields !== null) {
        const names = next.fields;
        next.vectors = new Set(names.filter((_, i) => /^(vector|set)\[/.test(values[i] ?? '')));
      }
      break;
    default: // #open, #close and comments carry nothing the joins need
      break;
  }
  return next;
}

function jsonRow(file: string, line: number, text: string): ZeekRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ZeekLogError(file, line, `not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ZeekLogError(file, line, 'expected a JSON object');
  const tagged = untagZeek(parsed as Record<string, unknown>);
  const record = tagged === null ? (parsed as Record<string, unknown>) : tagged.record;
  const fields: Record<string, ZeekValue> = {};
  for (const [name, value] of Object.entries(record)) {
    fields[normaliseName(name)] = Array.isArray(value) ? value.map(String) : value === null || value === undefined ? null : String(value);
  }
  const path = tagged?.path ?? fields._path;
  return { line, path: typeof path === 'string' ? path : null, fields };
}

// Zeek's default scope separator is "."; some deployments write "_" (id_orig_h).
function normaliseName(name: string): string {
  return name.startsWith('id_') ? `id.${name.slice(3)}` : name;
}
