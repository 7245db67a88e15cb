import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { mergeByEndMs, shardAddress, shardFlow, soakTraffic } from '../../../bench/soak/traffic.js';
import type { FlowRecord } from '../../../src/engine/types.js';

function flow(id: string, end_ms: number, dst_host: string | null = null, dst_ip = '198.18.0.1'): FlowRecord {
  return {
    flow_id: id, gateway_id: 'gw', start_ms: end_ms - 1, end_ms, src_ip: '10.0.0.1', dst_ip, src_port: 1, dst_port: 443, protocol: 6,
    dst_host, dst_country: 'DE', bytes_out: 1, bytes_in: 1, packets_out: 1, packets_in: 1, data_class: null, principal: null,
  };
}

describe('shardAddress / shardFlow', () => {
  it('maps an IPv4 address into the shard\'s own canonical IPv6 space', () => {
    // 198 = c6, 18 = 12; 0, 1 -> 0001
    expect(shardAddress('198.18.0.1', 0)).toBe('2001:db8:ffff:1::c612:1');
    // 203 = cb, 0 = 00; 113 = 71, 200 = c8
    expect(shardAddress('203.0.113.200', 4)).toBe('2001:db8:ffff:5::cb00:71c8');
    for (const a of ['2001:db8:ffff:1::c612:1', '2001:db8:ffff:5::cb00:71c8']) expect((ipaddr.parse(a) as ipaddr.IPv6).toRFC5952String()).toBe(a);
  });

  it('prefixes host names, moves external IPv4-only destinations, leaves internal and IPv6 ones', () => {
    expect(shardFlow(flow('a', 1, 'api.vendor-1.example'), 3).dst_host).toBe('s3.api.vendor-1.example');
    expect(shardFlow(flow('b', 1, null, '192.0.2.7'), 2).dst_ip).toBe('2001:db8:ffff:3::c000:207');
    expect(shardFlow(flow('c', 1, null, '10.30.1.2'), 2).dst_ip).toBe('10.30.1.2');
    expect(shardFlow(flow('d', 1, null, '2001:db8:5:6::7'), 2).dst_ip).toBe('2001:db8:5:6::7');
  });
});

describe('mergeByEndMs', () => {
  it('interleaves sorted streams by end_ms, earlier stream first on ties', () => {
    const a = [flow('a1', 1), flow('a4', 4), flow('a9', 9)];
    const b = [flow('b2', 2), flow('b3', 3), flow('b4', 4), flow('b10', 10)];
    expect([...mergeByEndMs([a, [], b])].map((f) => f.flow_id)).toEqual(['a1', 'b2', 'b3', 'a4', 'b4', 'a9', 'b10']);
  });
});

describe('soakTraffic', () => {
  it('two shards: truth destinations carry the shard prefix; flows in event-time order; keys of both shards', () => {
    const HOUR = 3_600_000;
    const t = soakTraffic({
      seed: 5, destinations: 400, shard_destinations: 200, start_ms: Date.UTC(2026, 0, 5), duration_ms: 3 * HOUR, rate: 5,
      incidents_per_type: 1, learning_ms: HOUR, types: ['RESIDENCY_VIOLATION'],
    });
    expect(t.truth.map((i) => i.incident_id.slice(0, 3))).toEqual(['s0-', 's1-']);
    for (const [s, i] of t.truth.entries()) expect(i.destination).toMatch(new RegExp(`^s${s}\\.|^2001:db8:ffff:${s + 1}::`));
    let previous = -Infinity;
    const prefixes = new Set<string>();
    let n = 0;
    for (const f of t.flows) {
      expect(f.end_ms).toBeGreaterThanOrEqual(previous);
      previous = f.end_ms;
      if (f.dst_host !== null && !f.dst_host.endsWith('.corp.internal')) prefixes.add(f.dst_host.split('.')[0]);
      if (++n === 5_000) break;
    }
    expect([...prefixes].sort()).toEqual(['s0', 's1']);
  });
});
