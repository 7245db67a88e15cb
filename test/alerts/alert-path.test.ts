// The one path after the engine: a covered alert is set aside with its suppression and chained
// on `<chain>/suppressed`, the others are chained as incidents, each chain without gaps; the
// suppressed chain's head is asked for only when the first suppressed alert comes (a progress
// marker written without one stays without), and without chains alerts are only routed.
import { describe, expect, it } from 'vitest';
import { AlertPath } from '../../src/alerts/alert-path.js';
import { GENESIS_HASH, linkHash, newChainHead } from '../../src/audit/chain.js';
import type { Alert, Suppression } from '../../src/model/contract.js';
import { SuppressionBook } from '../../src/suppress/book.js';

const T = Date.UTC(2026, 0, 5, 9, 0, 0);

function alert(id: string, destination: string): Alert {
  return {
    alert_id: id, type: 'VOLUME_SPIKE', severity: 'HIGH', destination, dst_country: 'DE', data_class: null, principal: null,
    gateway_id: 'gw-1', window_start_ms: T - 60_000, window_end_ms: T, flow_count: 4, bytes: 4000, observed: 4000, expected: 10,
    score: 9, threshold: 6, reason: 'spike', sample_flow_ids: ['f1'], config_version: 'v1', detected_at_ms: T,
  };
}

const benign: Suppression = {
  id: 'backup', scope: { type: null, destination: 'backup.example.com', data_class: null, principal: null },
  reason: 'nightly backup', owner: 'alice', created_at_ms: T - 1000, expires_at_ms: T + 1000,
};

describe('AlertPath', () => {
  it('sets covered alerts aside on their own chain and chains the rest as incidents', () => {
    const incidents = newChainHead();
    const suppressedHead = newChainHead();
    let asked = 0;
    const path = new AlertPath({
      suppressions: new SuppressionBook([benign]),
      chains: { id: 'replay', incidents, suppressed: () => (asked++, suppressedHead) },
    });
    const a = alert('a', 'x.example.com');
    const b = alert('b', 'backup.example.com');
    const c = alert('c', 'y.example.com');
    expect(path.route(a)).toBe('incident');
    expect(asked).toBe(0);
    const kept: Alert[] = [];
    const set: Alert[] = [];
    path.split([b, c], kept, set);
    expect(kept).toEqual([c]);
    expect(set).toEqual([b]);
    expect(asked).toBe(1);
    expect(b.suppressed_by).toBe(benign);
    expect(a.suppressed_by).toBeUndefined();
    expect([a.chain_id, a.chain_seq, a.chain_prev]).toEqual(['replay', 0, GENESIS_HASH]);
    expect([c.chain_id, c.chain_seq, c.chain_prev]).toEqual(['replay', 1, a.chain_hash]);
    expect([b.chain_id, b.chain_seq, b.chain_prev]).toEqual(['replay/suppressed', 0, GENESIS_HASH]);
    expect(b.chain_hash).toBe(linkHash(b));
    expect(incidents).toEqual({ seq: 2, hash: c.chain_hash });
    expect(suppressedHead).toEqual({ seq: 1, hash: b.chain_hash });
  });

  it('only routes when it has no chains (flighting)', () => {
    const path = new AlertPath({ suppressions: new SuppressionBook([benign]) });
    const b = alert('b', 'backup.example.com');
    const c = alert('c', 'y.example.com');
    expect([path.route(b), path.route(c)]).toEqual(['suppressed', 'incident']);
    expect(c.chain_id).toBeUndefined();
    expect(b.chain_id).toBeUndefined();
  });
});
