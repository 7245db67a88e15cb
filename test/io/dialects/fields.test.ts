// The field readers' fast paths answer exactly as the general ones: ISO 8601 times read by
// position equal Date.parse (values below worked out with Date.parse), unusual forms still go
// the general way, and reused sensor facts follow the sensor when it changes.
import { describe, expect, it } from 'vitest';
import { countOf, FactsCache, isoToMs, objectOf, portOf, protocolOf, ReusedFacts, secondsToMs } from '../../../src/io/dialects/fields.js';

describe('isoToMs', () => {
  it('reads the fixed forms sensors write', () => {
    expect(isoToMs('t', '2026-01-05T00:00:05.949Z')).toBe(1767571205949);
    expect(isoToMs('t', '2016-01-05T00:00:05.949123+0000')).toBe(1451952005949); // cut, not rounded
    expect(isoToMs('t', '2016-01-05T00:00:05.9-0130')).toBe(1451957405900);
    expect(isoToMs('t', '2016-01-05T00:00:05+01:00')).toBe(1451948405000);
  });

  it('leaves other forms to Date.parse, as before', () => {
    expect(isoToMs('t', '2016-02-30T00:00:05Z')).toBe(1456790405000); // rolls over to 1 March
    expect(isoToMs('t', '2016-01-05T24:00:00Z')).toBe(1452038400000);
    expect(() => isoToMs('t', '2016-01-05T00:00:60Z')).toThrow('field t: "2016-01-05T00:00:60Z" is not an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)');
    expect(() => isoToMs('t', '2016-01-05T00:00:05')).toThrow('field t: "2016-01-05T00:00:05" is not an ISO 8601 time with a zone');
  });

  it("reads RFC 3339's other spellings as the T form they stand for: a space or t, a lower-case z", () => {
    // The values of the fixed forms above: the same instants.
    expect(isoToMs('t', '2026-01-05 00:00:05.949Z')).toBe(1767571205949);
    expect(isoToMs('t', '2026-01-05T00:00:05.949z')).toBe(1767571205949);
    expect(isoToMs('t', '2016-01-05 00:00:05.949123+00:00')).toBe(1451952005949);
    expect(isoToMs('t', '2016-01-05t00:00:05+01:00')).toBe(1451948405000);
    expect(isoToMs('t', '2016-01-05 00:00:05.9-0130')).toBe(1451957405900);
    // Still no zone, no time.
    expect(() => isoToMs('t', '2016-01-05 00:00:05')).toThrow('field t: "2016-01-05 00:00:05" is not an ISO 8601 time with a zone');
    expect(() => isoToMs('t', '2016-01-05_00:00:05Z')).toThrow('field t: "2016-01-05_00:00:05Z" is not an ISO 8601 time with a zone');
  });
});

describe('numbers as text', () => {
  it('reads decimal text only: what Number() also reads is no count, port, protocol or time a sensor writes', () => {
    expect([countOf('c', '0'), countOf('c', '40000'), countOf('c', 7), portOf('p', '443'), protocolOf('x', '17'), secondsToMs('t', '1700000000.25'), secondsToMs('t', '1700000000')]).toEqual([
      0, 40000, 7, 443, 17, 1700000000250, 1700000000000,
    ]);
    for (const bad of ['0x10', '1e3', ' 5', '5 ', '+5', 'Infinity', '', '5.0']) {
      expect(() => countOf('c', bad)).toThrow(`field c: ${JSON.stringify(bad)} is not a count (a whole number >= 0)`);
    }
    for (const bad of ['0x1bb', '4.43e2', ' 443']) expect(() => portOf('p', bad)).toThrow(`field p: ${JSON.stringify(bad)} is not a port (0-65535)`);
    expect(() => protocolOf('x', '0x06')).toThrow('field x: "0x06" is not a protocol');
    for (const bad of ['1.7e9', '.5', '5.', '1.2.3', ' 1700000000']) expect(() => secondsToMs('t', bad)).toThrow(`field t: ${JSON.stringify(bad)} is not a time in epoch seconds`);
  });
});

describe('ReusedFacts', () => {
  it('gives the same object while the fields stay the same, new facts when they change', () => {
    const facts = new ReusedFacts(['name', 'uid'], 'device.');
    const a = facts.of({ name: 'gw-1', uid: 'u1', other: 'x' });
    expect(a).toEqual({ 'device.name': 'gw-1', 'device.uid': 'u1' });
    expect(facts.of({ name: 'gw-1', uid: 'u1', other: 'y' })).toBe(a);
    expect(facts.of({ name: 'gw-2' })).toEqual({ 'device.name': 'gw-2' });
    expect(facts.of({})).toEqual({});
  });

  it('reads every field of a list longer than the three read at sites of their own', () => {
    const facts = new ReusedFacts(['a', 'b', 'c', 'd'], 's.');
    const first = facts.of({ a: 'x', b: 2, c: '', d: 'w' });
    expect(first).toEqual({ 's.a': 'x', 's.b': '2', 's.d': 'w' });
    expect(facts.of({ a: 'x', b: 2, c: '', d: 'w' })).toBe(first);
    // Only the fourth field differs: a new tuple, new facts.
    expect(facts.of({ a: 'x', b: 2, c: '', d: 'v' })).toEqual({ 's.a': 'x', 's.b': '2', 's.d': 'v' });
  });
});

