// The dialect path checks src_ip and dst_ip once, in each decoder (read-file.ts trusts that):
// every dialect must refuse a record whose either address is not IP text, naming its own field.
import { describe, expect, it } from 'vitest';
import { createDecoder, type InputFormatName } from '../../../src/io/dialects/index.js';
import { decodeText } from '../../../src/io/dialects/read-file.js';
import { NETS } from './helpers.js';

/** Per dialect: a line template with SRC and DST in place of the addresses, and the fields that hold them. */
const LINES: Array<[InputFormatName, string, string, string]> = [
  ['zeek', '{"ts":1700000000,"uid":"C1","id.orig_h":SRC,"id.orig_p":1,"id.resp_h":DST,"id.resp_p":443,"proto":"tcp","orig_bytes":5}', 'id.orig_h', 'id.resp_h'],
  ['suricata', '{"event_type":"flow","flow_id":7,"timestamp":"2023-11-14T22:13:20.000000+0000","src_ip":SRC,"src_port":1,"dest_ip":DST,"dest_port":443,"proto":"TCP","flow":{"bytes_toserver":5}}', 'src_ip', 'dest_ip'],
  ['goflow2', '{"time_received_ns":1700000000000000000,"src_addr":SRC,"dst_addr":DST,"bytes":5,"packets":1,"proto":6}', 'src_addr', 'dst_addr'],
  ['ocsf', '{"class_uid":4001,"time":1700000000000,"src_endpoint":{"ip":SRC},"dst_endpoint":{"ip":DST},"traffic":{"bytes_out":5}}', 'src_endpoint.ip', 'dst_endpoint.ip'],
  ['vpc', '2 123456789012 eni-1 SRC DST 1 443 6 1 5 1700000000 1700000060 ACCEPT OK', 'srcaddr', 'dstaddr'],
  ['flow', '{"flow_id":"f1","start_ms":1,"end_ms":1,"src_ip":SRC,"dst_ip":DST,"src_port":1,"dst_port":443,"protocol":6,"bytes_out":5,"bytes_in":0,"packets_out":1,"packets_in":0}', 'src_ip', 'dst_ip'],
];

/** Not IP text: a short IPv4 form, an octet too big, a leading zero, a host name, IPv6 with a bad group. */
const BAD = ['10.1', '10.0.0.256', '10.0.0.01', 'example.com', 'fd00::12345'];

function decode(format: InputFormatName, line: string): string | number {
  const result = decodeText({ decoder: createDecoder(format, { internalNetworks: NETS }), enrich: (r) => r.flow }, line);
  return typeof result === 'string' ? result : result.length;
}

describe('every dialect checks both addresses itself', () => {
  for (const [format, template, srcField, dstField] of LINES) {
    const json = template.startsWith('{');
    const line = (src: string, dst: string) => (json ? template.replace('SRC', JSON.stringify(src)).replace('DST', JSON.stringify(dst)) : template.replace('SRC', src).replace('DST', dst));
    it(format, () => {
      expect(decode(format, line('10.0.0.5', '203.0.113.9'))).toBe(1);
      for (const bad of BAD) {
        expect(decode(format, line(bad, '203.0.113.9'))).toBe(`field ${srcField}: "${bad}" is not an IPv4 or IPv6 address`);
        expect(decode(format, line('10.0.0.5', bad))).toBe(`field ${dstField}: "${bad}" is not an IPv4 or IPv6 address`);
      }
    });
  }
});
