// Reading a stream in a dialect: every line or message decoded, oriented, enriched (the
// enrichment point) and validated against the flow record contract by the JSON path's own
// check (lone surrogates included); a bad one becomes one reason, located by the caller
// (file and line, or topic, partition and offset).
import type { FlowRecord } from '../../engine/types.js';
import type { InputItem, ReadOptions } from '../input-item.js';
import { readLineBatches } from '../jsonl.js';
import { checkTextFlowValues } from '../validate-flow.js';
import { DialectError, type DialectReading } from './dialect.js';
import { toFlows } from './enrichment-point.js';

export type { DialectReading };

/** The valid flows of one line or message, or the reason it is bad (counted in decoder.counts.errors). */
export function decodeText(reading: DialectReading, text: string): FlowRecord[] | string {
  let flows: FlowRecord[];
  try {
    flows = toFlows(reading.decoder.decode(text), reading.enrich);
  } catch (err) {
    if (!(err instanceof DialectError)) throw err;
    reading.decoder.counts.errors++;
    return err.message;
  }
  for (const flow of flows) {
    const problem = checkTextFlowValues(flow);
    if (problem !== null) {
      reading.decoder.counts.errors++;
      return problem;
    }
  }
  return flows;
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
    const result = decodeText(reading, text);
    if (typeof result === 'string') out.push({ ok: false, where: `${label}:${line}`, reason: result });
    else for (const flow of result) out.push({ ok: true, flow, where: `${label}:${line}` });
  });
}

