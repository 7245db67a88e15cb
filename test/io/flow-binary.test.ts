import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { canDecodeFast, decodeFlowBinary, decodeLong, newCursor, TRUNCATED } from '../../src/io/flow-binary.js';
import { flowRecordType, schemaJson } from '../../src/io/schemas.js';
import { flow } from './fixtures.js';

// flow() encoded by hand from the Avro specification (zig-zag varints,
// length-prefixed strings, union branch index before the value).
const HAND_ENCODED = Buffer.from([
  0x04, 0x66, 0x31, // flow_id "f1"
  0x02, 0x02, 0x67, // gateway_id: branch 1, "g"
  0xd0, 0x0f, // start_ms 1000
  0xa0, 0x1f, // end_ms 2000
  0x10, ...Buffer.from('10.0.0.1'), // src_ip
  0x0e, ...Buffer.from('1.2.3.4'), // dst_ip
  0x80, 0xf1, 0x04, // src_port 40000
  0xf6, 0x06, // dst_port 443
  0x0c, // protocol 6
  0x00, // dst_host null
  0x02, 0x04, 0x44, 0x45, // dst_country "DE"
  0x0a, 0x00, 0x02, 0x02, // bytes_out 5, bytes_in 0, packets_out 1, packets_in 1
  0x00, // data_class null
  0x02, 0x0a, ...Buffer.from('alice'), // principal
]);

describe('decodeFlowBinary', () => {
  it('decodes the hand-encoded record', () => {
    const cursor = newCursor();
    expect(decodeFlowBinary(HAND_ENCODED, cursor, HAND_ENCODED.length)).toStrictEqual(flow());
    expect(cursor.pos).toBe(HAND_ENCODED.length);
    expect(flowRecordType().toBuffer(flow())).toEqual(HAND_ENCODED);
  });

  it('agrees with avsc on 3000 random records back to back', () => {
    const type = flowRecordType();
    const records = Array.from({ length: 3000 }, () => type.random() as unknown as Record<string, unknown>);
    records.push({ ...flow(), principal: 'jürgen', dst_host: 'Łódź.example.pl', gateway_id: '网关' });
    records.push({ ...flow(), start_ms: -(2 ** 40), end_ms: 2 ** 53 - 2, bytes_out: -(2 ** 53) + 2 });
    const buf = Buffer.concat(records.map((r) => type.toBuffer(r)));
    const cursor = newCursor();
    let pos = 0;
    for (const record of records) {
      const expected = type.decode(buf, pos);
      const got = decodeFlowBinary(buf, cursor, buf.length);
      expect(got).toEqual({ ...expected.value });
      expect(cursor.pos).toBe(expected.offset);
      pos = expected.offset;
      void record;
    }
    expect(cursor.pos).toBe(buf.length);
  });

  it('reports truncation at every possible cut', () => {
    for (let cut = 0; cut < HAND_ENCODED.length; cut++) {
      const cursor = newCursor();
      expect(decodeFlowBinary(HAND_ENCODED, cursor, cut)).toBeNull();
      expect(cursor.error).toBe(TRUNCATED);
      expect(cursor.pos).toBe(0);
    }
  });

  it('names invalid union indexes, negative lengths and oversized varints', () => {
    const cases: [Buffer, string][] = [
      [Buffer.from([0x02, 0x61, 0x06]), 'field gateway_id at byte 2: invalid union index 3 (expected 0 for null or 1 for a string)'],
      [Buffer.from([0x03]), 'field flow_id at byte 0: negative string length -2'],
      [Buffer.from([0x02, 0x61, 0x00, ...Array(10).fill(0xff), 0x01]), 'field start_ms at byte 3: invalid varint (more than 10 bytes)'],
      // zig-zag 2^60: beyond 2^53.
      [Buffer.from([0x02, 0x61, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]), 'field start_ms at byte 3: long beyond 2^53 (potential precision loss)'],
    ];
    for (const [bytes, error] of cases) {
      const cursor = newCursor();
      expect(decodeFlowBinary(bytes, cursor, bytes.length)).toBeNull();
      expect(cursor.error).toBe(error);
    }
  });
});

/** Reference Avro long encoding with BigInt (avsc's own encoder rounds beyond 2^52). */
function encodeLong(value: number): Buffer {
  const v = BigInt(value);
  let z = v >= 0n ? v << 1n : ((-v) << 1n) - 1n;
  const bytes: number[] = [];
  do {
    let byte = Number(z & 0x7fn);
    z >>= 7n;
    if (z > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (z > 0n);
  return Buffer.from(bytes);
}

describe('decodeLong', () => {
  it('decodes zig-zag varints over the whole safe integer range', () => {
    const values = [
      0, -1, 1, 63, -64, 64, 2 ** 31, -(2 ** 31) - 1, 2 ** 35 + 7, 2 ** 52 + 1, -(2 ** 52) - 1,
      Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
    ];
    expect(encodeLong(-(2 ** 52) - 1)).toEqual(Buffer.from([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]));
    const buf = Buffer.concat(values.map(encodeLong));
    const cursor = newCursor();
    expect(values.map(() => decodeLong(buf, cursor, buf.length))).toEqual(values);
    expect(cursor.pos).toBe(buf.length);
    expect(decodeLong(buf, cursor, buf.length)).toBeNaN();
    expect(cursor.error).toBe(TRUNCATED);
  });

  it('rejects values beyond the safe integer range', () => {
    for (const tooBig of [2 ** 53, -(2 ** 53)]) {
      const cursor = newCursor();
      const buf = encodeLong(tooBig);
      expect(decodeLong(buf, cursor, buf.length)).toBeNaN();
      expect(cursor.error).toBe('long beyond 2^53 (potential precision loss)');
    }
  });
});

describe('canDecodeFast', () => {
  it('accepts the local schema, also re-parsed, and nothing else', () => {
    expect(canDecodeFast(flowRecordType())).toBe(true);
    expect(canDecodeFast(avro.Type.forSchema(schemaJson('flow-record') as avro.Schema))).toBe(true);
    const older = structuredClone(schemaJson('flow-record')) as { fields: { name: string }[] };
    older.fields = older.fields.filter((f) => f.name !== 'principal');
    expect(canDecodeFast(avro.Type.forSchema(older as avro.Schema))).toBe(false);
  });
});
