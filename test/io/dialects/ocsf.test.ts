import { describe, expect, it } from 'vitest';
import { fixture, errorsOf, flowsOf, readWith, rec } from './helpers.js';

describe('ocsf', () => {
  it('reads Network Activity, uses direction_id where the networks cannot tell, skips other classes', async () => {
    const { decoder, items } = await readWith('ocsf', fixture('ocsf-4001.json'));
    const flows = flowsOf(items);
    expect(flows).toEqual([
      ['ocsf-4001.json:1', rec({ flow_id: 'conn-1', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '10.0.0.5', dst_ip: '203.0.113.5', src_port: 50100, dst_port: 443, protocol: 6, dst_host: 'api.example.com', bytes_out: 12345, bytes_in: 678, packets_out: 9, packets_in: 7 })],
      // Inbound (direction_id 1): the outside client is dst, and its host name goes with it.
      ['ocsf-4001.json:2', rec({ flow_id: 'conn-2', start_ms: 1700000120000, end_ms: 1700000120000, src_ip: '10.0.0.9', dst_ip: '198.51.100.3', src_port: 443, dst_port: 40000, protocol: 6, dst_host: 'client.example.net', bytes_out: 800000, bytes_in: 300, packets_out: 600, packets_in: 5 })],
      // Neither end in internal_networks, but the producer says outbound (direction_id 2).
      ['ocsf-4001.json:3', rec({ flow_id: 'conn-3', start_ms: 1700000180000, end_ms: 1700000180000, src_ip: '100.64.0.5', dst_ip: '198.51.100.50', src_port: 5000, dst_port: 53, protocol: 17, bytes_out: 50, bytes_in: 70, packets_out: 1, packets_in: 1 })],
      // line 4: lateral (direction_id 3) between ends the networks call external: counted internal.
      // One-way (traffic.bytes only, as VPC flow logs mapped to OCSF): bytes are what src sent.
      ['ocsf-4001.json:6', rec({ flow_id: 'm-1', start_ms: 1700000130000, end_ms: 1700000190000, src_ip: '10.0.0.5', dst_ip: '52.1.2.3', src_port: 40404, dst_port: 443, protocol: 6, bytes_out: 4000, bytes_in: 0, packets_out: 4, packets_in: 0 })],
    ]);
    expect(errorsOf(items)).toEqual([]);
    expect(decoder.counts).toEqual({ records_read: 6, flows_out: 4, internal: 1, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: { 'ocsf class 4003': 1 }, errors: 0, payload_above_ip: 0 });
  });

  it('gives enrichment the device', async () => {
    const { decoder } = await readWith('ocsf', fixture('ocsf-4001.json'));
    const again = decoder.decode('{"class_uid":4001,"time":1,"device":{"name":"fw-1","hostname":"fw-1.corp","uid":"dev-1"},"src_endpoint":{"ip":"10.0.0.5"},"dst_endpoint":{"ip":"203.0.113.5"},"traffic":{"bytes_out":1}}');
    expect(again[0].sensor).toEqual({ 'device.name': 'fw-1', 'device.hostname': 'fw-1.corp', 'device.uid': 'dev-1' });
    expect(() => decoder.decode('{"class_uid":4001,"time":"2015/06/17T00:00:00.089","src_endpoint":{"ip":"10.0.0.5"},"dst_endpoint":{"ip":"203.0.113.5"}}')).toThrow('field time: "2015/06/17T00:00:00.089" is not a time in epoch milliseconds');
  });
});
