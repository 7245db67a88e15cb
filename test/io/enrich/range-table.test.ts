import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { RangeTable } from '../../../src/io/enrich/range-table.js';

describe('RangeTable', () => {
  const table = new RangeTable([
    { cidr: '10.1.2.0/24', value: 'inner' },
    { cidr: '10.0.0.0/8', value: 'outer' },
    { cidr: '10.1.0.0/16', value: 'shadowed' },
    { cidr: '2001:db8::/32', value: 'v6' },
    { cidr: '2001:db8:1::/48', value: 'v6-shadowed' },
    { cidr: '0.0.0.0/0', value: 'anything-v4' },
  ]);

  it('gives the earliest entry that holds the address', () => {
    expect(table.lookup('10.1.2.3')).toBe('inner');
    expect(table.lookup('10.1.3.3')).toBe('outer'); // 10.1.0.0/16 is listed after 10.0.0.0/8
    expect(table.lookup('10.255.255.255')).toBe('outer');
    expect(table.lookup('11.0.0.0')).toBe('anything-v4');
    expect(table.lookup('255.255.255.255')).toBe('anything-v4');
    expect(table.lookup('0.0.0.0')).toBe('anything-v4');
    expect(table.lookup('2001:db8:1::5')).toBe('v6');
    expect(table.lookup('2001:0db8:ffff::1')).toBe('v6');
    expect(table.lookup('2001:db9::1')).toBeUndefined();
  });

  it('reads an IPv4-mapped IPv6 address as IPv4 and refuses what is not an address', () => {
    expect(table.lookup('::ffff:10.1.2.9')).toBe('inner');
    expect(table.lookup('010.1.2.3')).toBeUndefined();
    expect(table.lookup('10.1.2')).toBeUndefined();
    expect(table.lookup('10.1.2.256')).toBeUndefined();
    expect(table.lookup('gw-fra-1')).toBeUndefined();
    expect(table.lookup('')).toBeUndefined();
  });

  it('agrees with a linear first-match scan (ipaddr.js) on random tables', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const network = fc.tuple(octet, octet, octet, fc.integer({ min: 0, max: 32 })).map(([a, b, c, bits]) => {
      const address = ipaddr.IPv4.networkAddressFromCIDR(`10.${a}.${b}.${c}/${bits}`);
      return `${address.toString()}/${bits}`;
    });
    const address = fc.tuple(octet, octet, octet).map(([a, b, c]) => `10.${a}.${b}.${c}`);
    fc.assert(
      fc.property(fc.array(network, { maxLength: 30 }), fc.array(address, { minLength: 1, maxLength: 30 }), (networks, addresses) => {
        const entries = networks.map((cidr, value) => ({ cidr, value }));
        const subject = new RangeTable(entries);
        for (const ip of addresses) {
          const parsed = ipaddr.parse(ip);
          const expected = entries.find((entry) => parsed.match(ipaddr.parseCIDR(entry.cidr)))?.value;
          expect(subject.lookup(ip)).toBe(expected);
        }
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('holds 100 000 networks', () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ cidr: `10.${i >> 14}.${(i >> 6) & 0xff}.${(i & 0x3f) << 2}/30`, value: `p${i}` }));
    const big = new RangeTable(entries);
    expect(big.size).toBe(100_000);
    expect(big.lookup('10.0.0.0')).toBe('p0');
    expect(big.lookup('10.0.0.3')).toBe('p0');
    expect(big.lookup('10.0.0.4')).toBe('p1');
    // i = 99 999: 10.6.26.124/30 (99 999 >> 14 = 6, (99 999 >> 6) & 255 = 26, (99 999 & 63) << 2 = 124)
    expect(big.lookup('10.6.26.126')).toBe('p99999');
    expect(big.lookup('10.6.26.128')).toBeUndefined();
  });
});
