// The service's side of bad input: the topic decoders (gateway flows, repartition) and the
// schema registry client under random values and garbage registry answers. Every value must
// become a flow or a dead letter with a reason whose metric class matches its kind; nothing
// may throw out of decode, and a broken registry answer must not fail the batch.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { KafkaConfig } from '../../src/config/types.js';
import { decodeFlowMessage, encodeFlowAvro, encodeFlowConfluent, encodeFlowJson } from '../../src/io/wire.js';
import { gatewayDecoder, repartitionDecoder, type FlowDecoder } from '../../src/kafka/decoder.js';
import { reasonClass, type ReasonClass } from '../../src/kafka/dlq.js';
import { SchemaRegistryClient } from '../../src/kafka/schema-registry.js';
import { applyDamage, damageArb, validFlowArb } from '../../bench/fuzz/inputs.js';
import { judgeFlowOutcome } from '../../bench/fuzz/oracle.js';

const SEED = 20260105;

/** The dead-letter metric class each precise reason kind must get. */
const METRIC_CLASS: Record<string, ReasonClass> = {
  empty: 'empty',
  'json-syntax': 'json',
  'avro-truncated': 'avro',
  'avro-trailing': 'avro',
  'avro-structure': 'avro',
  'schema-id': 'schema',
  'missing-field': 'invalid_record',
  'field-value': 'invalid_record',
  'not-a-record': 'invalid_record',
};

function decoderFor(format: KafkaConfig['format']): FlowDecoder {
  return gatewayDecoder({ format, schema_registry: null } as KafkaConfig);
}

function checkDecode(decoder: FlowDecoder, value: Buffer | null): void {
  const out = decoder.decode(value);
  const kind = judgeFlowOutcome(out);
  if (!out.ok) expect(reasonClass(out.reason), out.reason).toBe(METRIC_CLASS[kind]);
}

describe('topic decoders under random values', () => {
  const decoders: FlowDecoder[] = [decoderFor('auto'), decoderFor('avro'), decoderFor('json'), repartitionDecoder];

  it('turn every value, random or a damaged flow, into a flow or a reason of the right metric class', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          fc.tuple(validFlowArb(), damageArb(), fc.nat(2)).map(([f, d, which]) =>
            applyDamage([encodeFlowAvro(f), encodeFlowConfluent(f, 9), encodeFlowJson(f)][which], d)),
          fc.constant(null),
        ),
        fc.nat(decoders.length - 1),
        (value, which) => checkDecode(decoders[which], value),
      ),
      { seed: SEED, numRuns: 800 },
    );
  });

  it('classes singular and plural trailing-byte reasons alike', () => {
    expect(reasonClass('1 trailing byte after record')).toBe('avro');
    expect(reasonClass('2 trailing bytes after record')).toBe('avro');
    expect(reasonClass('invalid Avro record: field tags at byte 3: negative block size -1')).toBe('avro');
    expect(reasonClass('field src_ip: "1.2.3" is not an IPv4 or IPv6 address')).toBe('invalid_record');
  });
});

describe('SchemaRegistryClient under garbage answers', () => {
  let server: Server;
  let url: string;
  const answers: Record<string, [number, string]> = {
    '/schemas/ids/31': [200, 'not json at all'],
    '/schemas/ids/32': [200, 'null'],
    '/schemas/ids/33': [200, '[1,2]'],
    '/schemas/ids/34': [200, JSON.stringify({ schema: '{"type": "record", "name": "x", "fields": [{"name": "a"}]}' })],
    '/schemas/ids/35': [200, JSON.stringify({ schema: '"string"' })],
    '/schemas/ids/36': [200, JSON.stringify({ schema: 42 })],
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const [status, body] = answers[req.url ?? ''] ?? [404, '{"error_code":40403}'];
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('marks each broken answer as that id\'s problem, and its records dead-letter with the id', async () => {
    const missing: string[] = [];
    const registry = new SchemaRegistryClient(url, (id, why) => missing.push(`${id}: ${why.replace(/: .*/, ': ...')}`));
    const f = { flow_id: 'f', gateway_id: null, start_ms: 1, end_ms: 2, src_ip: '1.2.3.4', dst_ip: '5.6.7.8', src_port: 1, dst_port: 2, protocol: 6, dst_host: null, dst_country: null, bytes_out: 1, bytes_in: 1, packets_out: 1, packets_in: 1, data_class: null, principal: null };
    const values = [31, 32, 33, 34, 35, 36, 37].map((id) => encodeFlowConfluent(f, id));
    await registry.prepare(values);
    expect(missing).toEqual([
      '31: answer is not JSON: ...',
      '32: answer is not a JSON object',
      '33: answer without a schema',
      '34: not a valid Avro schema: ...',
      '36: answer without a schema',
      '37: not registered',
    ]);
    const options = { schemas: registry.schemas, localFallback: false };
    const reasons = values.map((v) => {
      const out = decodeFlowMessage(v, 'auto', options);
      return out.ok ? 'ok' : out.reason;
    });
    expect(reasons).toEqual([
      'unknown schema id 31',
      'unknown schema id 32',
      'unknown schema id 33',
      'unknown schema id 34',
      'schema id 35: cannot be read as egress_watch.FlowRecord: the writer schema is a string, not a record',
      'unknown schema id 36',
      'unknown schema id 37',
    ]);
    for (const r of reasons) expect(reasonClass(r)).toBe('schema');
  });
});
