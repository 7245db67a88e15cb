// Property tests of the file readers (JSON Lines, gzip, Avro container files)
// with random and damaged content in real temp files: every read ends, never
// throws, and yields for each record a valid flow or an error naming where
// (line, header, block, record) and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateRawSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { FlowRecord } from '../../src/engine/types.js';
import { AvroFileWriter, readAvroBatches } from '../../src/io/avro-file.js';
import { openFlowInput } from '../../src/io/input.js';
import type { InputItem } from '../../src/io/input-item.js';
import {
  applyDamage,
  applyMutation,
  damageArb,
  mutationArb,
  newerFlowType,
  NEWER_FLOW_SCHEMA,
  newerRecordArb,
  normalised,
  ONE_MIB,
  toJsonText,
  validFlowArb,
} from '../../bench/fuzz/inputs.js';
import { fileItemProblem, judgeFlowOutcome } from '../../bench/fuzz/oracle.js';
import { collect, flow, tempDir } from './fixtures.js';

const SEED = 20260105;
const SYNC = Buffer.from('fedcba9876543210');

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.remove());

/** An error item must say where (file:line, file:header, file:block N ...) and why, briefly. */
function checkItem(item: InputItem, label: string): void {
  expect(fileItemProblem(item, label)).toBeNull();
}

type Line = { kind: 'valid'; flow: FlowRecord } | { kind: 'other'; bytes: Buffer };

const lineArb: fc.Arbitrary<Line> = fc.oneof(
  validFlowArb().map((f): Line => ({ kind: 'valid', flow: f })),
  fc.tuple(validFlowArb(), mutationArb()).map(([f, m]): Line => ({ kind: 'other', bytes: Buffer.from(toJsonText(applyMutation(f, m))) })),
  fc.uint8Array({ maxLength: 80 }).map((b): Line => ({ kind: 'other', bytes: Buffer.from(b.filter((x) => x !== 0x0a)) })),
  fc.constantFrom('', '   ', '\t', '{', '[]', 'null', '"x"', '{}').map((t): Line => ({ kind: 'other', bytes: Buffer.from(t) })),
);

function lineBytes(line: Line): Buffer {
  return line.kind === 'valid' ? Buffer.from(JSON.stringify(line.flow)) : line.bytes;
}

/** As the reader defines blank: empty, or only white space, once a CR before the LF is dropped. */
function isBlank(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  return (text.endsWith('\r') ? text.slice(0, -1) : text).trim().length === 0;
}

