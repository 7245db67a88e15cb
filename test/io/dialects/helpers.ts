// Reading the hand-written fixtures (fixtures/, one per dialect, in each format's documented
// shape) through the real file reader, and a full flow record for expected values.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowRecord } from '../../../src/engine/types.js';
import type { InputItem } from '../../../src/io/input-item.js';
import { createDecoder, type DecoderOptions, type DialectDecoder, type InputFormatName } from '../../../src/io/dialects/index.js';
import { readDialectBatches } from '../../../src/io/dialects/read-file.js';

export const fixture = (name: string): string => join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name);

/** The inside in every dialect test: 10/8 and fd00::/8. */
export const NETS = ['10.0.0.0/8', 'fd00::/8'];

export async function readWith(format: InputFormatName, path: string, options: Partial<DecoderOptions> = {}): Promise<{ decoder: DialectDecoder; items: InputItem[] }> {
  const decoder = createDecoder(format, { internalNetworks: NETS, ...options });
  const items: InputItem[] = [];
  for await (const batch of readDialectBatches(path, { decoder, enrich: (r) => r.flow })) items.push(...batch);
  return { decoder, items };
}

/** The ok items as [where, flow]. */
export function flowsOf(items: InputItem[]): Array<[string, FlowRecord]> {
  return items.filter((i) => i.ok).map((i) => [i.where, (i as { flow: FlowRecord }).flow]);
}

export function errorsOf(items: InputItem[]): Array<[string, string]> {
  return items.filter((i) => !i.ok).map((i) => [i.where, (i as { reason: string }).reason]);
}

/** A flow record with the fields no dialect fills (enrichment does) left null. */
export function rec(f: Omit<FlowRecord, 'gateway_id' | 'dst_host' | 'dst_country' | 'data_class' | 'principal'> & { dst_host?: string | null }): FlowRecord {
  return { gateway_id: null, dst_country: null, data_class: null, principal: null, dst_host: null, ...f } as FlowRecord;
}
