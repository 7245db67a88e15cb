import { describe, expect, it } from 'vitest';
import ipaddr from 'ipaddr.js';
import type { FlowRecord } from '../../src/engine/types.js';
import { checkFlow, checkFlowValues, errorText, FlowValidationError, validateFlow } from '../../src/io/validate-flow.js';
import { isIp } from '../../src/values/ip.js';
import { flow } from './fixtures.js';

function reasonFor(record: unknown): string {
  try {
    validateFlow(record);
  } catch (err) {
    expect(err).toBeInstanceOf(FlowValidationError);
    return (err as Error).message;
  }
  throw new Error('expected the record to be rejected');
}

describe('validateFlow', () => {
  it('returns exactly the contract fields, nullable absent fields as null, country upper-cased', () => {
    const input = {
      extra_field_from_a_newer_producer: 1,
      flow_id: 'x',
      start_ms: 5,
      end_ms: 5,
      src_ip: '192.168.0.1',
      dst_ip: '2001:db8::1',
      src_port: 0,
      dst_port: 65535,
      protocol: 255,
      dst_country: 'fr',
      bytes_out: 0,
      bytes_in: 9007199254740990, // the largest count an Avro long (as avsc writes it) holds
      packets_out: 0,
      packets_in: 0,
    };
    const out = validateFlow(input);
    expect(out).toStrictEqual({
      flow_id: 'x',
      gateway_id: null,
      start_ms: 5,
      end_ms: 5,
      src_ip: '192.168.0.1',
      dst_ip: '2001:db8::1',
      src_port: 0,
      dst_port: 65535,
      protocol: 255,
      dst_host: null,
      dst_country: 'FR',
      bytes_out: 0,
      bytes_in: 9007199254740990, // the largest count an Avro long (as avsc writes it) holds
      packets_out: 0,
      packets_in: 0,
      data_class: null,
      principal: null,
    });
    expect(Object.keys(out)).toEqual([
      'flow_id', 'gateway_id', 'start_ms', 'end_ms', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol',
      'dst_host', 'dst_country', 'bytes_out', 'bytes_in', 'packets_out', 'packets_in', 'data_class', 'principal',
    ]);
  });

  it('keeps a valid record unchanged', () => {
    expect(validateFlow(flow())).toStrictEqual(flow());
  });

  it.each([
    [{ bytes_out: -5 }, 'field bytes_out: expected a non-negative integer, got -5'],
    [{ bytes_in: 1.5 }, 'field bytes_in: expected a non-negative integer, got 1.5'],
    [{ packets_out: '12' }, 'field packets_out: expected a non-negative integer, got "12"'],
    [{ packets_in: 2 ** 53 }, 'field packets_in: 9007199254740992 is beyond the largest count accepted, 9007199254740990'],
    [{ packets_in: 2 ** 53 - 1 }, 'field packets_in: 9007199254740991 is beyond the largest count accepted, 9007199254740990'],
    [{ start_ms: null }, 'field start_ms: expected a non-negative integer, got null'],
    [{ dst_ip: '300.1.1.1' }, 'field dst_ip: "300.1.1.1" is not an IPv4 or IPv6 address'],
    [{ src_ip: '01.2.3.4' }, 'field src_ip: "01.2.3.4" is not an IPv4 or IPv6 address'],
    [{ src_ip: '2001:db8::g' }, 'field src_ip: "2001:db8::g" is not an IPv4 or IPv6 address'],
    [{ dst_ip: '' }, 'field dst_ip: expected a non-empty string, got ""'],
    [{ dst_ip: 7 }, 'field dst_ip: expected a non-empty string, got 7'],
    [{ dst_country: 'usa' }, 'field dst_country: "usa" is not an ISO 3166-1 alpha-2 code'],
    [{ dst_country: 'D1' }, 'field dst_country: "D1" is not an ISO 3166-1 alpha-2 code'],
    [{ dst_country: 49 }, 'field dst_country: expected a non-empty string or null, got 49'],
    [{ flow_id: '' }, 'field flow_id: expected a non-empty string, got ""'],
    [{ principal: '' }, 'field principal: expected a non-empty string or null, got ""'],
    [{ gateway_id: ['a'] }, 'field gateway_id: expected a non-empty string or null, got an array'],
    [{ data_class: { a: 1 } }, 'field data_class: expected a non-empty string or null, got an object'],
    [{ dst_host: false }, 'field dst_host: expected a non-empty string or null, got false'],
    [{ src_port: 70000 }, 'field src_port: expected an integer 0..65535, got 70000'],
    [{ dst_port: -1 }, 'field dst_port: expected an integer 0..65535, got -1'],
    [{ protocol: 256 }, 'field protocol: expected an integer 0..255, got 256'],
    [{ protocol: Number.NaN }, 'field protocol: expected an integer 0..255, got NaN'],
    [{ start_ms: 3000, end_ms: 2000 }, 'field end_ms: 2000 is before start_ms 3000'],
  ])('rejects %j', (overrides, message) => {
    expect(reasonFor(flow(overrides as never))).toBe(message);
  });

  it('cuts long bad values in the message', () => {
    // 60 characters at most: 57 of the JSON text (opening quote included) and '...'.
    expect(reasonFor(flow({ dst_ip: 'x'.repeat(100) }))).toBe(
      `field dst_ip: "${'x'.repeat(56)}... is not an IPv4 or IPv6 address`,
    );
    expect(reasonFor({ ...flow(), dst_country: 'y'.repeat(58) })).toBe(
      `field dst_country: "${'y'.repeat(58)}" is not an ISO 3166-1 alpha-2 code`,
    );
    expect(reasonFor({ ...flow(), principal: 42 })).toBe('field principal: expected a non-empty string or null, got 42');
    expect(reasonFor({ ...flow(), bytes_out: 'z'.repeat(80) })).toBe(
      `field bytes_out: expected a non-negative integer, got "${'z'.repeat(56)}...`,
    );
  });

  it('names missing required fields', () => {
    const { flow_id: _a, ...noId } = flow();
    expect(reasonFor(noId)).toBe('missing required field flow_id');
    const { protocol: _b, ...noProtocol } = flow();
    expect(reasonFor(noProtocol)).toBe('missing required field protocol');
    const { packets_in: _c, ...noPackets } = flow();
    expect(reasonFor(noPackets)).toBe('missing required field packets_in');
  });

  it('rejects what is not an object', () => {
    expect(reasonFor([1])).toBe('expected a record (JSON object), got an array');
    expect(reasonFor(null)).toBe('expected a record (JSON object), got null');
    expect(reasonFor('{"a":1}')).toBe('expected a record (JSON object), got "{\\"a\\":1}"');
  });

  it('checkFlow returns the reason instead of throwing', () => {
    expect(checkFlow(flow({ bytes_out: -5 }))).toBe('field bytes_out: expected a non-negative integer, got -5');
    expect(checkFlow(flow())).toStrictEqual(flow());
  });

  it('writes IPv6 addresses in RFC 5952 form, as the input dialects do: one key per address', () => {
    // Suricata's every-group-in-full spelling, upper case, an uncompressed run, a mapped IPv4.
    const read = validateFlow(flow({ src_ip: 'FE80:0000:0000:0000:0000:0000:0000:0001', dst_ip: '2001:0DB8:0:0:0:0:0:42' }));
    expect([read.src_ip, read.dst_ip]).toEqual(['fe80::1', '2001:db8::42']);
    expect(validateFlow(flow({ dst_ip: '0:0:0:0:0:ffff:c000:0201' })).dst_ip).toBe('::ffff:192.0.2.1');
    // Already in that form, or IPv4: as written.
    expect(validateFlow(flow({ dst_ip: '2001:db8::42' })).dst_ip).toBe('2001:db8::42');
    expect(validateFlow(flow({ dst_ip: '192.0.2.1' })).dst_ip).toBe('192.0.2.1');
  });

  it('writes them so on the Avro and wire paths too (checkFlowValues, on a typed record)', () => {
    const typed = flow({ dst_ip: '2001:DB8::0042' }) as unknown as FlowRecord;
    expect(checkFlowValues(typed)).toBeNull();
    expect(typed.dst_ip).toBe('2001:db8::42');
  });
});

