// Property tests of the Kafka message decoders (decodeFlowMessage, decodeAlert):
// random bytes, damaged valid encodings, records with one bad field, unknown
// schema ids. Every input must end in a valid record or a precise reason;
// nothing may throw or hang. Fixed seeds: failures reproduce.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Alert } from '../../src/engine/types.js';
import { alertType } from '../../src/io/schemas.js';
import { MAX_TEXT_LENGTH } from '../../src/io/validate-flow.js';
import {
  decodeAlert,
  decodeFlowMessage,
  encodeAlert,
  encodeFlowAvro,
  encodeFlowConfluent,
  encodeFlowJson,
  type DecodeResult,
  type WireFormat,
  type WireOptions,
} from '../../src/io/wire.js';
import {
  alertArb,
  applyDamage,
  applyMutation,
  damageArb,
  fitsAvro,
  mutationArb,
  newerFlowType,
  newerRecordArb,
  normalised,
  ONE_MIB,
  TEXT_FIELDS,
  RawJson,
  rawNumberMutationArb,
  toJsonText,
  validFlowArb,
  type Mutation,
} from '../../bench/fuzz/inputs.js';
import { judgeFlowOutcome, namesField, reasonClassOf } from '../../bench/fuzz/oracle.js';
import { flow, jsonParseError } from './fixtures.js';

const SEED = 20260105;
const NEWER_ID = 7;
const formatArb = fc.constantFrom<WireFormat>('auto', 'avro', 'json');
/** No registry (local schema for any id), a registry knowing only id 7 (the newer schema), the same with local fallback. */
const optionsArb = fc.constantFrom<WireOptions>(
  {},
  { schemas: new Map([[NEWER_ID, newerFlowType()]]) },
  { schemas: new Map([[NEWER_ID, newerFlowType()]]), localFallback: true },
);

function frame(id: number, body: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeInt32BE(id, 1);
  return Buffer.concat([head, body]);
}

/** Decodes, failing the test on an exception, and returns the judged outcome class. */
function judged(buf: Buffer, format: WireFormat, options: WireOptions): { out: DecodeResult; cls: string } {
  const out = decodeFlowMessage(buf, format, options);
  return { out, cls: judgeFlowOutcome(out) };
}

function expectRejectedNaming(out: DecodeResult, m: Mutation): void {
  expect(out.ok, `${m.kind} in ${m.field} was accepted`).toBe(false);
  if (!out.ok) expect(namesField(out.reason, m.field), `reason "${out.reason}" does not name ${m.field}`).toBe(true);
}

