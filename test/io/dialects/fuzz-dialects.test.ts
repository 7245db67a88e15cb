// The sensor dialects under damaged records (bench/fuzz/dialect-inputs.ts, also a target of
// `npm run fuzz`): every line read as replay and the service read it ends in valid flow
// records or one precise reason, and nothing else is ever thrown out of a decoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../../src/engine/types.js';
import { createDecoder } from '../../../src/io/dialects/index.js';
import { decodeText } from '../../../src/io/dialects/read-file.js';
import { dialectInputArb, dialectReasonProblem, type DialectInput } from '../../../bench/fuzz/dialect-inputs.js';
import { acceptedFlowProblem, MAX_REASON_LENGTH } from '../../../bench/fuzz/oracle.js';

const NETS = ['10.0.0.0/8', '192.168.0.0/16', 'fd00::/8'];

function read({ dialect, lines, auto }: DialectInput): Array<FlowRecord[] | string> {
  const reading = { decoder: createDecoder(auto === true ? 'auto' : dialect, { internalNetworks: NETS }), enrich: (r: { flow: FlowRecord }) => r.flow };
  return lines.map((line) => decodeText(reading, line));
}

describe('sensor dialects under damaged records', () => {
  it('give valid flows or one precise, printable reason for every line, and throw nothing else', () => {
    let flows = 0;
    let reasons = 0;
    fc.assert(
      fc.property(dialectInputArb(), (input) => {
        for (const out of read(input)) {
          if (typeof out === 'string') {
            expect(dialectReasonProblem(out, MAX_REASON_LENGTH), out).toBeNull();
            reasons++;
          } else {
            for (const flow of out) expect(acceptedFlowProblem(flow)).toBeNull();
            flows += out.length;
          }
        }
      }),
      { seed: 20261207, numRuns: 3000 },
    );
    // Near-valid inputs: both outcomes are reached often, not only the first byte's check.
    expect(flows).toBeGreaterThan(300);
    expect(reasons).toBeGreaterThan(1000);
  });

  it('name the damaged member in the reason (hand-picked damage)', () => {
    const cases: Array<[DialectInput, string]> = [
      [
        { dialect: 'ocsf', lines: ['{"class_uid":4001,"activity_id":6,"time":1700000000000,"src_endpoint":{"ip":"10.0.0.1","port":1000},"dst_endpoint":{"ip":"192.0.2.1","port":443},"traffic":"x"}'] },
        'field traffic: "x" is not an object',
      ],
      [
        { dialect: 'goflow2', lines: ['{"type":"NETFLOW_V9","time_received_ns":1700000000000000000,"sampling_rate":10,"sampler_address":"192.168.0.1","bytes":[1],"packets":2,"src_addr":"10.0.0.1","dst_addr":"192.0.2.1","proto":"TCP","src_port":1000,"dst_port":443}'] },
        'field bytes: [1] is not a count (a whole number >= 0)',
      ],
      [
        { dialect: 'suricata', lines: ['{"timestamp":"2024-01-01T00:00:01.000000+0000","flow_id":123,"event_type":"flow","src_ip":"10.0.0.1","src_port":1000,"dest_ip":"192.0.2.1","dest_port":443,"proto":"TCP","flow":{"bytes_toserver":300,"bytes_toclient":200,"start":"2024-01-01T00:00:00.000000+0000","end":"\\ud800"}}'] },
        'field flow.end: "\\ud800" is not an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)',
      ],
      // A lone surrogate in the uid passes the decoder and is refused by the flow contract's check.
      [
        { dialect: 'zeek', lines: ['{"ts":1700000000.25,"uid":"\\ud800","id.orig_h":"10.0.0.1","id.orig_p":40000,"id.resp_h":"192.0.2.1","id.resp_p":443,"proto":"tcp","orig_bytes":10}'] },
        'field flow_id: "\\ud800" is not well-formed Unicode (a lone surrogate)',
      ],
    ];
    for (const [input, reason] of cases) {
      expect(read(input)).toEqual([reason]);
      expect(dialectReasonProblem(reason, MAX_REASON_LENGTH)).toBeNull();
    }
    // The oracle itself refuses a vague, an overlong and an unprintable reason.
    expect(dialectReasonProblem('something went wrong', MAX_REASON_LENGTH)).toBe('vague reason: something went wrong');
    expect(dialectReasonProblem(`field x: ${'y'.repeat(400)}`, MAX_REASON_LENGTH)).toMatch(/^reason of 409 characters: /);
    expect(dialectReasonProblem('field x: a\nb', MAX_REASON_LENGTH)).toBe('control characters in the reason: "field x: a\\nb"');
  });
});
