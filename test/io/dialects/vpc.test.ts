import { describe, expect, it } from 'vitest';
import { createDecoder, sniffDialect } from '../../../src/io/dialects/index.js';
import { MIDDLEBOX_INGRESS } from '../../../src/io/dialects/vpc.js';
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

  it('takes a header that names fields this table does not know (a newer format) and leaves their columns unread', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    // `future-field` and `ecs-cluster-zone` are no AWS fields of today; the rest are.
    expect(decoder.decode('version future-field srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status ecs-cluster-zone')).toEqual([]);
    expect(decoder.decode('8 abc-1 10.0.1.5 52.95.110.1 49152 443 6 20 40000 1700000000 1700000060 ACCEPT OK zone-a').map((r) => r.flow)).toEqual([
      rec({ flow_id: 'vpc:-:10.0.1.5:49152>52.95.110.1:443/6@1700000000', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '10.0.1.5', dst_ip: '52.95.110.1', src_port: 49152, dst_port: 443, protocol: 6, bytes_out: 40000, bytes_in: 0, packets_out: 20, packets_in: 0 }),
    ]);
    expect(decoder.counts.records_read).toBe(1);
    // auto picks vpc by such a header too.
    expect(sniffDialect('version future-field srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status')?.name).toBe('vpc');
    // Names shaped so but without the addresses are no header: a record (of a layout it cannot place).
    expect(() => createDecoder('vpc', { internalNetworks: NETS }).decode('future-field other-field bytes')).toThrow('3 fields, and no header line or input.vpc_fields names them');
    // A misspelt known name is no newer field: the header is refused (its column, here a
    // REJECT's action, would go unread), and the next record is read by its width (v2).
    const typo = createDecoder('vpc', { internalNetworks: NETS });
    expect(() => typo.decode('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end actions log-status')).toThrow(
      'the VPC header names actions, which is no VPC field (action?): its column would go unread',
    );
    expect(typo.decode('2 123456789012 eni-1 10.0.1.5 52.95.110.1 49152 443 6 20 40000 1700000000 1700000060 REJECT OK')).toEqual([]);
    expect(typo.counts.skipped).toEqual({ 'vpc REJECT (nothing left)': 1 });
    expect(() => createDecoder('vpc', { internalNetworks: NETS }).decode('version srcaddr dstaddr byte packets start end')).toThrow('the VPC header names byte, which is no VPC field (bytes?)');
    // A header of known names that lacks a required one still says what it lacks.
    expect(() => createDecoder('vpc', { internalNetworks: NETS }).decode('version srcaddr dstaddr bytes start end')).toThrow('the VPC field list has no packets: version srcaddr dstaddr bytes start end');
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

describe('vpc: spaces', () => {
  const V2 = '2 111122223333 eni-0a1 10.0.0.1 8.8.8.8 1000 53 17 2 120 1700000000 1700000010 ACCEPT OK';
  const FLOW = rec({ flow_id: 'vpc:eni-0a1:10.0.0.1:1000>8.8.8.8:53/17@1700000000', start_ms: 1700000000000, end_ms: 1700000010000, src_ip: '10.0.0.1', dst_ip: '8.8.8.8', src_port: 1000, dst_port: 53, protocol: 17, bytes_out: 120, bytes_in: 0, packets_out: 2, packets_in: 0 });

  it('reads a run of spaces as one separator, and ignores white space at either end (a trailing space, a CR)', () => {
    const variants = [
      V2,
      V2.replace(' 8.8.8.8 ', '  8.8.8.8 '), // two spaces, as a record in AWS's own documentation has
      V2.replace(' 53 ', '   53 '),
      `${V2} `,
      `${V2}   `,
      `  ${V2}`,
      `${V2}\r`,
      `${V2} \r`,
      `\t${V2}\t`,
    ];
    for (const line of variants) {
      const decoder = createDecoder('vpc', { internalNetworks: NETS });
      expect(decoder.decode(line).map((r) => r.flow), JSON.stringify(line)).toEqual([FLOW]);
      expect(decoder.counts.errors).toBe(0);
    }
    // Wrapped as CloudWatch/Firehose deliver it, with a trailing space.
    expect(createDecoder('vpc', { internalNetworks: NETS }).decode(JSON.stringify({ message: `${V2} ` })).map((r) => r.flow)).toEqual([FLOW]);
    // A missing field is still missing however the spaces run.
    expect(() => createDecoder('vpc', { internalNetworks: NETS }).decode(V2.replace(' 53 ', '  '))).toThrow('13 fields, and no header line or input.vpc_fields names them');
    expect(sniffDialect(V2.replace(' eni-0a1 ', '  eni-0a1 '))?.name).toBe('vpc');
  });

  it('reads a header and records with runs of spaces and spaces at the ends through the file reader', async () => {
    const { decoder, items } = await readWith('vpc', fixture('vpc-spaces.log'));
    const flow = (dst: string, dport: number, bytes: number, packets: number) =>
      rec({ flow_id: `vpc:eni-0a1:10.0.0.62:5001>${dst}:${dport}/6@1700000000`, start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '10.0.0.62', dst_ip: dst, src_port: 5001, dst_port: dport, protocol: 6, bytes_out: bytes, bytes_in: 0, packets_out: packets, packets_in: 0 });
    expect(flowsOf(items)).toEqual([
      ['vpc-spaces.log:2', flow('198.51.100.42', 43638, 967, 14)],
      ['vpc-spaces.log:3', flow('198.51.100.42', 43640, 1200, 3)],
      ['vpc-spaces.log:4', flow('198.51.100.43', 43642, 500, 2)],
    ]);
    expect(errorsOf(items)).toEqual([['vpc-spaces.log:5', '12 fields where the field list names 13']]);
    expect(decoder.counts).toEqual({ records_read: 4, flows_out: 3, internal: 0, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: {}, errors: 1, payload_above_ip: 0 });
  });
});

describe('vpc: no log-status field', () => {
  const HEADER = 'account-id bytes dstaddr dstport end instance-id packets pkt-dstaddr pkt-srcaddr protocol srcaddr srcport start subnet-id tcp-flags type version vpc-id';

  it('counts a row whose addresses and bytes are all - as NODATA, and still reports a row missing only some', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    expect(decoder.decode(HEADER)).toEqual([]);
    expect(decoder.decode('111122223333 - - - 1700000060 i-0123 - - - - - - 1700000000 subnet-0a1 - - 3 vpc-0a1')).toEqual([]);
    expect(decoder.counts).toEqual({ records_read: 1, flows_out: 0, internal: 0, transit: 0, inbound: 0, nodata: 1, skipdata: 0, skipped: {}, errors: 0, payload_above_ip: 0 });
    // Addresses set, bytes not: not a NODATA row.
    expect(() => decoder.decode('111122223333 - 8.8.8.8 53 1700000060 i-0123 2 - - 17 10.0.0.1 1000 1700000000 subnet-0a1 - IPv4 3 vpc-0a1')).toThrow('field bytes: "-" is not a count (a whole number >= 0)');
    // Bytes and addresses unset but a packet address set: not a NODATA row either.
    expect(() => decoder.decode('111122223333 - - - 1700000060 i-0123 - 8.8.8.8 - - - - 1700000000 subnet-0a1 - - 3 vpc-0a1')).toThrow('field srcaddr: "-" is not an IPv4 or IPv6 address');
    expect(decoder.counts.nodata).toBe(1);
  });

  it('leaves a row with log-status OK and no addresses an error', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    expect(() => decoder.decode('2 111122223333 eni-0a1 - - - - - - - 1700000000 1700000010 ACCEPT OK')).toThrow('field srcaddr: "-" is not an IPv4 or IPv6 address');
  });
});

