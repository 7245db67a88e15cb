import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import type { Alert } from '../../src/engine/types.js';
import { schemaJson } from '../../src/io/schemas.js';
import {
  decodeAlert,
  decodeFlowMessage,
  encodeAlert,
  encodeFlowAvro,
  encodeFlowConfluent,
  encodeFlowJson,
} from '../../src/io/wire.js';
import { flow, jsonParseError } from './fixtures.js';

function olderFlowType(): avro.Type {
  const older = structuredClone(schemaJson('flow-record')) as { fields: { name: string }[] };
  older.fields = older.fields.filter((f) => f.name !== 'principal');
  return avro.Type.forSchema(older as avro.Schema);
}

describe('flow messages', () => {
  const f = flow({ dst_host: 'api.example.com', data_class: 'eu_user_data' });

  it('round-trips raw Avro, Confluent and JSON', () => {
    expect(decodeFlowMessage(encodeFlowAvro(f), 'auto')).toStrictEqual({ ok: true, flow: f });
    expect(decodeFlowMessage(encodeFlowAvro(f), 'avro')).toStrictEqual({ ok: true, flow: f });
    const confluent = encodeFlowConfluent(f, 42);
    expect([...confluent.subarray(0, 5)]).toEqual([0, 0, 0, 0, 42]);
    expect(confluent.subarray(5)).toEqual(encodeFlowAvro(f));
    expect([...encodeFlowConfluent(f, 0x01020304).subarray(0, 5)]).toEqual([0, 1, 2, 3, 4]);
    expect(decodeFlowMessage(confluent, 'auto')).toStrictEqual({ ok: true, flow: f, schemaId: 42 });
    expect(decodeFlowMessage(confluent, 'avro')).toStrictEqual({ ok: true, flow: f, schemaId: 42 });
    const json = encodeFlowJson(f);
    expect(json.toString('utf8')).toBe(JSON.stringify(f));
    expect(decodeFlowMessage(json, 'auto')).toStrictEqual({ ok: true, flow: f });
    expect(decodeFlowMessage(json, 'json')).toStrictEqual({ ok: true, flow: f });
    expect(decodeFlowMessage(Buffer.from(` \n\t${JSON.stringify({ ...f, dst_country: 'de' })}`), 'auto')).toStrictEqual({ ok: true, flow: f });
  });

  it('gives exact reasons for bad messages', () => {
    const avroBytes = encodeFlowAvro(f);
    const cases: [Buffer, 'auto' | 'avro' | 'json', object][] = [
      [Buffer.alloc(0), 'auto', { ok: false, reason: 'empty message' }],
      [Buffer.from([1, 2]), 'auto', { ok: false, reason: 'invalid Avro record: field flow_id at byte 0: negative string length -1' }],
      [Buffer.from([0]), 'auto', { ok: false, reason: 'truncated Avro record (1 byte)' }],
      [Buffer.from([0, 0, 0, 0, 42, 1]), 'auto', { ok: false, reason: 'invalid Avro record: field flow_id at byte 0: negative string length -1', schemaId: 42 }],
      [Buffer.from([0, 0, 0, 0, 42]), 'avro', { ok: false, reason: 'truncated Avro record (0 bytes)', schemaId: 42 }],
      [avroBytes.subarray(0, 10), 'auto', { ok: false, reason: 'truncated Avro record (10 bytes)' }],
      [Buffer.concat([avroBytes, Buffer.from([1, 2, 3])]), 'auto', { ok: false, reason: '3 trailing bytes after record' }],
      [Buffer.concat([avroBytes, Buffer.from([1])]), 'avro', { ok: false, reason: '1 trailing byte after record' }],
      [Buffer.concat([encodeFlowConfluent(f, 3), Buffer.from([9, 9])]), 'auto', { ok: false, reason: '2 trailing bytes after record', schemaId: 3 }],
      [Buffer.from('{"a":'), 'auto', { ok: false, reason: `invalid JSON: ${jsonParseError('{"a":')}` }],
      [avroBytes, 'json', { ok: false, reason: `invalid JSON: ${jsonParseError(avroBytes.toString('utf8'))}` }],
      [Buffer.from('[1]'), 'json', { ok: false, reason: 'expected a record (JSON object), got an array' }],
      [Buffer.from('{"flow_id": "x"}'), 'avro', { ok: false, reason: 'invalid Avro record: field flow_id at byte 0: negative string length -62' }],
      [encodeFlowJson({ ...f, bytes_out: -5 }), 'auto', { ok: false, reason: 'field bytes_out: expected a non-negative integer, got -5' }],
      [encodeFlowAvro({ ...f, dst_country: 'usa' }), 'auto', { ok: false, reason: 'field dst_country: "usa" is not an ISO 3166-1 alpha-2 code' }],
      // Starts with 0x00 (the empty flow_id) but is no Confluent message: read as raw Avro.
      [encodeFlowAvro({ ...f, flow_id: '' }), 'auto', { ok: false, reason: 'field flow_id: expected a non-empty string, got ""' }],
    ];
    for (const [buf, format, expected] of cases) expect(decodeFlowMessage(buf, format)).toStrictEqual(expected);
  });

  it('resolves Confluent messages through known writer schemas by id', () => {
    const older = olderFlowType();
    const { principal: _p, ...withoutPrincipal } = f;
    const body = older.toBuffer(withoutPrincipal);
    const message = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), body]);
    const schemas = new Map([[7, older]]);
    expect(decodeFlowMessage(message, 'auto', { schemas })).toStrictEqual({ ok: true, flow: { ...f, principal: null }, schemaId: 7 });
    // Read with the local schema by default, the older bytes are short of the last field.
    expect(decodeFlowMessage(message, 'auto')).toStrictEqual({ ok: false, reason: `truncated Avro record (${body.length} bytes)`, schemaId: 7 });
    // An id not in the registry.
    const unknown = encodeFlowConfluent(f, 42);
    expect(decodeFlowMessage(unknown, 'auto', { schemas })).toStrictEqual({ ok: false, reason: 'unknown schema id 42', schemaId: 42 });
    expect(decodeFlowMessage(unknown, 'auto', { schemas, localFallback: true })).toStrictEqual({ ok: true, flow: f, schemaId: 42 });
    // A registered schema that cannot be read as a flow record.
    const incompatible = avro.Type.forSchema({ type: 'record', name: 'egress_watch.FlowRecord', fields: [{ name: 'flow_id', type: 'int' }] });
    const bad = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), incompatible.toBuffer({ flow_id: 1 })]);
    expect(decodeFlowMessage(bad, 'auto', { schemas: new Map([[9, incompatible]]) })).toStrictEqual({
      ok: false,
      reason: 'schema id 9: cannot be read as egress_watch.FlowRecord: cannot read "int" as "string"',
      schemaId: 9,
    });
  });
});

