import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../../src/io/dialects/index.js';
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

  it('gives enrichment the exporter', () => {
    const decoder = createDecoder('goflow2', { internalNetworks: NETS });
    const [r] = decoder.decode('{"type":"IPFIX","time_flow_start_ns":1700000001000000000,"sampler_address":"192.0.2.1","bytes":1,"packets":1,"src_addr":"10.0.0.6","dst_addr":"198.51.100.9","proto":6}');
    expect(r.sensor).toEqual({ sampler_address: '192.0.2.1', type: 'IPFIX' });
  });
});
