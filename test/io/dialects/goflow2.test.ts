import { describe, expect, it } from 'vitest';
import { createDecoder, sniffDialect } from '../../../src/io/dialects/index.js';
import { addressText } from '../../../src/io/dialects/goflow2.js';
import { errorsOf, fixture, flowsOf, NETS, readWith, rec } from './helpers.js';

describe('goflow2', () => {
  it('scales sampled records, turns ns into ms, counts only the outbound direction', async () => {
    const { decoder, items } = await readWith('goflow2', fixture('goflow2.json'));
    expect(flowsOf(items)).toEqual([
      // sFlow, 1 in 512 sampled: 1500 bytes, 1 packet become 768000 and 512; no flow times, so
      // the receive time (1700000000123456789 ns) is start and end.
      ['goflow2.json:1', rec({ flow_id: 'gf:192.0.2.1:7:10.0.0.5:50000>203.0.113.80:443/6@1700000000123', start_ms: 1700000000123, end_ms: 1700000000123, src_ip: '10.0.0.5', dst_ip: '203.0.113.80', src_port: 50000, dst_port: 443, protocol: 6, bytes_out: 768000, bytes_in: 0, packets_out: 512, packets_in: 0 })],
      // IPFIX, sampling_rate 0: not sampled.
      ['goflow2.json:2', rec({ flow_id: 'gf:192.0.2.1:8:10.0.0.6:5353>198.51.100.9:53/17@1700000001000', start_ms: 1700000001000, end_ms: 1700000004500, src_ip: '10.0.0.6', dst_ip: '198.51.100.9', src_port: 5353, dst_port: 53, protocol: 17, bytes_out: 2000, bytes_in: 0, packets_out: 4, packets_in: 0 })],
      // line 3: NetFlow v5 from outside in: the inbound half.
    ]);
    expect(errorsOf(items)).toEqual([['goflow2.json:4', 'field src_addr: "10.0.0.999" is not an IPv4 or IPv6 address']]);
    expect(decoder.counts).toEqual({ records_read: 4, flows_out: 2, internal: 0, transit: 0, inbound: 1, nodata: 0, skipdata: 0, skipped: {}, errors: 1, payload_above_ip: 0 });
  });

  it('counts samples of frames that are not IP (sFlow samples ARP too) by ethertype, and reads IANA protocol names', () => {
    const decoder = createDecoder('goflow2', { internalNetworks: NETS });
    const base = '"type":"SFLOW_5","time_received_ns":1700000000000000000,"sampler_address":"192.0.2.1","sampling_rate":100,"bytes":60,"packets":1';
    // goflow2 renders missing addresses as "" and the ethertype by name (or "" when it has none).
    expect(decoder.decode(`{${base},"etype":"ARP","proto":"","src_addr":"","dst_addr":""}`)).toEqual([]);
    expect(decoder.decode(`{${base},"etype":"","proto":"","src_addr":"","dst_addr":""}`)).toEqual([]);
    expect(decoder.decode(`{"Type":"SFLOW_5","TimeReceived":1700000000,"Etype":2054,"Bytes":60,"Packets":1,"SrcAddr":"","DstAddr":""}`)).toEqual([]);
    // v1 as Go's encoding/json writes it (omitempty): no address keys at all.
    expect(decoder.decode(`{"Type":"SFLOW_5","TimeReceived":1700000000,"Etype":2054,"Bytes":60,"Packets":1,"SamplingRate":100,"SamplerAddress":"wAACAQ=="}`)).toEqual([]);
    // A GRE tunnel and an IGMP report to a unicast router outside: egress, with their protocol numbers.
    const [gre] = decoder.decode(`{${base},"etype":"IPv4","proto":"GRE","src_addr":"10.0.0.5","dst_addr":"198.51.100.1"}`);
    const [igmp] = decoder.decode(`{${base},"etype":"IPv4","proto":"IGMP","src_addr":"10.0.0.5","dst_addr":"198.51.100.2"}`);
    expect([gre.flow.protocol, gre.flow.bytes_out, igmp.flow.protocol]).toEqual([47, 6000, 2]);
    // One address empty and the other not is no frame goflow2 writes: an error naming the field.
    expect(() => decoder.decode(`{${base},"proto":"TCP","src_addr":"","dst_addr":"198.51.100.1"}`)).toThrow('field src_addr: "" is not an IPv4 or IPv6 address');
    expect(decoder.counts.skipped).toEqual({ 'goflow2 non-IP sample (etype ARP)': 1, 'goflow2 non-IP sample (etype unknown)': 1, 'goflow2 non-IP sample (etype 0x806)': 2 });
    expect(decoder.counts.flows_out).toBe(2);
  });

  it('gives enrichment the exporter', () => {
    const decoder = createDecoder('goflow2', { internalNetworks: NETS });
    const [r] = decoder.decode('{"type":"IPFIX","time_flow_start_ns":1700000001000000000,"sampler_address":"192.0.2.1","bytes":1,"packets":1,"src_addr":"10.0.0.6","dst_addr":"198.51.100.9","proto":6}');
    expect(r.sensor).toEqual({ sampler_address: '192.0.2.1', type: 'IPFIX' });
  });

  it('reads goflow2 v1 (CamelCase keys, times in ms or s) and addresses written as base64 bytes', async () => {
    const { decoder, items } = await readWith('goflow2', fixture('goflow2-v1.json'));
    expect(flowsOf(items)).toEqual([
      // v1.1 on: TimeFlowStartMs / TimeFlowEndMs win over the seconds.
      ['goflow2-v1.json:1', rec({ flow_id: 'gf:192.0.2.7:21:10.0.0.6:40000>198.51.100.9:443/6@1700000001250', start_ms: 1700000001250, end_ms: 1700000004750, src_ip: '10.0.0.6', dst_ip: '198.51.100.9', src_port: 40000, dst_port: 443, protocol: 6, bytes_out: 3000, bytes_in: 0, packets_out: 5, packets_in: 0 })],
      // v1.0 sFlow: no flow times (0), so TimeReceived in seconds; 1 in 64 sampled: 102 x 64 = 6528.
      ['goflow2-v1.json:2', rec({ flow_id: 'gf:192.0.2.8:1802:10.0.0.7:5000>203.0.113.4:53/17@1700000010000', start_ms: 1700000010000, end_ms: 1700000010000, src_ip: '10.0.0.7', dst_ip: '203.0.113.4', src_port: 5000, dst_port: 53, protocol: 17, bytes_out: 6528, bytes_in: 0, packets_out: 64, packets_in: 0 })],
      // Seconds only; SamplerAddress wAACCQ== is 192.0.2.9 and SrcAddr CgAACA== is 10.0.0.8.
      ['goflow2-v1.json:3', rec({ flow_id: 'gf:192.0.2.9:77:10.0.0.8:41000>198.51.100.20:22/6@1700000020000', start_ms: 1700000020000, end_ms: 1700000030000, src_ip: '10.0.0.8', dst_ip: '198.51.100.20', src_port: 41000, dst_port: 22, protocol: 6, bytes_out: 900, bytes_in: 0, packets_out: 3, packets_in: 0 })],
      // line 4: the inbound half; line 5: a bad address. v2 with src_addr as base64 of fd00::5:
      ['goflow2-v1.json:6', rec({ flow_id: 'gf:192.0.2.7:80:fd00::5:42000>2001:db8::9:443/6@1700000049000', start_ms: 1700000049000, end_ms: 1700000049500, src_ip: 'fd00::5', dst_ip: '2001:db8::9', src_port: 42000, dst_port: 443, protocol: 6, bytes_out: 700, bytes_in: 0, packets_out: 2, packets_in: 0 })],
    ]);
    expect(errorsOf(items)).toEqual([['goflow2-v1.json:5', 'field SrcAddr: "10.0.0.300" is not an IPv4 or IPv6 address']]);
    expect(decoder.counts).toEqual({ records_read: 6, flows_out: 4, internal: 0, transit: 0, inbound: 1, nodata: 0, skipdata: 0, skipped: {}, errors: 1, payload_above_ip: 0 });
    // The exporter, under the v2 names whatever the version wrote, for enrich.gateways.
    const [r] = decoder.decode('{"Type":3,"TimeReceived":1700000031,"SamplerAddress":"wAACCQ==","Bytes":1,"Packets":1,"SrcAddr":"10.0.0.8","DstAddr":"198.51.100.20","Proto":6}');
    expect(r.sensor).toEqual({ sampler_address: '192.0.2.9', type: '3' });
    expect(sniffDialect('{"Type":"IPFIX","TimeReceived":1700000005,"SamplerAddress":"192.0.2.7","SrcAddr":"10.0.0.6"}')?.name).toBe('goflow2');
  });

  it('reads a flow time of "0" (64-bit fields as protobuf\'s JSON mapping writes them, unpopulated ones emitted) as unset', () => {
    const decoder = createDecoder('goflow2', { internalNetworks: NETS });
    // sFlow: no flow times, so the receive time 1700000050123456789 ns (cut to 1700000050123 ms) is start and end.
    // Addresses: wAACBw== is 192.0.2.7, CgAABg== 10.0.0.6, xjNkCQ== 198.51.100.9.
    const v2 = '{"type":"SFLOW_5","time_received_ns":"1700000050123456789","sequence_num":80,"sampling_rate":"0","sampler_address":"wAACBw==","time_flow_start_ns":"0","time_flow_end_ns":"0","bytes":"700","packets":"2","src_addr":"CgAABg==","dst_addr":"xjNkCQ==","proto":6,"src_port":42000,"dst_port":443}';
    expect(decoder.decode(v2).map((r) => r.flow)).toEqual([
      rec({ flow_id: 'gf:192.0.2.7:80:10.0.0.6:42000>198.51.100.9:443/6@1700000050123', start_ms: 1700000050123, end_ms: 1700000050123, src_ip: '10.0.0.6', dst_ip: '198.51.100.9', src_port: 42000, dst_port: 443, protocol: 6, bytes_out: 700, bytes_in: 0, packets_out: 2, packets_in: 0 }),
    ]);
    // A set start and an end of "0": the end is the start.
    const started = v2.replace('"time_flow_start_ns":"0"', '"time_flow_start_ns":"1700000049000000000"');
    expect(decoder.decode(started).map((r) => [r.flow.start_ms, r.flow.end_ms])).toEqual([[1700000049000, 1700000049000]]);
  });

  it("reads times that goflow2's datetimenano renderer wrote as RFC 3339 text, naming the field a bad one came from", () => {
    const decoder = createDecoder('goflow2', { internalNetworks: NETS });
    // goflow2's shipped mapping file renders time_received_ns as text; sFlow has no flow times, so
    // that is start and end: 2026-03-01T10:00:00Z is 1772359200000 ms, .123456789 cut to .123.
    // 1 in 100 sampled: 1200 bytes and 1 packet become 120000 and 100.
    const sflow = '{"type":"SFLOW_5","time_received_ns":"2026-03-01T10:00:00.123456789Z","sequence_num":41,"sampling_rate":100,"sampler_address":"192.0.2.50","time_flow_start_ns":0,"time_flow_end_ns":0,"bytes":1200,"packets":1,"src_addr":"10.1.2.3","dst_addr":"198.51.100.77","etype":"IPv4","proto":"TCP","src_port":51000,"dst_port":443}';
    expect(decoder.decode(sflow).map((r) => r.flow)).toEqual([
      rec({ flow_id: 'gf:192.0.2.50:41:10.1.2.3:51000>198.51.100.77:443/6@1772359200123', start_ms: 1772359200123, end_ms: 1772359200123, src_ip: '10.1.2.3', dst_ip: '198.51.100.77', src_port: 51000, dst_port: 443, protocol: 6, bytes_out: 120000, bytes_in: 0, packets_out: 100, packets_in: 0 }),
    ]);
    // The flow times rendered too: 10:00:01 to 10:00:03.5.
    const both = sflow.replace('"time_flow_start_ns":0', '"time_flow_start_ns":"2026-03-01T10:00:01Z"').replace('"time_flow_end_ns":0', '"time_flow_end_ns":"2026-03-01T10:00:03.5Z"');
    expect(decoder.decode(both).map((r) => [r.flow.start_ms, r.flow.end_ms])).toEqual([[1772359201000, 1772359203500]]);
    // A time without a zone is refused, under the name of the field it was read from (not time_flow_start_ns).
    expect(() => decoder.decode(sflow.replace('2026-03-01T10:00:00.123456789Z', '2026-03-01T10:00:00'))).toThrow('field time_received_ns: "2026-03-01T10:00:00" is not an ISO 8601 time with a zone');
    expect(() => decoder.decode(sflow.replace('"time_received_ns":"2026-03-01T10:00:00.123456789Z"', '"time_received_ns":"soon"'))).toThrow('field time_received_ns: "soon" is not a time in nanoseconds since the epoch');
  });

  it('takes a flow time the datetimenano renderer wrote for 0 as unset, as it takes 0', () => {
    const decoder = createDecoder('goflow2', { internalNetworks: NETS });
    // With the flow times rendered too (render: time_flow_start_ns: datetimenano), an sFlow sample's
    // unset 0 comes as goflow2's time.Unix(0, 0).UTC().Format(time.RFC3339Nano): "1970-01-01T00:00:00Z".
    // Unset, the times are the received time, 2026-03-01T10:00:00.123Z, as for 0; not 1970.
    const sflow = '{"type":"SFLOW_5","time_received_ns":"2026-03-01T10:00:00.123456789Z","sequence_num":42,"sampling_rate":100,"sampler_address":"192.0.2.50","time_flow_start_ns":"1970-01-01T00:00:00Z","time_flow_end_ns":"1970-01-01T00:00:00Z","bytes":1200,"packets":1,"src_addr":"10.1.2.3","dst_addr":"198.51.100.77","etype":"IPv4","proto":"TCP","src_port":51000,"dst_port":443}';
    expect(decoder.decode(sflow).map((r) => [r.flow.flow_id, r.flow.start_ms, r.flow.end_ms])).toEqual([['gf:192.0.2.50:42:10.1.2.3:51000>198.51.100.77:443/6@1772359200123', 1772359200123, 1772359200123]]);
    // Only the end unset: the end is the start, 10:00:01.
    const started = sflow.replace('"time_flow_start_ns":"1970-01-01T00:00:00Z"', '"time_flow_start_ns":"2026-03-01T10:00:01Z"');
    expect(decoder.decode(started).map((r) => [r.flow.start_ms, r.flow.end_ms])).toEqual([[1772359201000, 1772359201000]]);
  });

  it('decodes only base64 of exactly 4 or 16 bytes as an address', () => {
    expect(['fwAAAQ==', 'ZEAACA==', '/////////////////////w==', '10.0.0.1', 'fwAAAQ=', 'fwAAAR==', 'fwAAAQAB', 'AAAAAAAAAAAAAAAAAAAAAA=='].map(addressText)).toEqual([
      '127.0.0.1', '100.64.0.8', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '10.0.0.1', 'fwAAAQ=', 'fwAAAR==', 'fwAAAQAB', '::',
    ]);
  });
});
