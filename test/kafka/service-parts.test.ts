// The service's pure parts, no broker: the engine task's skipping of what its state already
// holds, the progress marker, dead-letter messages and reason classes, the forwarder, and the
// schema registry client against a small HTTP server on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowRecordType } from '../../src/io/schemas.js';
import { decodeFlowMessage, encodeFlowAvro, encodeFlowConfluent, encodeFlowJson } from '../../src/io/wire.js';
import { flowsTopicInput, repartitionDecoder, repartitionInput } from '../../src/kafka/decoder.js';
import { deadLetterMessage, reasonClass } from '../../src/kafka/dlq.js';
import { EngineTask, newBatchOutput, type RestoredState } from '../../src/kafka/engine-task.js';
import { Forwarder } from '../../src/kafka/forward.js';
import { partitionOfKey } from '../../src/kafka/murmur2.js';
import { decodePack, encodePack } from '../../src/kafka/repartition-pack.js';
import { newChainHead } from '../../src/audit/chain.js';
import { parseProgress, PROGRESS_KEY, progressEntry } from '../../src/kafka/progress.js';
import { SchemaRegistryClient } from '../../src/kafka/schema-registry.js';
import { flow, SEC, serviceConfig, T0, uniqueTopics } from './helpers/service-fixtures.js';

const config = serviceConfig('127.0.0.1:9092', uniqueTopics('parts'));

function msg(offset: number, value: Buffer | null, headers?: Record<string, string>) {
  return { offset: String(offset), key: null, value, headers };
}

function task(restored?: RestoredState, dedupeBySource = false): EngineTask {
  return new EngineTask({ config, topic: 'in', partition: 0, input: repartitionInput, dedupeBySource, restored });
}

/** Changelog as a restore would read it back: later entries win. */
function readBack(changes: Array<{ key: string; value: string | null }>, end: number): RestoredState {
  const entries = new Map<string, string | null>();
  let progress = null;
  for (const c of changes) {
    if (c.key === PROGRESS_KEY) progress = parseProgress(c.value!) as never;
    else entries.set(c.key, c.value);
  }
  return { entries, progress, changelogEnd: end };
}

