// Batches of text files are counted in lines (BATCH_LINES, about what a 1 MiB chunk of flow JSON
// holds), whatever the format: a compact dialect read in 1 MiB chunks gives batches of as many
// records as the flow JSON path, not three times as many. A batch also ends where a chunk ends.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/io/dialects/index.js';
import { readDialectBatches } from '../../src/io/dialects/read-file.js';
import type { InputItem, ReadOptions } from '../../src/io/input-item.js';
import { BATCH_LINES, readJsonlBatches } from '../../src/io/jsonl.js';
import { flow, tempDir } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

/** A VPC v2 line, outbound from 10/8 (one record each), sport making each distinct. */
const vpc = (sport: number) => `2 123456789012 eni-0a1b2c3d 10.0.0.5 203.0.113.10 ${sport} 443 6 10 5000 1700000000 1700000060 ACCEPT OK`;

async function batchesOf(batches: AsyncIterable<InputItem[]>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of batches) out.push(batch.map((item) => item.where));
  return out;
}

function vpcBatches(path: string, options: ReadOptions = {}) {
  return readDialectBatches(path, { decoder: createDecoder('vpc', { internalNetworks: ['10.0.0.0/8'] }), enrich: (r) => r.flow }, options);
}

describe('batches of a text file', () => {
  it('hold at most BATCH_LINES lines (3000) by default: a compact dialect is not batched by bytes', async () => {
    // 9001 VPC lines, 105 bytes each: under 1 MiB, one chunk, which used to be one batch.
    const path = tmp.file('flows.vpc.log');
    writeFileSync(path, Array.from({ length: 9001 }, (_, i) => vpc(10000 + i)).join('\n') + '\n');
    const sizes = (await batchesOf(vpcBatches(path))).map((b) => b.length);
    expect(BATCH_LINES).toBe(3000);
    expect(sizes).toEqual([3000, 3000, 3000, 1]);
    // Cut by bytes only, the one chunk was one batch of 9001 records.
    expect((await batchesOf(vpcBatches(path, { batchLines: Infinity }))).map((b) => b.length)).toEqual([9001]);
  });

  it('count every line, blank and skipped ones too, and do not yield an empty batch', async () => {
    const path = tmp.file('v.log');
    // Lines 4 and 5: a NODATA row and a blank line give no item; lines 7-9 give none either.
    const lines = [vpc(1), vpc(2), vpc(3), '2 123456789012 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA', '', vpc(6), '', '', ''];
    writeFileSync(path, lines.join('\n') + '\n');
    expect(await batchesOf(vpcBatches(path, { batchLines: 3 }))).toEqual([['v.log:1', 'v.log:2', 'v.log:3'], ['v.log:6']]);
  });

  it('end at the end of a chunk too, and the flow JSON path is cut the same way', async () => {
    const path = tmp.file('flows.jsonl');
    const line = JSON.stringify(flow());
    writeFileSync(path, Array.from({ length: 5 }, () => line).join('\n') + '\n');
    expect(await batchesOf(readJsonlBatches(path, { batchLines: 2 }))).toEqual([
      ['flows.jsonl:1', 'flows.jsonl:2'],
      ['flows.jsonl:3', 'flows.jsonl:4'],
      ['flows.jsonl:5'],
    ]);
    // Chunks of two lines and a byte: lines 1-2 end in the first, 3-4 in the second, 5 in the third.
    const chunkSize = 2 * (line.length + 1) + 1;
    const sizes = (await batchesOf(readJsonlBatches(path, { chunkSize, batchLines: 100 }))).map((b) => b.length);
    expect(sizes).toEqual([2, 2, 1]);
  });
});
