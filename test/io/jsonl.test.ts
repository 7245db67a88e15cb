import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { JsonlWriter, readJsonl, readJsonlBatches } from '../../src/io/jsonl.js';
import type { InputItem } from '../../src/io/input-item.js';
import { collect, flow, flows, tempDir, jsonParseError } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const BAD_JSON = '{"flow_id": "f3",';
const f1 = flow({ flow_id: 'f1', principal: 'jürgen' });
const f2 = flow({ flow_id: 'f2', dst_host: 'Łódź.example.pl' });
const f6 = flow({ flow_id: 'f6' });
const f8 = flow({ flow_id: 'f8', dst_country: 'GB' });
const MIXED = [
  JSON.stringify(f1),
  JSON.stringify(f2),
  BAD_JSON,
  '',
  JSON.stringify({ ...flow({ flow_id: 'f5' }), bytes_out: 'lots' }),
  JSON.stringify({ ...f6, dst_country: 'de' }) + '\r',
  '   ',
  JSON.stringify(f8), // no newline at the end of the file
].join('\n');

const MIXED_EXPECTED: InputItem[] = [
  { ok: true, flow: f1, where: 'flows.jsonl:1' },
  { ok: true, flow: f2, where: 'flows.jsonl:2' },
  { ok: false, where: 'flows.jsonl:3', reason: `invalid JSON: ${jsonParseError(BAD_JSON)}` },
  { ok: false, where: 'flows.jsonl:5', reason: 'field bytes_out: expected a non-negative integer, got "lots"' },
  { ok: true, flow: f6, where: 'flows.jsonl:6' },
  { ok: true, flow: f8, where: 'flows.jsonl:8' },
];