describe('vpc: flow-direction', () => {
  const HEADER = 'version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction traffic-path';

  it('decides by flow-direction when internal_networks call both ends external (a public IPv6 interface address not listed)', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    decoder.decode(HEADER);
    expect(decoder.decode('5 eni-0a1 2600:1f18:1234:a100::10 2607:f8b0:4004:c1b::64 40000 443 6 900 1200000 1700000000 1700000060 ACCEPT OK egress 8').map((r) => r.flow)).toEqual([
      rec({ flow_id: 'vpc:eni-0a1:2600:1f18:1234:a100::10:40000>2607:f8b0:4004:c1b::64:443/6@1700000000', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '2600:1f18:1234:a100::10', dst_ip: '2607:f8b0:4004:c1b::64', src_port: 40000, dst_port: 443, protocol: 6, bytes_out: 1200000, bytes_in: 0, packets_out: 900, packets_in: 0 }),
    ]);
    // The answer: inbound. No direction: transit, as before.
    expect(decoder.decode('5 eni-0a1 2607:f8b0:4004:c1b::64 2600:1f18:1234:a100::10 443 40000 6 700 90000 1700000000 1700000060 ACCEPT OK ingress -')).toEqual([]);
    expect(decoder.decode('5 eni-0a1 2600:1f18:1234:a100::10 2607:f8b0:4004:c1b::64 40000 443 6 900 1200000 1700000000 1700000060 ACCEPT OK - -')).toEqual([]);
    // The networks decide when they can: an internal source is egress whatever the direction says.
    expect(decoder.decode('5 eni-0a1 10.0.0.1 8.8.8.8 1000 53 17 2 120 1700000000 1700000060 ACCEPT OK ingress -').map((r) => [r.flow.dst_ip, r.flow.bytes_out])).toEqual([['8.8.8.8', 120]]);
    expect(decoder.counts).toEqual({ records_read: 4, flows_out: 2, internal: 0, transit: 1, inbound: 1, nodata: 0, skipdata: 0, skipped: {}, errors: 0, payload_above_ip: 0 });
  });

  it('does not take a Transit Gateway flow log\'s flow-direction (relative to the transit gateway) as a hint', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    // The 36-field default Transit Gateway format, both ends outside the networks, flow-direction egress.
    const tgw = '6 TransitGateway 123456789010 tgw-0a1 tgw-attach-0a1 123456789010 123456789010 vpc-0a1 vpc-0b2 subnet-0a1 subnet-0b2 eni-0a1 eni-0b2 use1-az1 use1-az2 tgw-attach-0b2 2600:1f18::10 2607:f8b0::64 40000 443 6 9 9000 1700000000 1700000060 OK IPv6 0 0 0 0 0 us-east-1 egress - -';
    expect(tgw.split(' ')).toHaveLength(36);
    expect(decoder.decode(tgw)).toEqual([]);
    expect(decoder.counts.transit).toBe(1);
  });
});

