import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWriteStream, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import avro from 'avsc';
import { AvroFileWriter, readAvro, readAvroBatches } from '../../src/io/avro-file.js';
import type { InputItem } from '../../src/io/input-item.js';
import { flowRecordType, schemaJson } from '../../src/io/schemas.js';
import type { FlowRecord } from '../../src/engine/types.js';
import { collect, flow, flows, tempDir } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const SYNC = Buffer.from('0123456789abcdef');

async function writeAvro(path: string, records: FlowRecord[], options: ConstructorParameters<typeof AvroFileWriter>[1] = {}): Promise<void> {
  const writer = new AvroFileWriter(path, options);
  for (const record of records) if (!writer.write(record)) await writer.drain();
  await writer.close();
}

/** Block boundaries found independently of the reader: each block ends with the sync marker. */
function blockStarts(file: Buffer, sync: Buffer): number[] {
  const starts: number[] = [];
  let at = file.indexOf(sync);
  while (at >= 0) {
    starts.push(at + sync.length);
    at = file.indexOf(sync, at + sync.length);
  }
  return starts.slice(0, -1); // the last marker ends the last block
}

function okItems(records: FlowRecord[], file: string, perBlock: number[]): InputItem[] {
  const items: InputItem[] = [];
  let n = 0;
  perBlock.forEach((count, b) => {
    for (let i = 1; i <= count; i++, n++) items.push({ ok: true, flow: records[n], where: `${file}:block ${b + 1} record ${i} (#${n + 1})` });
  });
  return items;
}

/** Records per block, from the count varint at each block start (small counts: one byte). */
function countsPerBlock(file: Buffer, starts: number[]): number[] {
  return starts.map((s) => {
    expect(file[s]).toBeLessThan(0x80);
    return file[s] / 2;
  });
}

/**
 * A file of `n` records in blocks of about 4 KB with the fixed sync marker (deflated when
 * asked): its path, records and bytes, where each block starts and how many records each holds.
 */
async function blockFile(name: string, n: number, codec?: 'deflate') {
  const path = tmp.file(name);
  const records = flows(n);
  await writeAvro(path, records, { blockSize: 4096, syncMarker: SYNC, ...(codec === undefined ? {} : { codec }) });
  const file = readFileSync(path);
  const starts = blockStarts(file, SYNC);
  return { path, records, file, starts, perBlock: countsPerBlock(file, starts) };
}