describe('isIp', () => {
  // ipaddr.js is the reference: IPv4 in strict four-part decimal, or IPv6.
  const samples = [
    '0.0.0.0', '255.255.255.255', '256.0.0.1', '1.2.3', '1.2.3.4.5', '1.2.3.04', '10.0.0.1 ', ' 10.0.0.1',
    '0x7f.0.0.1', '127.1', '4294967295', '::', '::1', '2001:db8::1', 'fe80::1%eth0', '::ffff:1.2.3.4',
    '2001:db8:::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', 'host.example.com', '', '1.2.3.4/24',
    ':', ':::', '1::', '::1:2:3:4:5:6:7', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '1::2::3',
    'ABCD:EF01::1', 'abcde::1', '1:2:3:4:5:6:7', '1:2:3:4:5:6::7:8', '1:2:3:4:5:6:7:8:', ':1:2:3:4:5:6:7:8',
    '2001:db8:0:0:0:0:2:1', 'g::1', '1::g', '::ffff:10.0.0.1', 'fe80::1%25eth0', '1:2:3:4:5:6:7:8%eth0',
  ];
  it.each(samples)('agrees with ipaddr.js on %j', (text) => {
    const reference = ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
    expect(isIp(text)).toBe(reference);
  });

  it('agrees with ipaddr.js on 20000 generated near-addresses', () => {
    // Deterministic generator: random groups, '::' compressions and odd characters.
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = '0123456789abcdefABCDEF:g.';
    let disagreements = 0;
    let valid = 0;
    for (let k = 0; k < 20000; k++) {
      let text: string;
      if (rand(2) === 0) {
        const groups = Array.from({ length: 1 + rand(9) }, () => (rand(65536 * 2)).toString(16).slice(0, 1 + rand(5)));
        text = groups.join(':');
        if (rand(2) === 0) {
          const at = rand(text.length + 1);
          text = text.slice(0, at) + '::' + text.slice(at);
        }
      } else {
        text = Array.from({ length: 1 + rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
      }
      const reference = ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
      if (reference) valid++;
      if (isIp(text) !== reference) disagreements++;
    }
    expect(disagreements).toBe(0);
    expect(valid).toBeGreaterThan(1000); // the generator does reach valid addresses
  });

  it('rejects a lone surrogate from JSON, which Avro could not carry unchanged, and keeps real pairs', () => {
    const bad = JSON.parse('{"principal":"bob\\ud800"}').principal as string;
    expect(() => validateFlow({ ...flow(), principal: bad })).toThrow('field principal: "bob\\ud800" is not well-formed Unicode (a lone surrogate)');
    expect(validateFlow({ ...flow(), principal: 'bob😀' }).principal).toBe('bob😀');
  });
});

describe('errorText', () => {
  it('keeps a quoted input on one line: C0 and C1 controls and U+2028/U+2029 escaped', () => {
    expect(errorText(new Error('bad "a\nb\u0085c\u2028d\u2029e\u0018f\u007fg" here'))).toBe(
      'bad "a\\u000ab\\u0085c\\u2028d\\u2029e\\u0018f\\u007fg" here',
    );
    // V8's message for a line of binary bytes quotes them: the reason still reads as one line.
    let message = '';
    try {
      JSON.parse('\u0018\u2028x');
    } catch (e) {
      message = errorText(e);
    }
    expect(message).toMatch(/^[^\n\r\u2028\u2029\u0000-\u001f]+$/);
    expect(message).toContain('\\u2028');
  });

  it("keeps a field's quoted value on one line too: JSON leaves U+2028 and U+2029 as they are", () => {
    // Found by `npm run fuzz` (seed 24): a damaged message's flow_id held U+2029.
    expect(checkFlow(flow({ flow_id: 'a\u2029b\ufffd' }))).toBe('field flow_id: "a\\u2029b\ufffd" holds U+FFFD, the replacement character: the input\'s bytes there were not UTF-8');
    expect(checkFlow(flow({ src_ip: 'x\u2028y' }))).toBe('field src_ip: "x\\u2028y" is not an IPv4 or IPv6 address');
  });
});
