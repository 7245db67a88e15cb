import { describe, expect, it } from 'vitest';
import { createDecoder, sniffDialect } from '../../../src/io/dialects/index.js';
import { errorsOf, fixture, flowsOf, NETS, readWith, rec } from './helpers.js';

const EGRESS = rec({ flow_id: 'vpc:eni-aaa:10.0.1.5:49152>52.95.110.1:443/6@1700000000', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '10.0.1.5', dst_ip: '52.95.110.1', src_port: 49152, dst_port: 443, protocol: 6, bytes_out: 40000, bytes_in: 0, packets_out: 20, packets_in: 0 });

describe('vpc', () => {
  it('reads a custom field order from the header line; NODATA, SKIPDATA, REJECT and the inbound half are counted', async () => {
    const { decoder, items } = await readWith('vpc', fixture('vpc-custom.log'));
    expect(flowsOf(items)).toEqual([
      ['vpc-custom.log:2', EGRESS],
      // Behind NAT: pkt-srcaddr (the instance) rather than srcaddr (the NAT interface).
      ['vpc-custom.log:4', rec({ flow_id: 'vpc:eni-nat:10.0.3.7:40000>52.95.110.2:443/6@1700000000', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '10.0.3.7', dst_ip: '52.95.110.2', src_port: 40000, dst_port: 443, protocol: 6, bytes_out: 1234, bytes_in: 0, packets_out: 5, packets_in: 0 })],
      // The same record again (a second collector): the same flow id, so the engine folds it.
      ['vpc-custom.log:8', EGRESS],
    ]);
    expect(errorsOf(items)).toEqual([['vpc-custom.log:9', 'field packets: "twenty" is not a count (a whole number >= 0)']]);
    expect(decoder.counts).toEqual({ records_read: 8, flows_out: 3, internal: 0, transit: 0, inbound: 1, nodata: 1, skipdata: 1, skipped: { 'vpc REJECT (nothing left)': 1 }, errors: 1, payload_above_ip: 0 });
  });

  it('gives enrichment the interface and account', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    const [first] = decoder.decode('2 111122223333 eni-0a1 10.0.0.1 8.8.8.8 1000 53 17 2 120 1700000000 1700000010 ACCEPT OK');
    expect(first.sensor).toEqual({ 'interface-id': 'eni-0a1', 'account-id': '111122223333' });
  });

  it('reads the default v2 order without a header, and a field list from the config', () => {
    const v2 = createDecoder('vpc', { internalNetworks: NETS });
    expect(v2.decode('2 111122223333 eni-0a1 10.0.0.1 8.8.8.8 1000 53 17 2 120 1700000000 1700000010 ACCEPT OK').map((r) => r.flow)).toEqual([
      rec({ flow_id: 'vpc:eni-0a1:10.0.0.1:1000>8.8.8.8:53/17@1700000000', start_ms: 1700000000000, end_ms: 1700000010000, src_ip: '10.0.0.1', dst_ip: '8.8.8.8', src_port: 1000, dst_port: 53, protocol: 17, bytes_out: 120, bytes_in: 0, packets_out: 2, packets_in: 0 }),
    ]);
    const custom = createDecoder('vpc', { internalNetworks: NETS, vpcFields: ['srcaddr', 'dstaddr', 'bytes', 'packets', 'start', 'end'] });
    expect(custom.decode('10.0.0.1 8.8.8.8 100 1 1700000000 1700000001').map((r) => r.flow)).toEqual([
      rec({ flow_id: 'vpc:-:10.0.0.1:0>8.8.8.8:0/0@1700000000', start_ms: 1700000000000, end_ms: 1700000001000, src_ip: '10.0.0.1', dst_ip: '8.8.8.8', src_port: 0, dst_port: 0, protocol: 0, bytes_out: 100, bytes_in: 0, packets_out: 1, packets_in: 0 }),
    ]);
  });

  it('unwraps CloudWatch/Firehose {"message": ...} lines', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    expect(decoder.decode('{"message":"2 428961148399 eni-0e0 - - - - - - - 1671029698 1671029728 - NODATA"}')).toEqual([]);
    expect(decoder.counts.nodata).toBe(1);
  });

  it('is recognised by auto with message among a CloudWatch Logs event\'s other members, and reads it', () => {
    // The Logs API, exports and subscriptions give each event with its stream, time and id: message is not first.
    const line = JSON.stringify({ logStreamName: 'eni-0a1-all', timestamp: 1700000000000, message: '2 123456789012 eni-0a1 10.0.0.5 198.51.100.9 50000 443 6 12 6400 1700000000 1700000060 ACCEPT OK', ingestionTime: 1700000090000, eventId: '1' });
    expect(sniffDialect(line)?.name).toBe('vpc');
    const decoder = createDecoder('auto', { internalNetworks: NETS });
    expect(decoder.decode(line).map((r) => [r.flow.dst_ip, r.flow.bytes_out, r.flow.start_ms, r.flow.end_ms])).toEqual([['198.51.100.9', 6400, 1700000000000, 1700000060000]]);
    // Another dialect's message is not taken for a flow log line.
    expect(sniffDialect(JSON.stringify({ class_name: 'x', message: '2 packets dropped' }))).toBeNull();
  });

  it('says what a line without a known layout needs', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    expect(() => decoder.decode('2 1 eni-1 10.0.0.1 8.8.8.8')).toThrow(
      "5 fields, and no header line or input.vpc_fields names them (without one: 14 fields in the v2 default order, 21, 25, 29, 39 or 40 in AWS's order of fields, or 36 as Transit Gateway flow logs)",
    );
    expect(() => createDecoder('vpc', { internalNetworks: NETS, vpcFields: ['srcaddr', 'bytes'] })).toThrow('the VPC field list has no dstaddr, packets, start, end: srcaddr bytes');
  });
});