describe('longs at the edge of what avsc reads', () => {
  it('reads +-(2^53 - 2) through a writer schema and names the field and byte of +-(2^53 - 1)', () => {
    const f = flow({ dst_host: 'api.example.com', data_class: 'eu_user_data' });
    // A writer schema with a map of longs after the flow's fields: the resolver skips it, but
    // avsc still reads each long and throws past +-(2^53 - 2) (its isSafeLong), without a place.
    const local = schemaJson('flow-record') as { fields: unknown[] };
    const writer = avro.Type.forSchema({ ...local, fields: [...local.fields, { name: 'labels', type: { type: 'map', values: 'long' } }] } as avro.Schema);
    const schemas = new Map([[8, writer]]);
    const body = encodeFlowAvro(f);
    // One map block: count 1, key "a", the long as a zig-zag varint, then the end of the map.
    const message = (varint: number[]) => Buffer.concat([Buffer.from([0, 0, 0, 0, 8]), body, Buffer.from([0x02, 0x02, 0x61, ...varint, 0x00])]);
    const TAIL = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f];
    // Zig-zag 2^54 - 4 is 2^53 - 2, and 2^54 - 5 is -(2^53 - 2): read.
    expect(decodeFlowMessage(message([0xfc, ...TAIL]), 'auto', { schemas })).toStrictEqual({ ok: true, flow: f, schemaId: 8 });
    expect(decodeFlowMessage(message([0xfb, ...TAIL]), 'auto', { schemas })).toStrictEqual({ ok: true, flow: f, schemaId: 8 });
    // 2^54 - 2 is 2^53 - 1, and 2^54 - 3 is -(2^53 - 1): refused at the long's first byte,
    // after the 5-byte frame header: the flow's bytes, the block count, the key's length and "a".
    for (const first of [0xfe, 0xfd]) {
      expect(decodeFlowMessage(message([first, ...TAIL]), 'auto', { schemas })).toStrictEqual({
        ok: false,
        reason: `invalid Avro record: field labels[0] at byte ${body.length + 3}: long beyond 2^53 (potential precision loss)`,
        schemaId: 8,
      });
    }
  });
});