describe('EngineTask', () => {
  it('writes the progress marker last, after the state changes of the batch', () => {
    const t = task();
    const out = newBatchOutput();
    t.accept(msg(0, encodeFlowAvro(flow({ dst_host: 'a.example', end_ms: T0 }))), out);
    t.finishBatch(0);
    const changes = t.commit();
    expect(changes.map((c) => c.key)).toEqual(['d:a.example', 'g:gw-1', 'm:silence', 'm:engine', PROGRESS_KEY]);
    expect(parseProgress(changes[changes.length - 1].value!)).toEqual({ topic: 'in', next: 1, sources: {}, chain: newChainHead() });
    expect(t.commit()).toEqual([]);
  });

  it('skips records below the restored next offset, so a re-read batch is not counted twice', () => {
    const records = [0, 1, 2, 3].map((i) => encodeFlowAvro(flow({ dst_host: 'a.example', end_ms: T0 + i * SEC, bytes_out: 100 })));
    const first = task();
    const out1 = newBatchOutput();
    for (const [i, r] of records.slice(0, 2).entries()) first.accept(msg(i, r), out1);
    first.finishBatch(1);
    const restored = readBack(first.commit(), 3);

    const second = task(restored);
    expect(second.nextOffset).toBe(2);
    expect(second.changelogEnd).toBe(3);
    const out2 = newBatchOutput();
    for (const [i, r] of records.entries()) second.accept(msg(i, r), out2); // the crash re-reads from offset 0
    expect(out2).toMatchObject({ processed: 2, skipped: 2 });

    const unbroken = task();
    const out3 = newBatchOutput();
    for (const [i, r] of records.entries()) unbroken.accept(msg(i, r), out3);
    expect(second.engine.snapshot()).toEqual(unbroken.engine.snapshot());
  });

  it('drops copies from the repartition topic by their source partition and offset', () => {
    const t = task(undefined, true);
    const out = newBatchOutput();
    const value = (i: number) => encodeFlowAvro(flow({ dst_host: 'a.example', end_ms: T0 + i * SEC }));
    const src = (p: number, o: number) => ({ 'x-source-partition': String(p), 'x-source-offset': String(o) });
    t.accept(msg(0, value(0), src(0, 10)), out);
    t.accept(msg(1, value(1), src(1, 5)), out);
    t.accept(msg(2, value(2), src(0, 11)), out);
    t.accept(msg(3, value(0), src(0, 10)), out); // the forwarder re-produced 10 and 11 after a crash
    t.accept(msg(4, value(2), src(0, 11)), out);
    t.accept(msg(5, value(3), src(0, 12)), out);
    expect(out).toMatchObject({ processed: 4, skipped: 2 });
    const marker = t.commit().find((c) => c.key === PROGRESS_KEY)!;
    expect(parseProgress(marker.value!)).toEqual({ topic: 'in', next: 6, sources: { '0': 12, '1': 5 }, chain: newChainHead() });
  });

  it('drops copies inside repartition packs flow by flow, however a re-read cut the source', () => {
    const t = task(undefined, true);
    const out = newBatchOutput();
    const value = (i: number) => encodeFlowAvro(flow({ dst_host: 'a.example', end_ms: T0 + i * SEC }));
    const pack = (sourcePartition: number, offsets: number[]) => encodePack({ sourcePartition, flows: offsets.map((o) => ({ offset: o, value: value(o) })) });
    t.accept(msg(0, pack(0, [10, 11])), out);
    t.accept(msg(1, pack(1, [5])), out);
    // The forwarder crashed before committing; its re-read batch began at 11 and went on to 12.
    t.accept(msg(2, pack(0, [11, 12])), out);
    t.accept(msg(3, Buffer.concat([pack(0, [13]), Buffer.from([0])])), out);
    expect(out).toMatchObject({ processed: 4, skipped: 1 });
    expect(out.deadLetters.map((d) => d.reason)).toEqual(['repartition pack: 1 trailing bytes after 1 flows']);
    const marker = t.commit().find((c) => c.key === PROGRESS_KEY)!;
    expect(parseProgress(marker.value!)).toEqual({ topic: 'in', next: 4, sources: { '0': 12, '1': 5 }, chain: newChainHead() });
  });

  it('applies every flow of one source message in a pack (a dialect may give several), and drops the copy in a later pack', () => {
    const t = task(undefined, true);
    const out = newBatchOutput();
    const value = (i: number) => encodeFlowAvro(flow({ dst_host: 'a.example', end_ms: T0 + i * SEC }));
    // Source message 20 gave two flows, 21 one; the forwarder crashed and sent 20 and 21 again.
    const flows = (offsets: number[]) => offsets.map((o, i) => ({ offset: o, value: value(i) }));
    t.accept(msg(0, encodePack({ sourcePartition: 0, flows: flows([20, 20, 21]) })), out);
    t.accept(msg(1, encodePack({ sourcePartition: 0, flows: flows([20, 20, 21, 22]) })), out);
    expect(out).toMatchObject({ processed: 4, skipped: 3 });
    const marker = t.commit().find((c) => c.key === PROGRESS_KEY)!;
    expect(parseProgress(marker.value!)).toMatchObject({ next: 2, sources: { '0': 22 } });
  });

  it('dead-letters a record it cannot decode, naming topic, partition and reason', () => {
    const t = task();
    const out = newBatchOutput();
    t.accept(msg(7, Buffer.from([1, 2, 3])), out);
    expect(out.processed).toBe(0);
    expect(out.deadLetters).toEqual([{ message: msg(7, Buffer.from([1, 2, 3])), reason: expect.any(String), topic: 'in', partition: 0 }]);
  });

  it('ignores the offsets of a marker written for another input topic', () => {
    const restored: RestoredState = { entries: new Map(), progress: { topic: 'other', next: 50, sources: {}, chain: newChainHead() }, changelogEnd: 1 };
    const warnings: string[] = [];
    const t = new EngineTask({ config, topic: 'in', partition: 0, input: repartitionInput, dedupeBySource: false, restored, warn: (m) => warnings.push(m) });
    expect(t.nextOffset).toBe(0);
    expect(warnings).toEqual(['changelog partition 0 was written while reading other; its input offsets are not used for in']);
  });
});