describe('vpc: middleboxes (NAT gateway, transit gateway interfaces)', () => {
  it('skips a middlebox\'s ingress record, counted where the traffic leaves; keeps every egress record', async () => {
    const { decoder, items } = await readWith('vpc', fixture('vpc-nat.log'));
    const flow = (iface: string, src: string, sport: number, dst: string, bytes: number, packets: number) =>
      rec({ flow_id: `vpc:${iface}:${src}:${sport}>${dst}:443/6@1700000000`, start_ms: 1700000000000, end_ms: 1700000060000, src_ip: src, dst_ip: dst, src_port: sport, dst_port: 443, protocol: 6, bytes_out: bytes, bytes_in: 0, packets_out: packets, packets_in: 0 });
    expect(flowsOf(items)).toEqual([
      // The instance's own record: the true sender.
      ['vpc-nat.log:2', flow('eni-inst', '10.0.1.5', 40000, '203.0.113.5', 150000, 100)],
      // Line 3, the NAT gateway's ingress side (dstaddr its own address, pkt-dstaddr the host): skipped.
      // The NAT gateway's egress side: its own address as the sender (the same transfer as line 2).
      ['vpc-nat.log:4', flow('eni-nat', '10.0.0.220', 61000, '203.0.113.5', 150000, 100)],
      // Lines 5-7, the answer as the NAT gateway and the instance see it: inbound.
      // A transit gateway's interface sending into a VPC (pkt-srcaddr, the sender in another VPC): kept.
      ['vpc-nat.log:8', flow('eni-tgw', '10.1.0.5', 50000, '198.51.100.9', 5000, 7)],
      // Line 9, a transit gateway's interface receiving traffic addressed past it: skipped.
    ]);
    expect(errorsOf(items)).toEqual([]);
    expect(decoder.counts).toEqual({ records_read: 8, flows_out: 3, internal: 0, transit: 0, inbound: 3, nodata: 0, skipdata: 0, skipped: { [MIDDLEBOX_INGRESS]: 2 }, errors: 0, payload_above_ip: 0 });
    expect(MIDDLEBOX_INGRESS).toBe('vpc middlebox ingress (counted where it leaves)');
  });

  it('without flow-direction (v3, v4) takes dstaddr other than pkt-dstaddr for incoming traffic, as AWS defines dstaddr; a record marked egress is kept', () => {
    const decoder = createDecoder('vpc', { internalNetworks: NETS });
    const v3 = (iface: string, src: string, dst: string, sport: number, dport: number, pktSrc: string, pktDst: string, bytes: number) =>
      `3 123456789010 ${iface} ${src} ${dst} ${sport} ${dport} 6 10 ${bytes} 1700000000 1700000060 ACCEPT OK vpc-0a1 subnet-0a1 - 19 IPv4 ${pktSrc} ${pktDst}`;
    // A NAT gateway's ingress side in AWS's order up to v3 (21 fields): skipped.
    expect(decoder.decode(v3('eni-nat', '10.0.1.5', '10.0.0.220', 40000, 443, '10.0.1.5', '203.0.113.5', 150000))).toEqual([]);
    // A transit gateway's interface receiving a server's answer for a client in another VPC: the
    // same shape, but no egress (inside to inside), so it stays internal, as a record an EKS pod
    // or a secondary address receives does (dstaddr the interface's primary address).
    expect(decoder.decode(v3('eni-tgw', '10.40.2.236', '10.40.2.31', 80, 39812, '10.40.2.236', '10.20.33.164', 9000)).map((r) => [r.flow.src_ip, r.flow.dst_ip, r.flow.bytes_out])).toEqual([['10.40.2.236', '10.20.33.164', 9000]]);
    // A pod receiving from outside (dstaddr the node's interface, pkt-dstaddr the pod): inbound.
    expect(decoder.decode(v3('eni-node', '198.51.100.9', '10.0.1.10', 443, 40000, '198.51.100.9', '10.0.1.77', 500))).toEqual([]);
    // The transit gateway's interface sending the client's request to the server: kept (internal).
    expect(decoder.decode(v3('eni-tgw', '10.40.1.175', '10.40.2.236', 39812, 80, '10.20.33.164', '10.40.2.236', 300)).map((r) => [r.flow.src_ip, r.flow.dst_ip, r.flow.bytes_out])).toEqual([['10.20.33.164', '10.40.2.236', 300]]);
    // The same address spelt two ways is not a middlebox.
    expect(decoder.decode(v3('eni-v6', 'fd00::1', '2001:DB8::9', 40000, 443, 'fd00::1', '2001:db8::9', 700)).map((r) => [r.flow.dst_ip, r.flow.bytes_out])).toEqual([['2001:db8::9', 700]]);
    expect(decoder.counts).toEqual({ records_read: 5, flows_out: 3, internal: 2, transit: 0, inbound: 1, nodata: 0, skipdata: 0, skipped: { [MIDDLEBOX_INGRESS]: 1 }, errors: 0, payload_above_ip: 0 });

    // flow-direction egress with dstaddr other than pkt-dstaddr contradicts AWS's definition: kept, not guessed away.
    const custom = createDecoder('vpc', { internalNetworks: NETS, vpcFields: ['interface-id', 'srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr', 'bytes', 'packets', 'start', 'end', 'flow-direction'] });
    expect(custom.decode('eni-x 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5 100 1 1700000000 1700000060 egress').map((r) => [r.flow.dst_ip, r.flow.bytes_out])).toEqual([['203.0.113.5', 100]]);
    expect(custom.decode('eni-x 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5 100 1 1700000000 1700000060 -')).toEqual([]);
    // A bad dstaddr beside a packet address is reported, not skipped.
    expect(() => custom.decode('eni-x 10.0.1.5 10.0.0.x 10.0.1.5 203.0.113.5 100 1 1700000000 1700000060 ingress')).toThrow('field dstaddr: "10.0.0.x" is not an IPv4 or IPv6 address');
    expect(custom.counts.skipped).toEqual({ [MIDDLEBOX_INGRESS]: 1 });
  });
});
