import { describe, expect, it } from 'vitest';
import { chainAlert, GENESIS_HASH, linkHash, newChainHead } from '../../src/audit/chain.js';
import { compareHeads } from '../../src/audit/recorded-heads.js';
import { formatVerifyReport, verifyAlerts, type LocatedAlert } from '../../src/audit/verify.js';
import type { Alert } from '../../src/engine/types.js';

function alert(id: string, bytes = 4096): Alert {
  return {
    alert_id: id, type: 'VOLUME_SPIKE', severity: 'HIGH', destination: 'a.example', dst_country: 'DE',
    data_class: 'eu_user_data', principal: 'svc-a', gateway_id: 'gw-1', window_start_ms: 0, window_end_ms: 60_000,
    flow_count: 3, bytes, observed: 4096, expected: 512.5, score: 7.25, threshold: 6, reason: 'r',
    sample_flow_ids: ['f1', 'f2'], config_version: 'cv', detected_at_ms: 60_000,
  };
}

/** n alerts chained in `chain`, located at file:1.. */
function chained(chain: string, n: number, from = 1): LocatedAlert[] {
  const head = newChainHead();
  return Array.from({ length: n }, (_, i) => {
    const a = alert(`id-${from + i}`);
    chainAlert(a, chain, head);
    return { alert: a, where: `log:${from + i}` };
  });
}

describe('the alert hash chain', () => {
  it('hashes the fields in schema order with the chain link (value from Python hashlib over the same JSON array)', () => {
    const a = alert('id-1');
    const head = newChainHead();
    chainAlert(a, 't/0', head);
    expect(a.chain_seq).toBe(0);
    expect(a.chain_prev).toBe(GENESIS_HASH);
    expect(a.chain_hash).toBe('33ee7b068ac9046d3d59c020df0a992fec8ca8b7b76ffa133f49be569c9d1ff6');
    expect(head).toEqual({ seq: 1, hash: a.chain_hash });
    const b = alert('id-2');
    chainAlert(b, 't/0', head);
    expect(b.chain_seq).toBe(1);
    expect(b.chain_prev).toBe(a.chain_hash);
    expect(linkHash(b)).toBe(b.chain_hash);
  });
});