describe('readJsonlBatches', () => {
  it('reports the bad lines by file:line and yields the good records in order', async () => {
    const path = tmp.file('flows.jsonl');
    writeFileSync(path, MIXED);
    expect(await collect(readJsonlBatches(path))).toStrictEqual(MIXED_EXPECTED);
  });

  it('gives the same items whatever the read size (lines and UTF-8 characters split across chunks)', async () => {
    const path = tmp.file('flows.jsonl');
    writeFileSync(path, MIXED);
    for (const chunkSize of [1, 2, 7, 64]) {
      expect(await collect(readJsonlBatches(path, { chunkSize }))).toStrictEqual(MIXED_EXPECTED);
    }
  });

  it('reads .jsonl.gz', async () => {
    const path = tmp.file('flows.jsonl.gz');
    writeFileSync(path, gzipSync(Buffer.from(MIXED)));
    const items = await collect(readJsonlBatches(path));
    expect(items).toStrictEqual(MIXED_EXPECTED.map((item) => ({ ...item, where: item.where.replace('flows.jsonl', 'flows.jsonl.gz') })));
  });

  it('refuses a record whose text held bytes that are not UTF-8 (read as U+FFFD), naming the field; an escaped one too', async () => {
    const path = tmp.file('flows.jsonl');
    const good = JSON.stringify(flow({ flow_id: 'g1', principal: 'svc-eu-export' }));
    // principal "svc-eu-" then the lone byte 0xC3 (a UTF-8 lead byte with no continuation).
    const [head, tail] = JSON.stringify(flow({ flow_id: 'b2', principal: 'svc-eu-@' })).split('@');
    const escaped = JSON.stringify(flow({ flow_id: 'b3', dst_host: 'bad\ufffdhost.example' }));
    writeFileSync(path, Buffer.concat([Buffer.from(`${good}\n${head}`), Buffer.from([0xc3]), Buffer.from(`${tail}\n${escaped}\n`)]));
    expect(await collect(readJsonlBatches(path))).toStrictEqual([
      { ok: true, flow: flow({ flow_id: 'g1', principal: 'svc-eu-export' }), where: 'flows.jsonl:1' },
      { ok: false, where: 'flows.jsonl:2', reason: 'field principal: "svc-eu-\ufffd" holds U+FFFD, the replacement character: the input\'s bytes there were not UTF-8' },
      { ok: false, where: 'flows.jsonl:3', reason: 'field dst_host: "bad\ufffdhost.example" holds U+FFFD, the replacement character: the input\'s bytes there were not UTF-8' },
    ]);
  });

  it('reads past a UTF-8 byte order mark at the start of the file, whatever the read size', async () => {
    const path = tmp.file('flows.jsonl');
    writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${JSON.stringify(f1)}\n${JSON.stringify(f8)}`)]));
    for (const chunkSize of [1, 2, 64]) {
      expect(await collect(readJsonlBatches(path, { chunkSize }))).toStrictEqual([
        { ok: true, flow: f1, where: 'flows.jsonl:1' },
        { ok: true, flow: f8, where: 'flows.jsonl:2' },
      ]);
    }
    const only = tmp.file('one.jsonl'); // the first line is the last, with no newline
    writeFileSync(only, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(f8))]));
    expect(await collect(readJsonlBatches(only))).toStrictEqual([{ ok: true, flow: f8, where: 'one.jsonl:1' }]);
  });

  it('reads an empty file, compressed or not, as no line at all', async () => {
    writeFileSync(tmp.file('empty.jsonl'), '');
    writeFileSync(tmp.file('empty.jsonl.gz'), '');
    expect(await collect(readJsonlBatches(tmp.file('empty.jsonl')))).toStrictEqual([]);
    expect(await collect(readJsonlBatches(tmp.file('empty.jsonl.gz')))).toStrictEqual([]);
  });

  it('uses the label option in where', async () => {
    const path = tmp.file('flows.jsonl');
    writeFileSync(path, `${BAD_JSON}\n`);
    expect(await collect(readJsonlBatches(path, { label: 'data/in.jsonl' }))).toStrictEqual([
      { ok: false, where: 'data/in.jsonl:1', reason: `invalid JSON: ${jsonParseError(BAD_JSON)}` },
    ]);
  });

  it('yields an error item, not an exception, for a missing file', async () => {
    const path = tmp.file('gone.jsonl');
    const items = await collect(readJsonlBatches(path));
    expect(items).toStrictEqual([
      { ok: false, where: 'gone.jsonl:1', reason: `cannot read file: ENOENT: no such file or directory, stat '${path}'` },
    ]);
  });

  it('yields nothing for an empty file', async () => {
    const path = tmp.file('empty.jsonl');
    writeFileSync(path, '');
    expect(await collect(readJsonlBatches(path))).toStrictEqual([]);
  });

  it('reports a truncated .gz as an error item after the records it could read', async () => {
    const path = tmp.file('cut.jsonl.gz');
    const all = flows(2000);
    writeFileSync(path, gzipSync(Buffer.from(all.map((f) => JSON.stringify(f)).join('\n') + '\n')));
    truncateSync(path, statSync(path).size - 20);
    const items = await collect(readJsonlBatches(path));
    const good = items.slice(0, -1);
    expect(good.length).toBeGreaterThan(0);
    expect(good.length).toBeLessThan(2000);
    expect(good).toStrictEqual(all.slice(0, good.length).map((f, i) => ({ ok: true, flow: f, where: `cut.jsonl.gz:${i + 1}` })));
    expect(items.at(-1)).toStrictEqual({
      ok: false,
      where: `cut.jsonl.gz:${good.length + 1}`,
      reason: 'read failed: unexpected end of file',
    });
  });

  it('reports progress up to the file size', async () => {
    const path = tmp.file('flows.jsonl');
    writeFileSync(path, MIXED);
    const calls: [number, number][] = [];
    await collect(readJsonlBatches(path, { chunkSize: 100, onProgress: (read, total) => calls.push([read, total]) }));
    const size = statSync(path).size;
    expect(calls.at(-1)).toEqual([size, size]);
    expect(calls.length).toBe(Math.ceil(size / 100));
  });

  it('readJsonl yields single items', async () => {
    const path = tmp.file('flows.jsonl');
    writeFileSync(path, MIXED);
    const items: InputItem[] = [];
    for await (const item of readJsonl(path)) items.push(item);
    expect(items).toStrictEqual(MIXED_EXPECTED);
  });
});

describe('JsonlWriter', () => {
  it('writes one JSON value a line', async () => {
    const path = tmp.file('out.jsonl');
    const writer = new JsonlWriter(path);
    writer.write({ a: 1 });
    writer.write(flow());
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(`{"a":1}\n${JSON.stringify(flow())}\n`);
  });

  it('writes .gz and reads back every record', async () => {
    const path = tmp.file('out.jsonl.gz');
    const all = flows(5000);
    const writer = new JsonlWriter(path);
    for (const f of all) if (!writer.write(f)) await writer.drain();
    await writer.close();
    expect(gunzipSync(readFileSync(path)).toString('utf8')).toBe(all.map((f) => JSON.stringify(f) + '\n').join(''));
    const items = await collect(readJsonlBatches(path));
    expect(items).toStrictEqual(all.map((f, i) => ({ ok: true, flow: f, where: `out.jsonl.gz:${i + 1}` })));
  });

  it('writes to a given stream and leaves it open', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const writer = new JsonlWriter(stream);
    writer.write({ x: 'é' });
    await writer.close();
    expect(Buffer.concat(chunks).toString('utf8')).toBe('{"x":"é"}\n');
    expect(stream.writableEnded).toBe(false);
    expect(() => writer.write({})).toThrow('JsonlWriter: write after close');
  });

  it('rejects close when the file cannot be created', async () => {
    const writer = new JsonlWriter(tmp.file('no/such/dir/out.jsonl'));
    writer.write({ a: 1 });
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });
});