describe('objectOf', () => {
  it('gives the object, an empty one for an absent or null optional field, or names the field', () => {
    const inner = { k: 1 };
    expect(objectOf('flow', inner, true)).toBe(inner);
    expect(objectOf('traffic', undefined, false)).toEqual({});
    expect(() => objectOf('flow', undefined, true)).toThrow('field flow: missing (an object)');
    expect(objectOf('traffic', null, false)).toEqual({});
    expect(() => objectOf('flow', null, true)).toThrow('field flow: null is not an object');
    expect(() => objectOf('traffic', [1], false)).toThrow('field traffic: [1] is not an object');
  });
});

describe('FactsCache', () => {
  it('keeps the facts of the last 8 value tuples: interleaved sensors reuse theirs, the oldest is forgotten first', () => {
    const facts = new ReusedFacts(['host']);
    const gw = (i: number) => facts.of({ host: `gw-${i}` });
    const first = [0, 1, 2].map(gw);
    expect([0, 1, 2, 1, 0, 2].map(gw)).toEqual([0, 1, 2, 1, 0, 2].map((i) => first[i]));
    expect([0, 1, 2, 1, 0, 2].map((i) => gw(i) === first[i])).toEqual([true, true, true, true, true, true]);
    for (let i = 3; i < 8; i++) gw(i); // 8 tuples kept: 0..7
    expect(gw(0)).toBe(first[0]);
    gw(8); // replaces the oldest entry, gw-0's
    const again = gw(0);
    expect(again).not.toBe(first[0]);
    expect(again).toEqual({ host: 'gw-0' });
    expect(Object.isFrozen(again)).toBe(true);
  });

  it('tells tuples apart by every value, undefined included', () => {
    const cache = new FactsCache(2);
    cache.current[0] = 'a';
    cache.current[1] = undefined;
    expect(cache.find()).toBeNull();
    const a = cache.add({ x: 'a' });
    cache.current[1] = 'b';
    expect(cache.find()).toBeNull();
    const ab = cache.add({ x: 'a', y: 'b' });
    cache.current[1] = undefined;
    expect(cache.find()).toBe(a);
    cache.current[1] = 'b';
    expect(cache.find()).toBe(ab);
  });
});

describe('protocolOf', () => {
  it('reads the names sensors write, in any case, as IANA numbers', () => {
    // Zeek; Suricata's eve `proto` (IANA keywords, its own IP-in-IP, OSPF, IS-IS); goflow2 (ICMPv6);
    // netbase's /etc/protocols (IP-ENCAP, IPSEC-ESP, OSPFIGP). Numbers from the IANA registry.
    const names = ['tcp', 'UDP', 'icmp', 'IGMP', 'HOPOPT', 'IP-in-IP', 'IPv6', 'GRE', 'ESP', 'IPSEC-AH', 'IPv6-ICMP', 'ICMPv6', 'OSPF', 'OSPFIGP', 'PIM', 'VRRP', 'L2TP', 'IS-IS', 'SCTP', 'UDPLite', 'Mobility-Header'];
    expect(names.map((n) => protocolOf('proto', n))).toEqual([6, 17, 1, 2, 0, 4, 41, 47, 50, 51, 58, 58, 89, 89, 103, 112, 115, 124, 132, 136, 135]);
  });
  it('reads a name that says the sensor did not know as 0, as Zeek writes unknown_transport', () => {
    expect(['unknown_transport', '', 'unknown', 'Unassigned', 'Any'].map((n) => protocolOf('proto', n))).toEqual([0, 0, 0, 0, 0]);
    // goflow2's names of the registry's "any ..." entries, and Suricata's OS for 94.
    expect(['any-host-internal-protocol', 'any-local-network', 'any-distributed-file-system', 'any-private-encryption-scheme', 'any-0-hop-protocol', 'OS'].map((n) => protocolOf('proto', n))).toEqual([61, 63, 68, 99, 114, 94]);
  });
  it('reads numbers as numbers or text, and names any other value', () => {
    expect([protocolOf('proto', 47), protocolOf('proto', '253'), protocolOf('proto', 0)]).toEqual([47, 253, 0]);
    expect(() => protocolOf('proto', 'ospfv9')).toThrow('field proto: "ospfv9" is not a protocol (a number 0-255 or an IANA name: tcp, udp, icmp, igmp, gre, ...)');
    expect(() => protocolOf('proto', 256)).toThrow('field proto: 256 is not a protocol');
  });
});
