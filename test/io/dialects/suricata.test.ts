import { describe, expect, it } from 'vitest';
import { createDecoder, sniffDialect } from '../../../src/io/dialects/index.js';
import { errorsOf, fixture, flowsOf, NETS, readWith, rec } from './helpers.js';

describe('suricata', () => {
  it('reads flow events, orients them, skips and counts the other event types', async () => {
    const { decoder, items } = await readWith('suricata', fixture('suricata-eve.json'));
    expect(flowsOf(items)).toEqual([
      // flow.start has a +0100 offset: 23:13:20.5+01:00 is 22:13:20.5Z.
      ['suricata-eve.json:1', rec({ flow_id: '1234567890123456', start_ms: 1700000000500, end_ms: 1700000060000, src_ip: '10.0.0.5', dst_ip: '93.184.216.34', src_port: 50200, dst_port: 443, protocol: 6, bytes_out: 5000, bytes_in: 70000, packets_out: 20, packets_in: 60 })],
      // An outside client pulls 9 MB from an internal server: bytes_toclient is what left.
      ['suricata-eve.json:3', rec({ flow_id: '99', start_ms: 1700000040000, end_ms: 1700000100000, src_ip: '10.0.0.8', dst_ip: '198.51.100.20', src_port: 443, dst_port: 51515, protocol: 6, bytes_out: 9000000, bytes_in: 400, packets_out: 7000, packets_in: 10 })],
      // ICMPv6 has no ports.
      ['suricata-eve.json:5', rec({ flow_id: '101', start_ms: 1700000101000, end_ms: 1700000102000, src_ip: 'fd00::5', dst_ip: '2001:db8::7', src_port: 0, dst_port: 0, protocol: 58, bytes_out: 208, bytes_in: 208, packets_out: 2, packets_in: 2 })],
    ]);
    expect(errorsOf(items)).toEqual([['suricata-eve.json:6', 'field flow.bytes_toserver: -5 is not a count (a whole number >= 0)']]);
    expect(decoder.counts).toEqual({ records_read: 6, flows_out: 3, internal: 0, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: { 'suricata alert event': 1, 'suricata dns event': 1 }, errors: 1, payload_above_ip: 0 });
  });

  it('writes IPv6 addresses that Suricata spells in full groups as RFC 5952 text (one destination, one key)', () => {
    const decoder = createDecoder('suricata', { internalNetworks: NETS });
    // Suricata writes every group with its leading zeros; Zeek, goflow2 and VPC write 2001:db8::42 for the same address.
    const line = '{"timestamp":"2023-11-14T22:14:30.000000+0000","flow_id":4242,"event_type":"flow","src_ip":"fd00:0000:0000:0000:0000:0000:0000:0005","src_port":50300,"dest_ip":"2001:0DB8:0000:0000:0000:0000:0000:0042","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":3,"pkts_toclient":2,"bytes_toserver":1200,"bytes_toclient":800,"start":"2023-11-14T22:13:20.000000+0000","end":"2023-11-14T22:14:20.000000+0000"}}';
    expect(decoder.decode(line).map((r) => r.flow)).toEqual([
      rec({ flow_id: '4242', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: 'fd00::5', dst_ip: '2001:db8::42', src_port: 50300, dst_port: 443, protocol: 6, bytes_out: 1200, bytes_in: 800, packets_out: 3, packets_in: 2 }),
    ]);
  });

  it("reads Suricata's IANA protocol names (a tunnel outside is egress) and leaves multicast out", () => {
    const decoder = createDecoder('suricata', { internalNetworks: NETS });
    const eve = (proto: string, dest: string) =>
      `{"timestamp":"2023-11-14T22:14:25.000000+0000","flow_id":77,"event_type":"flow","src_ip":"10.0.0.9","dest_ip":"${dest}","proto":"${proto}","flow":{"pkts_toserver":4,"pkts_toclient":0,"bytes_toserver":6000,"bytes_toclient":0,"start":"2023-11-14T22:13:20.000000+0000","end":"2023-11-14T22:14:20.000000+0000"}}`;
    const read = (proto: string, dest: string) => decoder.decode(eve(proto, dest)).map((r) => [r.flow.dst_ip, r.flow.protocol, r.flow.bytes_out]);
    expect(read('IP-in-IP', '203.0.113.5')).toEqual([['203.0.113.5', 4, 6000]]);
    expect(read('IPv6', '203.0.113.6')).toEqual([['203.0.113.6', 41, 6000]]);
    expect(read('L2TP', '203.0.113.7')).toEqual([['203.0.113.7', 115, 6000]]);
    // IGMP to its group and VRRP to its multicast address never leave the LAN.
    expect(read('IGMP', '224.0.0.22')).toEqual([]);
    expect(read('VRRP', '224.0.0.18')).toEqual([]);
    expect(decoder.counts.skipped).toEqual({ 'multicast, broadcast or unspecified address (never leaves the site)': 2 });
    expect(decoder.counts.flows_out).toBe(3);
  });

  it('reads an eve line that a shipper wrapped as text under message (Filebeat, Elastic Agent, Security Onion)', () => {
    const decoder = createDecoder('suricata', { internalNetworks: NETS });
    const eve = '{"timestamp":"2023-11-14T22:14:25.000000+0000","flow_id":5150,"in_iface":"bond0","event_type":"flow","src_ip":"10.0.0.9","src_port":40100,"dest_ip":"203.0.113.50","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":12,"pkts_toclient":9,"bytes_toserver":3100,"bytes_toclient":8800,"start":"2023-11-14T22:13:20.000000+0000","end":"2023-11-14T22:14:20.000000+0000"}}';
    const wrapped = (text: string) => JSON.stringify({ '@timestamp': '2023-11-14T22:14:25.000Z', 'log.file.path': '/nsm/suricata/eve.json', message: text });
    const [r] = decoder.decode(wrapped(eve));
    expect(r.flow).toEqual(rec({ flow_id: '5150', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '10.0.0.9', dst_ip: '203.0.113.50', src_port: 40100, dst_port: 443, protocol: 6, bytes_out: 3100, bytes_in: 8800, packets_out: 12, packets_in: 9 }));
    // The sensor facts are the eve line's own.
    expect(r.sensor).toEqual({ in_iface: 'bond0' });
    // A cut message is named as the field it came in.
    expect(() => decoder.decode(wrapped('{"timestamp":"2023-11-14'))).toThrow('field message: "{\\"timestamp\\":\\"2023-11-14" is not an eve.json event as JSON text (invalid JSON: ');
    // auto recognises the wrapped form by its escaped keys.
    expect(sniffDialect(wrapped(eve))?.name).toBe('suricata');
  });

  it('gives enrichment the sensor host and interface', () => {
    const decoder = createDecoder('suricata', { internalNetworks: NETS });
    const line = '{"event_type":"flow","flow_id":1,"host":"sensor-a","in_iface":"eth1","src_ip":"10.0.0.5","src_port":1,"dest_ip":"192.0.2.1","dest_port":2,"proto":"UDP","flow":{"bytes_toserver":1,"bytes_toclient":0,"pkts_toserver":1,"pkts_toclient":0,"start":"2023-11-14T22:13:20Z","end":"2023-11-14T22:13:20Z"}}';
    expect(decoder.decode(line)[0].sensor).toEqual({ host: 'sensor-a', in_iface: 'eth1' });
  });
});
