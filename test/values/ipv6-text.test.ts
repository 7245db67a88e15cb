// ipv6Text: every spelling of an IPv6 address becomes its RFC 5952 text; what has no single
// plain spelling (an embedded IPv4 part, a zone id) stays as written.
import { describe, expect, it } from 'vitest';
import { ipv6Text } from '../../src/values/ipv6-text.js';

describe('ipv6Text', () => {
  it('spells an address in RFC 5952 form whichever way it came', () => {
    expect(
      [
        '2001:0db8:0000:0000:0000:0000:0000:0001', // Suricata: every group in full
        '2001:DB8::1', // upper case
        '2001:db8:0:0:0:0:0:1', // zero run not compressed
        '2001:db8:0::1', // a zero group beside ::
        '2001:db8:0:1:0:0:0:1', // the longer run is the one to compress
        '2001:db8:0:0:1:0:0:1', // two runs of two: the first
        '2001:db8:1:1:1:1::1', // :: for one group alone
        'fe80:0000:0000:0000:eef4:bbff:fed1:0f6a',
      ].map(ipv6Text),
    ).toEqual(['2001:db8::1', '2001:db8::1', '2001:db8::1', '2001:db8::1', '2001:db8:0:1::1', '2001:db8::1:0:0:1', '2001:db8:1:1:1:1:0:1', 'fe80::eef4:bbff:fed1:f6a']);
  });

  it('never writes :: for one group alone, at either end as in the middle (RFC 5952 4.2.2)', () => {
    // Seven groups written beside a `::` at the start or end: the `::` is one zero group, which
    // RFC 5952 writes as 0 (Python's ipaddress gives the same). The quick return let these through.
    expect(['::2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::1:a89f:1:71fb:ffff:9:8f99', '6:1:0:492d:0:d8be:45ff::', '1:2:3::5:6:7:8', '::3:4:5:6:7:8', '1:2:3:4:5:6::'].map(ipv6Text)).toEqual([
      '0:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:0', '0:1:a89f:1:71fb:ffff:9:8f99', '6:1:0:492d:0:d8be:45ff:0', '1:2:3:0:5:6:7:8', '::3:4:5:6:7:8', '1:2:3:4:5:6::',
    ]);
  });

  it('returns RFC 5952 text, an embedded IPv4 part and a zone id as written', () => {
    expect(['2001:db8::1', '::', '::1', 'fe80::', '2001:db8:0:1::1', '::ffff:192.0.2.1', 'fe80::1%eth0'].map(ipv6Text)).toEqual([
      '2001:db8::1', '::', '::1', 'fe80::', '2001:db8:0:1::1', '::ffff:192.0.2.1', 'fe80::1%eth0',
    ]);
  });

  it('writes an IPv4-mapped address in the mixed form of RFC 5952 section 5, whichever way it came', () => {
    // Suricata writes 0000:...:ffff:c000:0201, goflow2 (Go's netip) ::ffff:192.0.2.1: one address, one key.
    expect(['0000:0000:0000:0000:0000:ffff:c000:0201', '::ffff:c000:201', '::FFFF:C000:0201', '0:0:0:0:0:ffff:192.0.2.1', '::FFFF:192.0.2.1', '::ffff:0:0'].map(ipv6Text)).toEqual([
      '::ffff:192.0.2.1', '::ffff:192.0.2.1', '::ffff:192.0.2.1', '::ffff:192.0.2.1', '::ffff:192.0.2.1', '::ffff:0.0.0.0',
    ]);
    // Not mapped: the deprecated IPv4-compatible ::192.0.2.1 (ipaddr.js parses it as mapped), NAT64, and
    // ::ffff:0:c000:201 (SIIT, ::ffff:0:0:0/96), stay as written or in hex.
    // IPv4 text is returned as it is (the config's checks pass any address).
    expect(ipv6Text('10.1.2.3')).toBe('10.1.2.3');
    expect(['::192.0.2.1', '64:ff9b::192.0.2.1', '::c000:201', '::ffff:0:c000:201'].map(ipv6Text)).toEqual(['::192.0.2.1', '64:ff9b::192.0.2.1', '::c000:201', '::ffff:0:c000:201']);
  });
});