describe('alert messages', () => {
  const alert: Alert = {
    alert_id: 'a-1',
    type: 'VOLUME_SPIKE',
    severity: 'HIGH',
    destination: 'api.example.com',
    dst_country: 'US',
    data_class: 'eu_user_data',
    principal: null,
    gateway_id: 'gw-1',
    window_start_ms: 1_700_000_000_000,
    window_end_ms: 1_700_000_060_000,
    flow_count: 12,
    bytes: 123456789,
    observed: 123456789,
    expected: 1000.5,
    score: 7.25,
    threshold: 6,
    reason: 'api.example.com received 123 MB in one minute, 7.3 times its usual spread above normal.',
    sample_flow_ids: ['f1', 'f2'],
    config_version: 'cfg-abc',
    detected_at_ms: 1_700_000_060_000,
  };

  it('round-trips JSON, raw Avro and Confluent Avro', () => {
    expect(encodeAlert(alert, 'json').toString('utf8')).toBe(JSON.stringify(alert));
    expect(decodeAlert(encodeAlert(alert, 'json'))).toStrictEqual({ ok: true, alert });
    expect(decodeAlert(encodeAlert(alert, 'avro'))).toStrictEqual({ ok: true, alert });
    const confluent = encodeAlert(alert, 'avro', 5);
    expect([...confluent.subarray(0, 5)]).toEqual([0, 0, 0, 0, 5]);
    expect(decodeAlert(confluent)).toStrictEqual({ ok: true, alert, schemaId: 5 });
  });

  it('fills absent nullable fields and names the bad ones', () => {
    const { principal: _p, dst_country: _c, ...partial } = alert;
    expect(decodeAlert(Buffer.from(JSON.stringify(partial)))).toStrictEqual({ ok: true, alert: { ...alert, dst_country: null, principal: null } });
    const { reason: _r, ...noReason } = alert;
    expect(decodeAlert(Buffer.from(JSON.stringify(noReason)))).toStrictEqual({ ok: false, reason: 'missing required field reason' });
    expect(decodeAlert(Buffer.from(JSON.stringify({ ...alert, severity: 'URGENT' })))).toStrictEqual({
      ok: false,
      reason: 'field severity: invalid value "URGENT" (expected one of LOW, MEDIUM, HIGH, CRITICAL)',
    });
    expect(decodeAlert(Buffer.from(JSON.stringify({ ...alert, flow_count: 1.5 })))).toStrictEqual({
      ok: false,
      reason: 'field flow_count: invalid value 1.5',
    });
    expect(decodeAlert(Buffer.from(JSON.stringify({ ...alert, sample_flow_ids: ['f1', 2] })))).toStrictEqual({
      ok: false,
      reason: 'field sample_flow_ids.1: invalid value 2',
    });
    expect(decodeAlert(Buffer.from('[]'), 'json')).toStrictEqual({ ok: false, reason: 'expected an alert (JSON object)' });
    // Only '{' marks JSON in auto mode: anything else is read as Avro.
    // '[' (0x5B) read as Avro: the zig-zag string length -46 of alert_id.
    expect(decodeAlert(Buffer.from('[]'))).toStrictEqual({ ok: false, reason: 'invalid Avro record: field alert_id at byte 0: negative length -46' });
    expect(decodeAlert(encodeAlert(alert, 'avro').subarray(0, 20))).toStrictEqual({ ok: false, reason: 'truncated Avro record (20 bytes)' });
  });

  it('refuses to encode an alert that does not fit the schema', () => {
    expect(() => encodeAlert({ ...alert, type: 'NOPE' as Alert['type'] }, 'avro')).toThrow(
      'alert a-1 does not fit the alert schema: field type: invalid value "NOPE" (expected one of RESIDENCY_VIOLATION, UNAUTHORIZED_PRINCIPAL, GATEWAY_BYPASS, NEW_DESTINATION, VOLUME_SPIKE, SUSTAINED_INCREASE, GATEWAY_SILENT)',
    );
    expect(() => encodeAlert({ ...alert, score: Number.POSITIVE_INFINITY }, 'json')).toThrow(
      'alert a-1: field score is Infinity, which JSON cannot carry',
    );
    expect(decodeAlert(encodeAlert({ ...alert, score: Number.NaN }, 'avro'))).toMatchObject({ ok: true, alert: { score: Number.NaN } });
  });
});
