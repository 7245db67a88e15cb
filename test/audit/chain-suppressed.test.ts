// The suppressed-alerts chain: suppressed_by is covered by the link (so editing the
// suppression an alert names breaks the chain), alerts without it keep the links they had
// before the field existed, and the field survives JSON and Avro unchanged.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainAlert, linkHash, newChainHead, suppressedChainId } from '../../src/audit/chain.js';
import { verifyAlerts } from '../../src/audit/verify.js';
import type { Alert } from '../../src/engine/types.js';
import { decodeAlert, encodeAlert } from '../../src/io/wire.js';
import { parseProgress, progressEntry } from '../../src/kafka/progress.js';
import type { Suppression } from '../../src/suppress/types.js';

const T = Date.UTC(2026, 0, 5, 9, 0, 0);

function alert(id: string): Alert {
  return {
    alert_id: id, type: 'VOLUME_SPIKE', severity: 'HIGH', destination: 'backup.example.com', dst_country: 'DE',
    data_class: 'eu_user_data', principal: null, gateway_id: 'gw-1', window_start_ms: T - 60_000, window_end_ms: T,
    flow_count: 40, bytes: 4_000_000, observed: 4_000_000, expected: 1000, score: 9.5, threshold: 6, reason: 'spike',
    sample_flow_ids: ['f1', 'f2'], config_version: '0123456789abcdef', detected_at_ms: T,
  };
}

const SUPPRESSION: Suppression = {
  id: 'backup-move',
  scope: { type: 'VOLUME_SPIKE', destination: 'backup.example.com', data_class: null, principal: null },
  reason: 'nightly backup moved; OPS-1234',
  owner: 'alice',
  created_at_ms: T - 3_600_000,
  expires_at_ms: T + 3_600_000,
};

/** The link as it was computed before suppressed_by existed: the 23 contract and chain fields. */
function linkBefore(a: Alert): string {
  const fields = [
    a.alert_id, a.type, a.severity, a.destination, a.dst_country, a.data_class, a.principal, a.gateway_id,
    a.window_start_ms, a.window_end_ms, a.flow_count, a.bytes, a.observed, a.expected, a.score, a.threshold,
    a.reason, a.sample_flow_ids, a.config_version, a.detected_at_ms, a.chain_id, a.chain_seq, a.chain_prev,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

describe('suppressed_by in the chain', () => {
  it('leaves the links of alerts without it as they were', () => {
    const a = alert('a1');
    chainAlert(a, 't/0', newChainHead());
    expect(a.chain_hash).toBe(linkBefore(a));
  });

  it('is covered: the same alert with or without it, or with another reason, links differently; key order does not matter', () => {
    const plain = { ...alert('a1'), chain_id: 'c', chain_seq: 0, chain_prev: '0'.repeat(64) };
    const withIt = { ...plain, suppressed_by: SUPPRESSION };
    const reordered = { ...plain, suppressed_by: { expires_at_ms: SUPPRESSION.expires_at_ms, owner: 'alice', reason: SUPPRESSION.reason, scope: { ...SUPPRESSION.scope }, id: SUPPRESSION.id, created_at_ms: SUPPRESSION.created_at_ms } };
    const edited = { ...plain, suppressed_by: { ...SUPPRESSION, reason: 'something else' } };
    expect(linkHash(withIt)).not.toBe(linkHash(plain));
    expect(linkHash(reordered)).toBe(linkHash(withIt));
    expect(linkHash(edited)).not.toBe(linkHash(withIt));
  });

  it('survives JSON and Avro, and a chain of suppressed alerts verifies', () => {
    const head = newChainHead();
    const chain = suppressedChainId('flows/3');
    expect(chain).toBe('flows/3/suppressed');
    const alerts = ['a1', 'a2'].map((id) => {
      const a: Alert = { ...alert(id), suppressed_by: SUPPRESSION };
      chainAlert(a, chain, head);
      return a;
    });
    for (const format of ['json', 'avro'] as const) {
      const back = alerts.map((a) => decodeAlert(encodeAlert(a, format), format));
      expect(back).toEqual(alerts.map((a) => ({ ok: true, alert: a })));
      const report = verifyAlerts(back.map((b, i) => ({ alert: (b as { alert: Alert }).alert, where: `x:${i}` })));
      expect(report.problems).toEqual([]);
      expect(report.chains).toEqual([{ chain_id: 'flows/3/suppressed', alerts: 2, first_seq: 0, last_seq: 1, head_hash: alerts[1].chain_hash }]);
    }
    // An incident reads back without the field, not with null.
    const plain = alert('p');
    expect(decodeAlert(encodeAlert(plain, 'avro'), 'avro')).toEqual({ ok: true, alert: plain });
  });
});

describe('the progress marker', () => {
  it('reads markers written before the suppressed chain, and keeps its head once there is one', () => {
    const old = '{"v":1,"topic":"in","next":4,"sources":{},"chain":{"seq":2,"hash":"' + 'a'.repeat(64) + '"}}';
    expect(parseProgress(old)).toEqual({ topic: 'in', next: 4, sources: {}, chain: { seq: 2, hash: 'a'.repeat(64) } });
    const p = { topic: 'in', next: 5, sources: {}, chain: { seq: 2, hash: 'a'.repeat(64) }, suppressed: { seq: 1, hash: 'b'.repeat(64) } };
    expect(parseProgress(progressEntry(p).value!)).toEqual(p);
    expect(parseProgress(old.replace(/}}$/, '},"suppressed":{"seq":-1,"hash":"x"}}'))).toBe(
      'progress marker: suppressed chain head seq is not a non-negative integer',
    );
  });
});