describe('verifyAlerts', () => {
  it('finds an intact log intact, with repeated deliveries counted, not reported', () => {
    const log = [...chained('t/0', 3), ...chained('t/1', 2, 10)];
    const r = verifyAlerts([...log, log[1]]);
    expect(r.problems).toEqual([]);
    expect(r.alerts).toBe(6);
    expect(r.duplicates).toBe(1);
    expect(r.chains.map(({ head_hash, ...c }) => c)).toEqual([
      { chain_id: 't/0', alerts: 3, first_seq: 0, last_seq: 2 },
      { chain_id: 't/1', alerts: 2, first_seq: 0, last_seq: 1 },
    ]);
    expect(r.chains[0].head_hash).toBe(log[2].alert.chain_hash);
    expect(formatVerifyReport(r, 'log').at(-1)).toBe('  intact: every link checks and no alert is missing');
  });

  it('finds an edited field', () => {
    const log = chained('t/0', 3);
    log[1].alert.bytes = 10;
    expect(verifyAlerts(log).problems).toEqual([
      { where: 'log:2', chain_id: 't/0', seq: 1, problem: 'alert id-2 was altered: its fields do not hash to its chain_hash' },
      // the altered link is set aside, so the chain shows a hole where it was
      { where: 'log:3', chain_id: 't/0', seq: 2, problem: '1 alert missing before it (seq 1..1)' },
    ]);
  });

  it('finds an edit whose hash was recomputed, by the next link', () => {
    const log = chained('t/0', 3);
    log[1].alert.reason = 'nothing to see';
    log[1].alert.chain_hash = linkHash(log[1].alert);
    expect(verifyAlerts(log).problems).toEqual([
      { where: 'log:3', chain_id: 't/0', seq: 2, problem: 'its chain_prev is not the chain_hash of seq 1 at log:2: an alert was altered or replaced' },
    ]);
  });

  it('finds deleted alerts at the start and in the middle, and unchained or conflicting ones', () => {
    const log = chained('t/0', 6);
    const forged = { alert: { ...log[4].alert, alert_id: 'other', chain_hash: '' }, where: 'log:99' };
    forged.alert.chain_hash = linkHash(forged.alert);
    const r = verifyAlerts([log[2], log[4], log[5], { alert: alert('loose'), where: 'log:7' }, forged]);
    expect(r.problems).toEqual([
      { where: 'log:7', chain_id: null, seq: null, problem: 'alert loose carries no chain link (chain_id, chain_seq, chain_prev, chain_hash)' },
      { where: 'log:99', chain_id: 't/0', seq: 4, problem: 'a different alert than at log:5 holds seq 4' },
      { kind: 'start', where: 'log:3', chain_id: 't/0', seq: 2, problem: 'seq 0..1 missing before it' },
      { where: 'log:5', chain_id: 't/0', seq: 4, problem: '1 alert missing before it (seq 3..3)' },
    ]);
    expect(formatVerifyReport(r, 'log')).toEqual([
      'verify log: 5 alerts, 0 repeated deliveries, 1 chain',
      `  chain t/0: seq 2..5 (3 links), head ${log[5].alert.chain_hash}`,
      '  4 problems:',
      '    log:7: alert loose carries no chain link (chain_id, chain_seq, chain_prev, chain_hash)',
      '    log:99: chain t/0 seq 4: a different alert than at log:5 holds seq 4',
      '    log:3: chain t/0 seq 2: seq 0..1 missing before it',
      '    log:5: chain t/0 seq 4: 1 alert missing before it (seq 3..3)',
    ]);
  });

  it('compares the log with the heads the service recorded: a cut-off end shows', () => {
    const log = chained('t/0', 4);
    const r = verifyAlerts(log.slice(0, 2));
    const heads = new Map([
      ['t/0', { seq: 4, hash: log[3].alert.chain_hash! }],
      ['t/1', { seq: 2, hash: 'f'.repeat(64) }],
      ['t/2', { seq: 0, hash: GENESIS_HASH }],
    ]);
    expect(compareHeads(r, heads, 'changelog')).toEqual([
      { where: 'changelog', chain_id: 't/0', seq: 3, problem: 'the service recorded the chain up to seq 3 but the log ends at seq 1: alerts cut off its end' },
      { where: 'changelog', chain_id: 't/1', seq: 1, problem: 'the service recorded 2 alerts in this chain but the log has none' },
    ]);
    expect(compareHeads(verifyAlerts(log), new Map([['t/0', { seq: 4, hash: log[3].alert.chain_hash! }]]), 'changelog')).toEqual([]);
    // A log ahead of the recorded head is the normal moment between publishing and writing state.
    expect(compareHeads(verifyAlerts(log), new Map([['t/0', { seq: 3, hash: log[2].alert.chain_hash! }]]), 'changelog')).toEqual([]);
  });

  it('finds a chain rebuilt from the start and a chain the service never wrote, and notes unanchored links', () => {
    const real = chained('t/0', 4);
    const recorded = new Map([['t/0', { seq: 4, hash: real[3].alert.chain_hash! }]]);
    // The attacker drops seq 1, re-chains the rest from genesis and pads with two more links,
    // so the log itself checks and reaches past the recorded head.
    const head = newChainHead();
    const forged = [real[0], real[2], real[3], real[3], real[3]].map((l, i) => {
      const a = { ...l.alert, alert_id: `${l.alert.alert_id}-${i}` };
      chainAlert(a, 't/0', head);
      return { alert: a, where: `log:${i + 1}` };
    });
    const fake = chained('t/99', 1, 50);
    const r = verifyAlerts([...forged, ...fake]);
    expect(r.problems).toEqual([]); // the log alone cannot tell
    expect(compareHeads(r, recorded, 'changelog')).toEqual([
      { where: 'changelog', chain_id: 't/0', seq: 3, problem: 'the alert at seq 3 is not the one the service recorded: the chain was rebuilt' },
      { where: 'changelog', chain_id: 't/99', seq: 0, problem: 'the service recorded no head for this chain: alerts it never wrote, or a changelog that was reset' },
    ]);
    expect(r.notes).toEqual(['1 link after the recorded heads, not anchored yet (normal while the service is writing; verify again later)']);
  });
});
