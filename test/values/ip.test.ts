import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ipv4Number, isIp } from '../../src/values/ip.js';

describe('ipv4Number', () => {
  it('reads strict dotted quads only', () => {
    expect(ipv4Number('10.0.0.1')).toBe(167772161);
    expect(ipv4Number('255.255.255.255')).toBe(4294967295);
    expect(ipv4Number('0.0.0.0')).toBe(0);
    for (const bad of ['010.0.0.1', '256.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.', ' 1.2.3.4', 'fd00::1', '1.2.3.4a']) expect(ipv4Number(bad)).toBe(-1);
  });

  it('accepts exactly what ipaddr.js calls a four-part decimal address (every mix of edge octets)', () => {
    const octets = ['', '0', '00', '01', '1', '9', '10', '09', '99', '100', '199', '200', '249', '250', '255', '256', '260', '300', '999', '1000', 'a'];
    let accepted = 0;
    const disagreements: string[] = [];
    for (const a of octets)
      for (const b of octets)
        for (const c of octets)
          for (const d of octets) {
            const text = `${a}.${b}.${c}.${d}`;
            const want = ipaddr.IPv4.isValidFourPartDecimal(text);
            if (ipv4Number(text) !== -1 !== want || isIp(text) !== want) disagreements.push(text);
            if (want) accepted++;
          }
    expect(disagreements).toEqual([]);
    // The octets ipaddr accepts are 0, 1, 9, 10, 99, 100, 199, 200, 249, 250, 255: 11^4 addresses.
    expect(accepted).toBe(11 ** 4);
  });
});