describe('AvroFileWriter and readAvroBatches', () => {
  it('round-trips records exactly, one batch per block', async () => {
    const path = tmp.file('flows.avro');
    const records = flows(300);
    await writeAvro(path, records, { blockSize: 4096, syncMarker: SYNC });
    const file = readFileSync(path);
    const starts = blockStarts(file, SYNC);
    expect(starts.length).toBeGreaterThan(3);
    const perBlock = countsPerBlock(file, starts);
    expect(perBlock.reduce((a, b) => a + b, 0)).toBe(300);

    const batches: InputItem[][] = [];
    for await (const batch of readAvroBatches(path)) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual(perBlock);
    expect(batches.flat()).toStrictEqual(okItems(records, 'flows.avro', perBlock));
  });

  it('is read the same by avsc itself (the file is standard)', async () => {
    const path = tmp.file('flows.avro');
    const records = flows(50);
    await writeAvro(path, records, { codec: 'deflate' });
    const decoded: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      avro.createFileDecoder(path).on('data', (r: object) => decoded.push({ ...r })).on('end', resolve).on('error', reject);
    });
    expect(decoded).toEqual(records);
    const header = avro.extractFileHeader(path) as { meta: Record<string, unknown> };
    expect(header.meta['avro.codec']).toBe('deflate');
    // The header keeps the logical type annotations of schemas/flow-record.avsc.
    expect(header.meta['avro.schema']).toEqual(schemaJson('flow-record'));
  });

  it('reads deflate files', async () => {
    const path = tmp.file('flows.avro');
    const records = flows(1000);
    await writeAvro(path, records, { codec: 'deflate' });
    const items = await collect(readAvroBatches(path));
    expect(items.map((i) => (i.ok ? i.flow : i))).toStrictEqual(records);
  });

  it('reads a file written with an older schema (no principal, no data_class): missing fields are null', async () => {
    const older = structuredClone(schemaJson('flow-record')) as { fields: { name: string }[] };
    older.fields = older.fields.filter((f) => f.name !== 'principal' && f.name !== 'data_class');
    const path = tmp.file('old.avro');
    const records = flows(20);
    await writeAvro(path, records, { schema: older });
    const items = await collect(readAvroBatches(path));
    expect(items).toStrictEqual(
      records.map((r, i) => ({ ok: true, flow: { ...r, data_class: null, principal: null }, where: `old.avro:block 1 record ${i + 1} (#${i + 1})` })),
    );
  });

  it('reads a file written with a newer schema (an extra field) through schema resolution', async () => {
    const newer = structuredClone(schemaJson('flow-record')) as { fields: object[] };
    newer.fields.push({ name: 'tenant', type: 'string', default: '' });
    const path = tmp.file('new.avro');
    const records = flows(5).map((r) => ({ ...r, tenant: 't1' }));
    await writeAvro(path, records as FlowRecord[], { schema: newer });
    const items = await collect(readAvroBatches(path));
    expect(items.map((i) => (i.ok ? i.flow : i))).toStrictEqual(flows(5));
  });

  it('reports a truncated last block with its block number and offset, after the complete blocks', async () => {
    const { path, records, file, starts, perBlock } = await blockFile('cut.avro', 200);
    const last = starts.length;
    const size = file.length;
    truncateSync(path, size - 10);
    const items = await collect(readAvroBatches(path));
    expect(items).toStrictEqual([
      ...okItems(records, 'cut.avro', perBlock.slice(0, -1)),
      {
        ok: false,
        where: `cut.avro:block ${last} (byte ${starts[last - 1]})`,
        reason: `truncated block: the file ends ${size - 10 - starts[last - 1]} bytes into a ${size - starts[last - 1]}-byte block; its ${perBlock[last - 1]} records are lost`,
      },
    ]);
  });

  it('skips a block with broken framing to the next sync marker and reads on', async () => {
    const { path, records, file, starts, perBlock } = await blockFile('bad.avro', 200);
    // Block 2's size varint (right after its one-byte count) grows by one: its
    // sync marker is then looked for one byte too late.
    file[starts[1] + 1] += 2;
    writeFileSync(path, file);
    const items = await collect(readAvroBatches(path));
    const all = okItems(records, 'bad.avro', perBlock);
    const lostEnd = perBlock[0] + perBlock[1];
    expect(items).toStrictEqual([
      ...all.slice(0, perBlock[0]),
      {
        ok: false,
        where: `bad.avro:block 2 (byte ${starts[1]})`,
        reason: `corrupt block: sync marker mismatch; skipped ${starts[2] - starts[1]} bytes to the next sync marker, records in them are lost`,
      },
      // Block 3 and later keep their own numbers; the record count in the file
      // restarts after the lost block as the reader cannot know its size.
      ...all.slice(lostEnd).map((item) => ({ ...item, where: item.where.replace(/#(\d+)/, (_, n: string) => `#${Number(n) - perBlock[1]}`) })),
    ]);
  });

  it('reports an impossible block size, and a last block whose sync marker is gone', async () => {
    const { path, records, file, starts, perBlock } = await blockFile('worse.avro', 200);
    const last = starts.length;
    // Block 1's size becomes the 5-byte varint ff ff ff ff 0f: zig-zag
    // 2^32 - 1, that is -2^31 (it overwrites the start of the data too).
    file.set([0xff, 0xff, 0xff, 0xff, 0x0f], starts[0] + 1);
    // The last sync marker is damaged.
    file[file.length - 1] ^= 0xff;
    writeFileSync(path, file);
    const items = await collect(readAvroBatches(path));
    const all = okItems(records, 'worse.avro', perBlock);
    expect(items[0]).toStrictEqual({
      ok: false,
      where: `worse.avro:block 1 (byte ${starts[0]})`,
      reason: `corrupt block: invalid record count ${perBlock[0]} or size -2147483648; skipped ${starts[1] - starts[0]} bytes to the next sync marker, records in them are lost`,
    });
    const renumber = (item: InputItem): InputItem => ({ ...item, where: item.where.replace(/#(\d+)/, (_, n: string) => `#${Number(n) - perBlock[0]}`) });
    // The last block's records fill it exactly: only its marker is damaged, so they are read.
    expect(items.slice(1, -1)).toStrictEqual(all.slice(perBlock[0]).map(renumber));
    expect(items.at(-1)).toStrictEqual({
      ok: false,
      where: `worse.avro:block ${last} (byte ${starts[last - 1]})`,
      reason: 'corrupt block: sync marker mismatch after a block whose records fill it exactly: they are read, and the next block after the marker',
    });
  });

  it('reads a block whose sync marker is damaged and the block after it (found by the independent CLI check)', async () => {
    const { path, records, file, starts, perBlock } = await blockFile('marker.avro', 200);
    // The marker that ends block 1 is the 16 bytes before block 2: one of them flipped.
    file[starts[1] - 5] ^= 0xff;
    writeFileSync(path, file);
    const items = await collect(readAvroBatches(path));
    const all = okItems(records, 'marker.avro', perBlock);
    expect(items).toStrictEqual([
      ...all.slice(0, perBlock[0]),
      {
        ok: false,
        where: `marker.avro:block 1 (byte ${starts[0]})`,
        reason: 'corrupt block: sync marker mismatch after a block whose records fill it exactly: they are read, and the next block after the marker',
      },
      ...all.slice(perBlock[0]),
    ]);
    expect(items.filter((i) => i.ok)).toHaveLength(200);
  });

  /** `file` with block `b` (0-based)'s data size set to `size` (a zig-zag varint; its count kept). */
  function withSize(file: Buffer, starts: number[], b: number, size: number): Buffer {
    const at = starts[b] + 1; // the count is one byte (countsPerBlock checks it)
    let end = at;
    while (file[end] & 0x80) end++;
    const head: number[] = [];
    for (let v = size * 2; ; v = Math.floor(v / 128)) {
      if (v < 0x80) {
        head.push(v);
        break;
      }
      head.push((v & 0x7f) | 0x80);
    }
    return Buffer.concat([file.subarray(0, at), Buffer.from(head), file.subarray(end + 1)]);
  }

  it('a damaged size in a block before the last that points past the end of the file skips to the next marker (not truncated)', async () => {
    const { path, records, file, starts, perBlock } = await blockFile('size.avro', 400);
    expect(starts.length).toBeGreaterThan(3);
    const damaged = withSize(file, starts, 1, 1_000_000); // 1 MB > the file, < the 64 MiB inflate limit
    expect(damaged.length).toBeLessThan(1_000_000);
    writeFileSync(path, damaged);
    const skipped = damaged.indexOf(SYNC, starts[1]) + SYNC.length - starts[1];
    const all = okItems(records, 'size.avro', perBlock);
    const renumber = (item: InputItem): InputItem => ({ ...item, where: item.where.replace(/#(\d+)/, (_, n: string) => `#${Number(n) - perBlock[1]}`) });
    expect(await collect(readAvroBatches(path))).toStrictEqual([
      ...all.slice(0, perBlock[0]),
      {
        ok: false,
        where: `size.avro:block 2 (byte ${starts[1]})`,
        reason: `corrupt block: size 1000000 runs past the end of the file; skipped ${skipped} bytes to the next sync marker, records in them are lost`,
      },
      ...all.slice(perBlock[0] + perBlock[1]).map(renumber),
    ]);
  });

  it('a deflated block whose size is too large does not pass as filled exactly (inflate ignores bytes after its end)', async () => {
    const { path, records, file, starts, perBlock } = await blockFile('big.avro', 400, 'deflate');
    expect(starts.length).toBeGreaterThan(4);
    // Block 2's size grown by the length of block 3 and 5 bytes: block 3 lies inside it.
    const sizeAt = starts[1] + 1;
    let v = 0;
    for (let i = sizeAt, scale = 1; ; i++, scale *= 128) {
      v += (file[i] & 0x7f) * scale;
      if (!(file[i] & 0x80)) break;
    }
    const damaged = withSize(file, starts, 1, v / 2 + (starts[2] - starts[1]) + 5);
    writeFileSync(path, damaged);
    const skipped = damaged.indexOf(SYNC, starts[1]) + SYNC.length - starts[1];
    const all = okItems(records, 'big.avro', perBlock);
    const renumber = (item: InputItem): InputItem => ({ ...item, where: item.where.replace(/#(\d+)/, (_, n: string) => `#${Number(n) - perBlock[1]}`) });
    // Block 2 is lost (reported), block 3 is read: before, block 2 was read and block 3 lost without a word.
    expect(await collect(readAvroBatches(path))).toStrictEqual([
      ...all.slice(0, perBlock[0]),
      {
        ok: false,
        where: `big.avro:block 2 (byte ${starts[1]})`,
        reason: `corrupt block: sync marker mismatch; skipped ${skipped} bytes to the next sync marker, records in them are lost`,
      },
      ...all.slice(perBlock[0] + perBlock[1]).map(renumber),
    ]);
  });

  it('reports a file cut inside its last block\'s data as truncated, with the records it loses', async () => {
    const { path, records, file, starts, perBlock } = await blockFile('mid.avro', 200);
    const last = starts.length;
    const cut = starts[last - 1] + Math.floor((file.length - starts[last - 1]) / 2); // half way into the last block
    truncateSync(path, cut);
    const items = await collect(readAvroBatches(path));
    expect(items).toStrictEqual([
      ...okItems(records, 'mid.avro', perBlock.slice(0, -1)),
      {
        ok: false,
        where: `mid.avro:block ${last} (byte ${starts[last - 1]})`,
        reason: `truncated block: the file ends ${cut - starts[last - 1]} bytes into a ${file.length - starts[last - 1]}-byte block; its ${perBlock[last - 1]} records are lost`,
      },
    ]);
  });

  it('reports a block that does not inflate, and reads on', async () => {
    const { path, records, file, starts, perBlock } = await blockFile('inflate.avro', 300, 'deflate');
    // Garbage in block 2's compressed data (after its one-byte count and two-byte size).
    file.fill(0xff, starts[1] + 3, starts[1] + 40);
    writeFileSync(path, file);
    const items = await collect(readAvroBatches(path));
    const all = okItems(records, 'inflate.avro', perBlock);
    expect(items).toStrictEqual([
      ...all.slice(0, perBlock[0]),
      {
        ok: false,
        where: `inflate.avro:block 2 (byte ${starts[1]})`,
        reason: `deflate decompression failed (invalid block type); its ${perBlock[1]} records are lost`,
      },
      ...all.slice(perBlock[0] + perBlock[1]),
    ]);
  });

  it('reports a record that breaks the flow rules by block and record, and goes on', async () => {
    const path = tmp.file('rules.avro');
    const records = [flow({ flow_id: 'a' }), flow({ flow_id: 'b', dst_country: 'usa' }), flow({ flow_id: 'c', dst_country: 'fr' })];
    await writeAvro(path, records);
    expect(await collect(readAvroBatches(path))).toStrictEqual([
      { ok: true, flow: records[0], where: 'rules.avro:block 1 record 1 (#1)' },
      { ok: false, where: 'rules.avro:block 1 record 2 (#2)', reason: 'field dst_country: "usa" is not an ISO 3166-1 alpha-2 code' },
      { ok: true, flow: { ...records[2], dst_country: 'FR' }, where: 'rules.avro:block 1 record 3 (#3)' },
    ]);
  });

  it('reports an undecodable record and skips the rest of its block', async () => {
    const path = tmp.file('garbled.avro');
    const records = [flow({ flow_id: 'a' }), flow({ flow_id: 'b' }), flow({ flow_id: 'c' })];
    await writeAvro(path, records, { syncMarker: SYNC });
    const file = readFileSync(path);
    // The second record's gateway_id union index (after its flow_id "b") becomes 3.
    const recordSize = flowRecordType().toBuffer(records[0]).length;
    const dataStart = file.indexOf(SYNC) + SYNC.length + 1 + 2; // count 3: one byte; size about 150: two bytes
    expect(file.subarray(dataStart - 3, dataStart)).toEqual(Buffer.from([0x06, ...encodeSize(3 * recordSize)]));
    expect(file[dataStart + recordSize + 2]).toBe(0x02);
    file[dataStart + recordSize + 2] = 0x06;
    writeFileSync(path, file);
    expect(await collect(readAvroBatches(path))).toStrictEqual([
      { ok: true, flow: records[0], where: 'garbled.avro:block 1 record 1 (#1)' },
      {
        ok: false,
        where: 'garbled.avro:block 1 record 2 (#2)',
        reason: 'undecodable record: field gateway_id at byte 2: invalid union index 3 (expected 0 for null or 1 for a string); the 1 records after it in the block are skipped',
      },
    ]);
  });

  it('yields an error item, not an exception, for a missing file', async () => {
    const path = tmp.file('gone.avro');
    expect(await collect(readAvroBatches(path))).toStrictEqual([
      { ok: false, where: 'gone.avro:header', reason: `cannot read file: ENOENT: no such file or directory, open '${path}'` },
    ]);
  });

  it('reports files that are not Avro containers', async () => {
    const path = tmp.file('text.avro');
    writeFileSync(path, '{"flow_id": "x"}\n');
    expect(await collect(readAvroBatches(path))).toStrictEqual([
      { ok: false, where: 'text.avro:header', reason: 'not an Avro object container file (bad magic bytes)' },
    ]);
    const cut = tmp.file('cut-header.avro');
    await writeAvro(cut, flows(1));
    truncateSync(cut, 30);
    expect(await collect(readAvroBatches(cut))).toStrictEqual([{ ok: false, where: 'cut-header.avro:header', reason: 'truncated header' }]);
  });

  it('reports an unsupported codec and a schema that cannot be read as a flow', async () => {
    const other = tmp.file('other.avro');
    await writeAvro(other, [{ flow_id: 1 } as unknown as FlowRecord], {
      schema: { type: 'record', name: 'FlowRecord', namespace: 'egress_watch', fields: [{ name: 'flow_id', type: 'int' }] },
    });
    const items = await collect(readAvroBatches(other));
    expect(items).toStrictEqual([{ ok: false, where: 'other.avro:header', reason: 'the file\'s schema cannot be read as egress_watch.FlowRecord: cannot read "int" as "string"' }]);

    const snappy = tmp.file('snappy.avro');
    const encoder = new avro.streams.BlockEncoder(schemaJson('flow-record') as avro.Schema, {
      codec: 'snappy',
      codecs: { snappy: (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => cb(null, buf) },
    });
    const done = pipeline(encoder, createWriteStream(snappy));
    encoder.end(flow());
    await done;
    expect(await collect(readAvroBatches(snappy))).toStrictEqual([
      { ok: false, where: 'snappy.avro:header', reason: 'unsupported codec "snappy" (supported: null, deflate)' },
    ]);
  });

  it('reports progress and offers a one-item iterator', async () => {
    const path = tmp.file('flows.avro');
    await writeAvro(path, flows(10));
    const size = statSync(path).size;
    const calls: number[][] = [];
    const items: InputItem[] = [];
    for await (const item of readAvro(path, { onProgress: (read, total) => calls.push([read, total]), label: 'L' })) items.push(item);
    expect(items.map((i) => i.where)).toEqual(Array.from({ length: 10 }, (_, i) => `L:block 1 record ${i + 1} (#${i + 1})`));
    expect(calls).toEqual([[size, size]]);
  });

  it('AvroFileWriter rejects close when the file cannot be created', async () => {
    const writer = new AvroFileWriter(tmp.file('no/such/dir/x.avro'));
    writer.write(flow());
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });

  it('AvroFileWriter rejects a record that does not fit the schema at once', async () => {
    const writer = new AvroFileWriter(tmp.file('x.avro'));
    expect(() => writer.write({ ...flow(), src_port: 'http' } as unknown as FlowRecord)).toThrow(
      `${tmp.file('x.avro')}: record 1 does not fit the schema: field src_port: invalid value "http"`,
    );
    await writer.close();
  });
});

/** Zig-zag varint of a small non-negative number (two bytes up to 8191). */
function encodeSize(n: number): number[] {
  const z = n * 2;
  return z < 128 ? [z] : [(z & 0x7f) | 0x80, z >> 7];
}
