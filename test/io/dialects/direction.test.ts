import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../../src/io/dialects/dialect.js';
import { Orienter, type DirectionHint, type SensorFlow } from '../../../src/io/dialects/direction.js';
import { InternalNetworks } from '../../../src/engine/keys.js';

const orienter = new Orienter(['10.0.0.0/8', 'fd00::/8']);
const flow = (orig: string, resp: string): SensorFlow => ({
  flow_id: 'x', start_ms: 0, end_ms: 0, orig_ip: orig, orig_port: 1111, resp_ip: resp, resp_port: 443, protocol: 6,
  orig_bytes: 100, resp_bytes: 9000, orig_pkts: 1, resp_pkts: 9, orig_host: 'client.example', resp_host: 'server.example',
});

describe('two-way records', () => {
  // [orig, resp, hint] -> [src, dst, bytes_out, bytes_in, dst_host] or the counter it lands in
  const cases: Array<[string, string, DirectionHint, [string, string, number, number, string] | 'internal' | 'transit']> = [
    ['10.0.0.1', '192.0.2.1', null, ['10.0.0.1', '192.0.2.1', 100, 9000, 'server.example']],
    ['192.0.2.1', '10.0.0.1', null, ['10.0.0.1', '192.0.2.1', 9000, 100, 'client.example']],
    ['::ffff:10.0.0.1', '2001:db8::1', null, ['::ffff:10.0.0.1', '2001:db8::1', 100, 9000, 'server.example']],
    ['10.0.0.1', '10.0.0.2', 'outbound', ['10.0.0.1', '10.0.0.2', 100, 9000, 'server.example']],
    ['192.0.2.1', '192.0.2.2', null, 'transit'],
    ['192.0.2.1', '192.0.2.2', 'inbound', ['192.0.2.2', '192.0.2.1', 9000, 100, 'client.example']],
    ['192.0.2.1', '192.0.2.2', 'lateral', 'internal'],
  ];
  for (const [orig, resp, hint, want] of cases) {
    it(`${orig} -> ${resp} (${hint ?? 'no hint'})`, () => {
      const counts = emptyCounts();
      const out = orienter.orient(flow(orig, resp), counts, hint);
      if (want === 'transit' || want === 'internal') {
        expect(out).toBeNull();
        expect(counts[want]).toBe(1);
      } else {
        expect(out && [out.src_ip, out.dst_ip, out.bytes_out, out.bytes_in, out.dst_host]).toEqual(want);
        expect(out && [out.src_port, out.dst_port]).toEqual(want[0] === orig ? [1111, 443] : [443, 1111]);
      }
    });
  }
  it('counts internal-to-internal records and passes them on', () => {
    const counts = emptyCounts();
    expect(orienter.orient(flow('10.0.0.1', 'fd00::9'), counts)?.dst_ip).toBe('fd00::9');
    expect(counts.internal).toBe(1);
  });
});

describe('one-way records', () => {
  it('pass on the outbound direction only', () => {
    const counts = emptyCounts();
    expect(orienter.orientOneWay(flow('10.0.0.1', '192.0.2.1'), counts)?.bytes_out).toBe(100);
    expect(orienter.orientOneWay(flow('192.0.2.1', '10.0.0.1'), counts)).toBeNull();
    expect(orienter.orientOneWay(flow('192.0.2.1', '192.0.2.2'), counts)).toBeNull();
    expect(orienter.orientOneWay(flow('10.0.0.1', '10.0.0.2'), counts)?.dst_ip).toBe('10.0.0.2');
    expect(counts).toMatchObject({ inbound: 1, transit: 1, internal: 1 });
  });
});

describe('the inside-check for IPv4', () => {
  it('answers internal_networks for IPv4 as the engine does, at CIDR edges', () => {
    const o = new Orienter(['172.16.0.0/12', '192.0.2.128/25']);
    const side = (ip: string) => o.orientOneWay(flow(ip, '198.51.100.1'), emptyCounts()) !== null;
    expect(['172.16.0.0', '172.31.255.255', '192.0.2.128', '192.0.2.255'].map(side)).toEqual([true, true, true, true]);
    expect(['172.15.255.255', '172.32.0.0', '192.0.2.127', '193.0.2.200'].map(side)).toEqual([false, false, false, false]);
  });
});

describe('IPv6 inside by the first group (every IPv6 network /16 or shorter)', () => {
  // The reference is the engine's InternalNetworks (ipaddr.js), which the orienter fell back to
  // for all IPv6 before; /48 networks still go that way.
  const networkSets = [['10.0.0.0/8', 'fd00::/8'], ['2001:db8::/16', 'fc00::/7'], ['::/0'], ['2001:db8:1::/48', 'fd00::/8'], ['fe80::/10']];
  const addresses = ['fd12::1', 'FD00:0:0::1', 'fc00::1', 'fe00::1', '2001:db8::1', '2001:db9::1', '2001:db8:1::5', 'fe80::1%eth0', 'febf::1', 'fec0::1', '::ffff:10.0.0.1', '::1', '1::', 'fe80:0:0:0:0:0:0:1'];
  for (const nets of networkSets) {
    it(nets.join(', '), () => {
      const orienter = new Orienter(nets);
      const reference = new InternalNetworks(nets);
      for (const ip of addresses) {
        const counts = emptyCounts();
        const out = orienter.orientOneWay(flow(ip, '192.0.2.1'), counts);
        expect([ip, out !== null]).toEqual([ip, reference.contains(ip)]);
      }
    });
  }
});

describe('addresses no packet to which leaves the site', () => {
  // Multicast (224.0.0.0/4, ff00::/8), the limited broadcast and the unspecified address: a LAN
  // sensor sees mDNS, SSDP, DHCP and router chatter to them on every network; none is egress.
  const kind = 'multicast, broadcast or unspecified address (never leaves the site)';
  it('are counted by that kind, two-way and one-way, whichever end they are', () => {
    const counts = emptyCounts();
    const pairs: Array<[string, string]> = [
      ['10.0.0.5', '224.0.0.251'], // mDNS
      ['10.0.0.5', '239.255.255.250'], // SSDP
      ['0.0.0.0', '255.255.255.255'], // DHCP discover
      ['fe80::1', 'ff02::fb'],
      ['192.0.2.7', 'FF05::1:3'],
      ['::', 'ff02::2'],
      ['::ffff:10.0.0.5', '::ffff:224.0.0.251'],
    ];
    for (const [a, b] of pairs) expect(orienter.orient(flow(a, b), counts)).toBeNull();
    expect(orienter.orientOneWay(flow('10.0.0.5', '224.0.0.22'), counts)).toBeNull();
    expect(orienter.orientOneWay(flow('224.0.0.1', '10.0.0.5'), counts)).toBeNull();
    expect(counts.skipped).toEqual({ [kind]: 9 });
    expect([counts.internal, counts.transit, counts.inbound]).toEqual([0, 0, 0]);
  });
  it('leave the addresses next to them alone', () => {
    const counts = emptyCounts();
    const out = ['223.255.255.255', '240.0.0.1', '255.255.255.254', '0.0.0.1', 'fe00::1', 'ffe::1', '::1', '::ffff:198.51.100.1'].map(
      (d) => orienter.orient(flow('10.0.0.5', d), counts)?.dst_ip ?? null,
    );
    expect(out).toEqual(['223.255.255.255', '240.0.0.1', '255.255.255.254', '0.0.0.1', 'fe00::1', 'ffe::1', '::1', '::ffff:198.51.100.1']);
    expect(counts.skipped).toEqual({});
  });
});