describe('decodeFlowMessage under random and damaged input', () => {
  it('ends every random byte string in a valid flow or a precise reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), formatArb, optionsArb, (bytes, format, options) => {
        judged(Buffer.from(bytes), format, options);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('decodes every valid flow in every encoding to the same normalised record', () => {
    fc.assert(
      fc.property(validFlowArb(), fc.integer({ min: 0, max: 0x7fffffff }), (f, id) => {
        const want = normalised(f);
        expect(decodeFlowMessage(encodeFlowAvro(f), 'auto')).toStrictEqual({ ok: true, flow: want });
        expect(decodeFlowMessage(encodeFlowConfluent(f, id), 'avro')).toStrictEqual({ ok: true, flow: want, schemaId: id });
        expect(decodeFlowMessage(encodeFlowJson(f), 'auto')).toStrictEqual({ ok: true, flow: want });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('decodes records of a newer writer schema (arrays, maps) through the registry', () => {
    const options = { schemas: new Map([[NEWER_ID, newerFlowType()]]) };
    fc.assert(
      fc.property(newerRecordArb(), (r) => {
        const { tags: _t, labels: _l, hops: _h, ...plain } = r;
        const out = decodeFlowMessage(frame(NEWER_ID, newerFlowType().toBuffer(r)), 'auto', options);
        expect(out).toStrictEqual({ ok: true, flow: normalised(plain as never), schemaId: NEWER_ID });
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('rejects every proper prefix of a valid encoding', () => {
    const f = flow({ dst_host: 'api.example.com', data_class: 'eu_user_data' });
    const encodings: [string, Buffer, WireOptions][] = [
      ['raw', encodeFlowAvro(f), {}],
      ['confluent', encodeFlowConfluent(f, 3), {}],
      ['newer', frame(NEWER_ID, newerFlowType().toBuffer({ ...f, tags: ['a', 'b'], labels: { k: 1 }, hops: [null] })), { schemas: new Map([[NEWER_ID, newerFlowType()]]) }],
      ['json', encodeFlowJson(f), {}],
    ];
    let tried = 0;
    for (const [name, whole, options] of encodings) {
      for (let cut = 0; cut < whole.length; cut++) {
        const { out, cls } = judged(whole.subarray(0, cut), 'auto', options);
        expect(out.ok, `${name} cut at ${cut}`).toBe(false);
        expect(['empty', 'avro-truncated', 'json-syntax', 'avro-structure', 'field-value']).toContain(cls);
        tried++;
      }
    }
    expect(tried).toBe(encodings.reduce((n, [, b]) => n + b.length, 0));
  });

  it('ends every damaged encoding (cut, bits flipped, overwritten, appended) in a valid flow or a precise reason', () => {
    const newerOptions = { schemas: new Map([[NEWER_ID, newerFlowType()]]) };
    fc.assert(
      fc.property(validFlowArb(), newerRecordArb(), damageArb(), fc.nat(3), formatArb, (f, r, damage, which, format) => {
        const encodings: [Buffer, WireOptions][] = [
          [encodeFlowAvro(f), {}],
          [encodeFlowConfluent(f, 1), {}],
          [frame(NEWER_ID, newerFlowType().toBuffer(r)), newerOptions],
          [encodeFlowJson(f), {}],
        ];
        const [whole, options] = encodings[which];
        judged(applyDamage(whole, damage), format, options);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('rejects a record with one bad field naming that field, in JSON and in Avro alike', () => {
    fc.assert(
      fc.property(validFlowArb(), mutationArb(), (f, m) => {
        const record = applyMutation(f, m);
        const json = decodeFlowMessage(Buffer.from(toJsonText(record)), 'auto');
        judgeFlowOutcome(json);
        if (m.expect === 'reject') expectRejectedNaming(json, m);
        else if (!json.ok) expect(namesField(json.reason, m.field), json.reason).toBe(true);
        if (fitsAvro(record)) {
          // Avro carries the same values: the same verdict and the same reason.
          const raw = decodeFlowMessage(encodeFlowAvro(record as never), 'auto');
          const confluent = decodeFlowMessage(encodeFlowConfluent(record as never, 5), 'auto');
          expect(raw).toStrictEqual(json);
          expect(confluent).toStrictEqual({ ...json, schemaId: 5 });
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('rejects a 1 MiB string in any string field, naming the field, in JSON, raw Avro and Confluent', () => {
    for (const field of TEXT_FIELDS) {
      const record = { ...flow(), [field]: ONE_MIB };
      const reason = field === 'src_ip' || field === 'dst_ip'
        ? `field ${field}: "${'x'.repeat(56)}... is not an IPv4 or IPv6 address`
        : field === 'dst_country'
          ? `field dst_country: "${'x'.repeat(56)}... is not an ISO 3166-1 alpha-2 code`
          : `field ${field}: 1048576 characters, more than the ${MAX_TEXT_LENGTH} allowed (starts "${'x'.repeat(56)}...)`;
      expect(decodeFlowMessage(Buffer.from(JSON.stringify(record)), 'auto')).toStrictEqual({ ok: false, reason });
      expect(decodeFlowMessage(encodeFlowAvro(record), 'auto')).toStrictEqual({ ok: false, reason });
      expect(decodeFlowMessage(encodeFlowConfluent(record, 1), 'auto')).toStrictEqual({ ok: false, reason, schemaId: 1 });
    }
  });

  it('rejects numbers JSON can write but a flow cannot hold, and accepts the harmless spellings', () => {
    fc.assert(
      fc.property(validFlowArb(), rawNumberMutationArb(), (f, m) => {
        const out = decodeFlowMessage(Buffer.from(toJsonText(applyMutation(f, m))), 'json');
        judgeFlowOutcome(out);
        if (m.expect === 'reject') expectRejectedNaming(out, m);
        // Fine as a number; may still break end_ms >= start_ms.
        else if (!out.ok) expect(namesField(out.reason, m.field), out.reason).toBe(true);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('answers an unknown schema id with exactly that, whatever the body', () => {
    const options = { schemas: new Map([[NEWER_ID, newerFlowType()]]) };
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).filter((id) => id !== NEWER_ID), fc.uint8Array({ maxLength: 200 }), (id, body) => {
        expect(decodeFlowMessage(frame(id, body), 'auto', options)).toStrictEqual({ ok: false, reason: `unknown schema id ${id}`, schemaId: id });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('gives exact reasons for hand-picked bad input', () => {
    const f = flow();
    const json = (over: Record<string, unknown>): Buffer => Buffer.from(toJsonText({ ...f, ...over }));
    const tags = newerFlowType().toBuffer({ ...f, tags: [], labels: {}, hops: [] });
    // The tags count sits 3 bytes from the end (tags, labels, hops: one 0x00 each); 2^40 items.
    const hugeCount = Buffer.concat([tags.subarray(0, tags.length - 3), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]), Buffer.from([0, 0])]);
    const negativeSize = Buffer.concat([tags.subarray(0, tags.length - 3), Buffer.from([0x01, 0x01, 0x02, 0x61]), Buffer.from([0, 0])]);
    const manyNulls = Buffer.concat([tags.subarray(0, tags.length - 1), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0])]);
    const registry = { schemas: new Map([[NEWER_ID, newerFlowType()]]) };
    const at = tags.length - 3;
    const cases: [Buffer, WireFormat, WireOptions, object][] = [
      [json({ src_port: 70000 }), 'auto', {}, { ok: false, reason: 'field src_port: expected an integer 0..65535, got 70000' }],
      [json({ bytes_out: -1 }), 'json', {}, { ok: false, reason: 'field bytes_out: expected a non-negative integer, got -1' }],
      [json({ bytes_out: 1.5 }), 'json', {}, { ok: false, reason: 'field bytes_out: expected a non-negative integer, got 1.5' }],
      [json({ bytes_in: 'NaN' }), 'json', {}, { ok: false, reason: 'field bytes_in: expected a non-negative integer, got "NaN"' }],
      [json({ bytes_in: Number.MAX_SAFE_INTEGER }), 'json', {}, { ok: false, reason: 'field bytes_in: 9007199254740991 is beyond the largest count accepted, 9007199254740990' }],
      [json({ bytes_in: Number.MAX_SAFE_INTEGER - 1 }), 'json', {}, { ok: true, flow: { ...f, bytes_in: 9007199254740990 } }],
      [Buffer.from('{\n"a":\u0000}'), 'json', {}, { ok: false, reason: `invalid JSON: ${jsonParseError('{\n"a":\u0000}')}` }],
      [Buffer.from(toJsonText({ ...f, packets_in: new RawJson('1e999') })), 'json', {}, { ok: false, reason: 'field packets_in: expected a non-negative integer, got Infinity' }],
      [Buffer.from(toJsonText({ ...f, start_ms: new RawJson('18446744073709551616') })), 'json', {}, { ok: false, reason: 'field start_ms: 18446744073709552000 is after 9999-12-31T23:59:59.999Z, the latest time accepted' }],
      [json({ end_ms: 9_000_000_000_000_000 }), 'json', {}, { ok: false, reason: 'field end_ms: 9000000000000000 is after 9999-12-31T23:59:59.999Z, the latest time accepted' }],
      [json({ dst_ip: '256.1.1.1' }), 'json', {}, { ok: false, reason: 'field dst_ip: "256.1.1.1" is not an IPv4 or IPv6 address' }],
      [json({ dst_ip: `fe80::1%${'e'.repeat(60)}` }), 'json', {}, { ok: false, reason: `field dst_ip: "fe80::1%${'e'.repeat(48)}... is not an IPv4 or IPv6 address` }],
      [json({ dst_country: 'USA' }), 'json', {}, { ok: false, reason: 'field dst_country: "USA" is not an ISO 3166-1 alpha-2 code' }],
      [json({ flow_id: ONE_MIB }), 'json', {}, { ok: false, reason: `field flow_id: 1048576 characters, more than the ${MAX_TEXT_LENGTH} allowed (starts "${'x'.repeat(56)}...)` }],
      [encodeFlowAvro({ ...f, dst_host: ONE_MIB }), 'avro', {}, { ok: false, reason: `field dst_host: 1048576 characters, more than the ${MAX_TEXT_LENGTH} allowed (starts "${'x'.repeat(56)}...)` }],
      [json({ principal: 'p'.repeat(MAX_TEXT_LENGTH) }), 'json', {}, { ok: true, flow: { ...f, principal: 'p'.repeat(MAX_TEXT_LENGTH) } }],
      [json({ src_ip: undefined }), 'json', {}, { ok: false, reason: 'missing required field src_ip' }],
      [json({ extra: { nested: [1, 2] }, gateway_id: undefined }), 'json', {}, { ok: true, flow: { ...f, gateway_id: null } }],
      [Buffer.from('{"flow_id": NaN}'), 'json', {}, { ok: false, reason: `invalid JSON: Unexpected token 'N', "{"flow_id": NaN}" is not valid JSON` }],
      [frame(99, encodeFlowAvro(f)), 'auto', registry, { ok: false, reason: 'unknown schema id 99', schemaId: 99 }],
      // Raw Avro whose flow_id length byte is white space (5: 0x0A, 16: 0x20) and whose id starts with '{'.
      [encodeFlowAvro({ ...f, flow_id: '{abcd' }), 'auto', {}, { ok: true, flow: { ...f, flow_id: '{abcd' } }],
      [encodeFlowAvro({ ...f, flow_id: '{abcdefghijklmno' }), 'auto', {}, { ok: true, flow: { ...f, flow_id: '{abcdefghijklmno' } }],
      [Buffer.from('\n{"flow_id":'), 'auto', {}, { ok: false, reason: `invalid JSON: ${jsonParseError('\n{"flow_id":')}` }],
      [frame(NEWER_ID, hugeCount), 'auto', registry, { ok: false, reason: `invalid Avro record: field tags at byte ${at}: block count 1099511627776 needs at least 1099511627776 bytes, 2 left`, schemaId: NEWER_ID }],
      [frame(NEWER_ID, negativeSize), 'auto', registry, { ok: false, reason: `invalid Avro record: field tags at byte ${at}: negative block size -1`, schemaId: NEWER_ID }],
      [frame(NEWER_ID, manyNulls), 'auto', registry, { ok: false, reason: `invalid Avro record: field hops at byte ${tags.length - 1}: block count 1099511627776: more than 1000000 items that take no bytes`, schemaId: NEWER_ID }],
    ];
    for (const [buf, format, options, expected] of cases) expect(decodeFlowMessage(buf, format, options)).toStrictEqual(expected);
  });
});

describe('decodeAlert under random and damaged input', () => {
  function judgeAlert(buf: Buffer): void {
    const out = decodeAlert(buf, 'auto');
    if (out.ok) {
      expect(alertType().isValid(out.alert)).toBe(true);
    } else {
      expect(reasonClassOf(out.reason), out.reason).not.toBeNull();
    }
  }

  it('ends random bytes and damaged alerts in a valid alert or a precise reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => judgeAlert(Buffer.from(bytes))),
      { seed: SEED, numRuns: 300 },
    );
    fc.assert(
      fc.property(alertArb(), damageArb(), fc.constantFrom('json', 'avro', 'confluent'), (a, damage, how) => {
        const whole = how === 'json' ? encodeAlert(a, 'json') : how === 'avro' ? encodeAlert(a, 'avro') : encodeAlert(a, 'avro', 12);
        judgeAlert(applyDamage(whole, damage));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('names the array whose count is corrupt instead of looping on it', () => {
    const a = alertFixture();
    const good = encodeAlert(a, 'avro');
    // sample_flow_ids: block count 1 (0x02), then the string "sample-id-zz" (length 12: 0x18).
    const at = good.indexOf(Buffer.from([0x02, 0x18, ...Buffer.from('sample-id-zz')]));
    expect(at).toBeGreaterThan(0);
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]), good.subarray(at + 1)]);
    const left = bad.length - at - 6;
    expect(decodeAlert(bad, 'auto')).toStrictEqual({
      ok: false,
      reason: `invalid Avro record: field sample_flow_ids at byte ${at}: block count 1099511627776 needs at least 1099511627776 bytes, ${left} left`,
    });
    // A megabyte value is not echoed back into the reason.
    expect(decodeAlert(Buffer.from(JSON.stringify({ ...a, severity: ONE_MIB })), 'json')).toStrictEqual({
      ok: false,
      reason: `field severity: invalid value "${'x'.repeat(56)}... (expected one of LOW, MEDIUM, HIGH, CRITICAL)`,
    });
  });
});

function alertFixture(): Alert {
  return {
    alert_id: 'a-1',
    type: 'VOLUME_SPIKE',
    severity: 'HIGH',
    destination: 'api.example.com',
    dst_country: 'DE',
    data_class: null,
    principal: null,
    gateway_id: 'gw',
    window_start_ms: 1000,
    window_end_ms: 2000,
    flow_count: 3,
    bytes: 99,
    observed: 1.5,
    expected: 0.5,
    score: 7,
    threshold: 6,
    reason: 'r',
    sample_flow_ids: ['sample-id-zz'],
    config_version: 'c',
    detected_at_ms: 2000,
  };
}
