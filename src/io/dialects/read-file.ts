// Reading a stream in a dialect: every line or message decoded, oriented, enriched (the
// enrichment point) and validated against the flow record contract by the JSON path's own
// check (lone surrogates included); a bad one becomes one reason, located by the caller
// (file and line, or topic, partition and offset). Every decoder checks the two addresses
// itself (the sensor dialects with ipOf before orienting, the flow dialect with checkFlow),
// and enrichment never changes them, so that check is not made twice (ADDRESSES_CHECKED).
import type { FlowRecord } from '../../engine/types.js';
import type { InputItem, ReadOptions } from '../input-item.js';
import { readLineBatches } from '../jsonl.js';
import { checkTextFlowValues } from '../validate-flow.js';
import { DialectError, type DialectReading, type DialectRecord } from './dialect.js';
import { toFlows } from './enrichment-point.js';

export type { DialectReading };

/** src_ip and dst_ip of a decoded record are IP text already (see the opening comment). */
const ADDRESSES_CHECKED = true;

/** The valid flows of one line or message, or the reason it is bad (counted in decoder.counts.errors). */
export function decodeText(reading: DialectReading, text: string): FlowRecord[] | string {
  try {
    return decodeChecked(reading, reading.decoder.decode(text));
  } catch (err) {
    return reasonOf(reading, err);
  }
}

/** A DialectError's message, counted as the record's error; anything else is a bug and is thrown. */
function reasonOf(reading: DialectReading, err: unknown): string {
  if (!(err instanceof DialectError)) throw err;
  reading.decoder.counts.errors++;
  return err.message;
}

/** A text file in a dialect (gzip-compressed when the name ends in .gz), in batches of items. */
export function readDialectBatches(path: string, reading: DialectReading, options: ReadOptions = {}): AsyncIterable<InputItem[]> {
  return readLineBatches(path, options, (bytes, start, end, label, line, out) => {
    if (end > start && bytes[end - 1] === 13) end--; // CRLF line ends
    if (end === start) return;
    const text = bytes.toString('utf8', start, end);
    // A blank line starts with white space: only such lines pay for trim().
    const first = text.charCodeAt(0);
    if ((first <= 32 || first === 0xa0 || first === 0xfeff || first >= 0x1680) && text.trim().length === 0) return;
    decodeInto(reading, text, label, line, out);
  });
}

/**
 * decodeText for a file's line, its items pushed onto `out`: the same flows, checks and counts
 * without the arrays in between in the usual case of one record a line (every record of a
 * file passes through here).
 */
function decodeInto(reading: DialectReading, text: string, label: string, line: number, out: InputItem[]): void {
  let records: DialectRecord[];
  let flow: FlowRecord | null = null;
  try {
    records = reading.decoder.decode(text);
    if (records.length === 0) return;
    if (records.length === 1) flow = reading.enrich(records[0]);
  } catch (err) {
    out.push({ ok: false, where: `${label}:${line}`, reason: reasonOf(reading, err) });
    return;
  }
  if (flow !== null) {
    const problem = problemOf(reading, flow);
    if (problem === null) out.push({ ok: true, flow, where: `${label}:${line}` });
    else out.push({ ok: false, where: `${label}:${line}`, reason: problem });
    return;
  }
  let result: FlowRecord[] | string;
  try {
    result = decodeChecked(reading, records);
  } catch (err) {
    result = reasonOf(reading, err);
  }
  if (typeof result === 'string') out.push({ ok: false, where: `${label}:${line}`, reason: result });
  else for (const f of result) out.push({ ok: true, flow: f, where: `${label}:${line}` });
}

/** The decoded records of one line or message enriched and checked: their flows, or the first problem. */
function decodeChecked(reading: DialectReading, records: readonly DialectRecord[]): FlowRecord[] | string {
  const flows = toFlows(records, reading.enrich);
  for (const flow of flows) {
    const problem = problemOf(reading, flow);
    if (problem !== null) return problem;
  }
  return flows;
}

/** A flow's first problem against the flow record contract, counted as its record's error; null when valid. */
function problemOf(reading: DialectReading, flow: FlowRecord): string | null {
  const problem = checkTextFlowValues(flow, ADDRESSES_CHECKED);
  if (problem !== null) reading.decoder.counts.errors++;
  return problem;
}