describe('progress marker', () => {
  it('round-trips and rejects what it does not understand', () => {
    const p = { topic: 't', next: 42, sources: { '3': 9 }, chain: { seq: 4, hash: 'ab'.repeat(32) } };
    expect(parseProgress(progressEntry(p).value!)).toEqual(p);
    // Markers written before the alert log was chained start a new chain.
    expect(parseProgress('{"v":1,"topic":"t","next":1,"sources":{}}')).toEqual({ topic: 't', next: 1, sources: {}, chain: newChainHead() });
    expect(parseProgress('{"v":1,"topic":"t","next":1,"sources":{},"chain":{"seq":-1,"hash":"x"}}')).toBe('progress marker: chain head seq is not a non-negative integer');
    expect(parseProgress('{')).toMatch(/^progress marker is not JSON/);
    expect(parseProgress('{"v":2}')).toBe('progress marker has an unknown version');
    expect(parseProgress('{"v":1,"topic":"t","next":"1","sources":{}}')).toBe('progress marker lacks topic, next or sources');
  });
});

describe('dead letters', () => {
  it('keep key, value and headers and add reason and source', () => {
    const m = { offset: '17', key: Buffer.from('k'), value: Buffer.from('v'), headers: { trace: Buffer.from('abc') } };
    expect(deadLetterMessage({ message: m, reason: 'empty message', topic: 'flows', partition: 2 })).toEqual({
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      headers: {
        trace: Buffer.from('abc'),
        'x-error-reason': 'empty message',
        'x-source-topic': 'flows',
        'x-source-partition': '2',
        'x-source-offset': '17',
      },
    });
  });

  it('class reasons for the metric label', () => {
    expect(reasonClass('empty message')).toBe('empty');
    expect(reasonClass('invalid JSON: Unexpected end of JSON input')).toBe('json');
    expect(reasonClass('truncated Avro record (10 bytes)')).toBe('avro');
    expect(reasonClass('invalid Avro record: bad')).toBe('avro');
    expect(reasonClass('3 trailing bytes after record')).toBe('avro');
    expect(reasonClass('unknown schema id 9')).toBe('schema');
    expect(reasonClass('missing required field bytes_out')).toBe('invalid_record');
  });
});

