import { describe, expect, it } from 'vitest';
import { destinationKind } from '../../../src/io/siem/destination.js';

describe('destinationKind', () => {
  it('tells IP addresses, /24 and /64 prefixes and host names apart', () => {
    const kinds = Object.fromEntries(
      ['203.0.113.9', '2001:db8::7', '::ffff:192.0.2.1', '198.51.100.0/24', '2001:db8:1:2::/64', 'api.example.com', 'localhost'].map((d) => [d, destinationKind(d)]),
    );
    expect(kinds).toStrictEqual({
      '203.0.113.9': 'ip',
      '2001:db8::7': 'ip',
      '::ffff:192.0.2.1': 'ip',
      '198.51.100.0/24': 'prefix',
      '2001:db8:1:2::/64': 'prefix',
      'api.example.com': 'host',
      localhost: 'host',
    });
  });

  it('does not take odd IPv4 forms, zones or bad prefixes for addresses', () => {
    expect(['1', '0x7f.1', '300.1.1.1', 'fe80::1%eth0', '10.0.0.0/33', 'a.example/24'].map(destinationKind)).toEqual([
      'host',
      'host',
      'host',
      'host',
      'host',
      'host',
    ]);
  });
});