describe('JSON Lines readers under random lines', () => {
  it('yield one item per non-blank line, at its line number, valid or with a precise reason', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 30 }), fc.boolean(), fc.boolean(), async (lines, gzip, crlf) => {
        const name = `lines-${n++}.jsonl${gzip ? '.gz' : ''}`;
        const eol = Buffer.from(crlf ? '\r\n' : '\n');
        const text = Buffer.concat(lines.flatMap((l) => [lineBytes(l), eol]));
        writeFileSync(tmp.file(name), gzip ? gzipSync(text) : text);
        const items = await collect(openFlowInput(tmp.file(name), { chunkSize: 64 }));
        const expected = lines.map((l, i) => ({ l, line: i + 1 })).filter(({ l }) => !isBlank(Buffer.concat([lineBytes(l), crlf ? Buffer.from('\r') : Buffer.alloc(0)])));
        expect(items.map((i) => i.where)).toEqual(expected.map(({ line }) => `${name}:${line}`));
        items.forEach((item, i) => {
          const { l } = expected[i];
          if (l.kind === 'valid') expect(item).toStrictEqual({ ok: true, flow: normalised(l.flow), where: item.where });
          checkItem(item, name);
          if (!item.ok) judgeFlowOutcome({ ok: false, reason: item.reason });
        });
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('ends a damaged gzip file in the lines it could read and error items that say where', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(validFlowArb(), { minLength: 1, maxLength: 20 }), damageArb(), async (flows, damage) => {
        const name = 'damaged.jsonl.gz';
        const whole = gzipSync(Buffer.from(flows.map((f) => `${JSON.stringify(f)}\n`).join('')));
        writeFileSync(tmp.file(name), applyDamage(whole, damage));
        const items = await collect(openFlowInput(tmp.file(name)));
        for (const item of items) checkItem(item, name);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('rejects a 1 MiB line with the field it broke', async () => {
    const name = 'big.jsonl';
    writeFileSync(tmp.file(name), `${JSON.stringify(flow())}\n${JSON.stringify({ ...flow(), principal: ONE_MIB })}\n${JSON.stringify(flow())}\n`);
    expect(await collect(openFlowInput(tmp.file(name)))).toStrictEqual([
      { ok: true, flow: flow(), where: 'big.jsonl:1' },
      { ok: false, where: 'big.jsonl:2', reason: `field principal: 1048576 characters, more than the 1024 allowed (starts "${'x'.repeat(56)}...)` },
      { ok: true, flow: flow(), where: 'big.jsonl:3' },
    ]);
  });
});

async function writeAvro(path: string, records: object[], options: ConstructorParameters<typeof AvroFileWriter>[1]): Promise<void> {
  const writer = new AvroFileWriter(path, options);
  for (const r of records) if (!writer.write(r as FlowRecord)) await writer.drain();
  await writer.close();
}


describe('Avro container reader under damaged files', () => {
  it('ends every damaged file, local or newer writer schema, plain or deflated, in valid flows and precise error items', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(validFlowArb(), { minLength: 1, maxLength: 30 }).map((records) => ({ records: records as object[], schema: undefined as object | undefined })),
          fc.array(newerRecordArb(), { minLength: 1, maxLength: 30 }).map((records) => ({ records: records as object[], schema: NEWER_FLOW_SCHEMA as object | undefined })),
        ),
        fc.constantFrom<'null' | 'deflate'>('null', 'deflate'),
        fc.array(damageArb(), { minLength: 1, maxLength: 3 }),
        async ({ records, schema }, codec, damages) => {
          const name = `damaged-${n++}.avro`;
          await writeAvro(tmp.file(name), records, { codec, schema, blockSize: 512, syncMarker: SYNC });
          const whole = readFileSync(tmp.file(name));
          writeFileSync(tmp.file(name), damages.reduce<Buffer>((b, d) => applyDamage(b, d), whole));
          const items = await collect(readAvroBatches(tmp.file(name)));
          for (const item of items) checkItem(item, name);
        },
      ),
      { seed: SEED, numRuns: 50 },
    );
  });

  it('reads an undamaged newer-schema file in full', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(newerRecordArb(), { minLength: 1, maxLength: 30 }), async (records) => {
        const name = 'newer.avro';
        await writeAvro(tmp.file(name), records, { schema: NEWER_FLOW_SCHEMA, blockSize: 512, syncMarker: SYNC });
        const items = await collect(readAvroBatches(tmp.file(name)));
        expect(items.map((i) => (i.ok ? i.flow : i.reason))).toStrictEqual(
          records.map(({ tags: _t, labels: _l, hops: _h, ...plain }) => normalised(plain as unknown as FlowRecord)),
        );
      }),
      { seed: SEED, numRuns: 20 },
    );
  });

  it('refuses a block that inflates past the limit (a decompression bomb) and reads on', async () => {
    const name = 'bomb.avro';
    await writeAvro(tmp.file(name), [flow()], { codec: 'deflate', syncMarker: SYNC });
    const good = readFileSync(tmp.file(name));
    const bomb = deflateRawSync(Buffer.alloc(65 << 20), { level: 1 });
    const zigzag = (v: number): Buffer => {
      const out: number[] = [];
      let z = v * 2;
      while (z >= 0x80) {
        out.push((z % 0x80) | 0x80);
        z = Math.floor(z / 0x80);
      }
      out.push(z);
      return Buffer.from(out);
    };
    const bombBlock = Buffer.concat([zigzag(1), zigzag(bomb.length), bomb, SYNC]);
    writeFileSync(tmp.file(name), Buffer.concat([good, bombBlock, good.subarray(good.indexOf(SYNC) + SYNC.length)]));
    const items = await collect(readAvroBatches(tmp.file(name)));
    expect(items).toStrictEqual([
      { ok: true, flow: flow(), where: 'bomb.avro:block 1 record 1 (#1)' },
      { ok: false, where: `bomb.avro:block 2 (byte ${good.length})`, reason: 'the block inflates to more than 67108864 bytes, the limit; its 1 records are lost' },
      { ok: true, flow: flow(), where: 'bomb.avro:block 3 record 1 (#3)' },
    ]);
  });

  it('names a corrupt metadata map count in the header instead of looping on it', async () => {
    const name = 'header.avro';
    // Magic, then a map block count of 2^40 entries (each at least 2 bytes) with 3 bytes after it.
    writeFileSync(tmp.file(name), Buffer.from([0x4f, 0x62, 0x6a, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 1, 2, 3]));
    expect(await collect(readAvroBatches(tmp.file(name)))).toStrictEqual([
      { ok: false, where: 'header.avro:header', reason: 'corrupt header: field meta at byte 4: block count 1099511627776 needs at least 2199023255552 bytes, 3 left' },
    ]);
  });

  it('names a corrupt array count in a newer-schema record and skips the rest of its block', async () => {
    const name = 'tags.avro';
    const record = { ...flow(), tags: ['zz-unique-tag'], labels: {}, hops: [] };
    await writeAvro(tmp.file(name), [record], { schema: NEWER_FLOW_SCHEMA, syncMarker: SYNC });
    const file = readFileSync(tmp.file(name));
    const encoded = newerFlowType().toBuffer(record);
    const recordAt = file.indexOf(encoded);
    const countInRecord = encoded.indexOf(Buffer.from([0x02, 0x1a, ...Buffer.from('zz-unique-tag')]));
    expect(recordAt).toBeGreaterThan(0);
    expect(countInRecord).toBe(encoded.length - 18); // then the tag (14 bytes), the array's end, labels, hops
    file[recordAt + countInRecord] = 0x7e; // 63 items; 17 bytes follow in the block
    writeFileSync(tmp.file(name), file);
    expect(await collect(readAvroBatches(tmp.file(name)))).toStrictEqual([
      {
        ok: false,
        where: 'tags.avro:block 1 record 1 (#1)',
        reason: `undecodable record: field tags at byte ${countInRecord}: block count 63 needs at least 63 bytes, 17 left; the 0 records after it in the block are skipped`,
      },
    ]);
  });
});