describe('Forwarder', () => {
  it('packs good flows per destination partition as raw Avro with their source offsets, and dead-letters the rest', () => {
    const f = flow({ dst_host: 'x.example', end_ms: T0 });
    const g = flow({ dst_host: 'c.example', end_ms: T0 });
    const h = flow({ dst_host: 'x.example', end_ms: T0 + SEC });
    const forwarder = new Forwarder('dst_host', flowsTopicInput(config), 4);
    const out = forwarder.forward('flows', 3, [msg(5, encodeFlowJson(f)), msg(6, Buffer.from('{')), msg(7, encodeFlowJson(g)), msg(8, encodeFlowJson(h))]);
    const headers = { 'x-source-topic': 'flows', 'x-source-partition': '3' };
    // Partitions among 4 as Kafka's default partitioner picks them (murmur2, checked against
    // Kafka's reference values in repartition-pack.test.ts): x.example 1, c.example 0.
    expect([partitionOfKey('x.example', 4), partitionOfKey('c.example', 4)]).toEqual([1, 0]);
    expect(out.forwarded).toEqual([
      { partition: 1, value: encodePack({ sourcePartition: 3, flows: [{ offset: 5, value: encodeFlowAvro(f) }, { offset: 8, value: encodeFlowAvro(h) }] }), headers },
      { partition: 0, value: encodePack({ sourcePartition: 3, flows: [{ offset: 7, value: encodeFlowAvro(g) }] }), headers },
    ]);
    expect(out.flows).toBe(3);
    expect(out.deadLetters.map((d) => [d.message.offset, d.reason.startsWith('invalid JSON')])).toEqual([['6', true]]);
  });

  it('packs raw Avro records as they came, and re-encodes JSON and Confluent-framed ones', () => {
    const f = flow({ dst_host: 'x.example', end_ms: T0 });
    const canonical = encodeFlowAvro(f);
    // The same record with its first length written in two bytes (0x80 | n, 0x00): valid Avro
    // that decodes to the same flow, but not what re-encoding it would give.
    const padded = Buffer.concat([Buffer.from([canonical[0] | 0x80, 0x00]), canonical.subarray(1)]);
    expect(decodeFlowMessage(padded, 'avro')).toEqual({ ok: true, flow: f });
    for (const format of ['auto', 'avro'] as const) {
      const forwarder = new Forwarder('dst_host', flowsTopicInput({ ...config, kafka: { ...config.kafka, format } }), 4);
      const out = forwarder.forward('flows', 0, [msg(1, padded), msg(2, encodeFlowJson(f)), msg(3, encodeFlowConfluent(f, 7))]);
      const pack = decodePack(out.forwarded[0].value as Buffer);
      if (typeof pack === 'string') throw new Error(pack);
      const expected = format === 'auto' ? [padded, canonical, canonical] : [padded, undefined, canonical];
      expect(pack.flows.map((x) => x.offset)).toEqual(format === 'auto' ? [1, 2, 3] : [1, 3]); // 'avro' dead-letters the JSON record
      expect(pack.flows.map((x) => x.value)).toEqual(expected.filter((v) => v !== undefined));
      // Stage two reads the same flow either way.
      expect(pack.flows.map((x) => repartitionDecoder.decode(x.value))).toEqual(pack.flows.map(() => ({ ok: true, flow: f })));
    }
  });
});

describe('SchemaRegistryClient', () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];
  // An older writer schema: the flow record without principal (the reader fills in its default, null).
  const schema = JSON.parse(JSON.stringify(flowRecordType().schema()));
  const older = { ...schema, fields: schema.fields.filter((x: { name: string }) => x.name !== 'principal') };

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/schemas/ids/21') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ schema: JSON.stringify(older) }));
      else if (req.url === '/schemas/ids/22') res.writeHead(200).end(JSON.stringify({ schema: '{}', schemaType: 'PROTOBUF' }));
      else res.writeHead(404).end('{"error_code":40403}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches writer schemas once by id and decodes with them; unknown or non-Avro ids stay unknown', async () => {
    const missing: string[] = [];
    const registry = new SchemaRegistryClient(url, (id, why) => missing.push(`${id}: ${why}`));
    const f = flow({ dst_host: 'x.example', end_ms: T0, principal: null });
    const { principal: _p, ...withoutPrincipal } = f;
    const body = avro.Type.forSchema(older).toBuffer(withoutPrincipal);
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 21]), body]);
    await registry.prepare([framed, framed, encodeFlowConfluent(f, 22), encodeFlowConfluent(f, 23), null]);
    await registry.prepare([framed]);
    expect(requests.sort()).toEqual(['/schemas/ids/21', '/schemas/ids/22', '/schemas/ids/23']);
    expect(missing).toEqual(['22: a PROTOBUF schema, not Avro', '23: not registered']);
    expect(decodeFlowMessage(framed, 'auto', { schemas: registry.schemas, localFallback: false })).toEqual({ ok: true, flow: f, schemaId: 21 });
    expect(decodeFlowMessage(encodeFlowConfluent(f, 23), 'auto', { schemas: registry.schemas, localFallback: false })).toMatchObject({
      ok: false,
      reason: 'unknown schema id 23',
    });
  });
});
