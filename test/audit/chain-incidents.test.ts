// The hash chain over incident records: incident_id and incident_state are covered when set,
// and a chain written before they existed (no such fields) still verifies, read back from
// JSON Lines as the old code wrote them. Expected hashes computed independently with
// Python's hashlib over the same JSON arrays.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainAlert, GENESIS_HASH, linkHash, newChainHead } from '../../src/audit/chain.js';
import { readAlertFile } from '../../src/audit/read-alerts.js';
import { verifyAlerts } from '../../src/audit/verify.js';
import type { Alert } from '../../src/engine/types.js';
import { tempFolder } from '../helpers/temp-folder.js';

function alert(id: string): Alert {
  return {
    alert_id: id, type: 'VOLUME_SPIKE', severity: 'HIGH', destination: 'a.example', dst_country: 'DE',
    data_class: 'eu_user_data', principal: 'svc-a', gateway_id: 'gw-1', window_start_ms: 0, window_end_ms: 60_000,
    flow_count: 3, bytes: 4096, observed: 4096, expected: 512.5, score: 7.25, threshold: 6, reason: 'r',
    sample_flow_ids: ['f1', 'f2'], config_version: 'cv', detected_at_ms: 60_000,
  };
}

// python3: sha256(json.dumps([<the 20 contract fields>, "t/0", seq, prev (, ["incident_id", '"…"'], ["incident_state", '"…"'])], separators=(',', ':')))
const OLD_1 = '33ee7b068ac9046d3d59c020df0a992fec8ca8b7b76ffa133f49be569c9d1ff6';
const OLD_2 = '4cc029519649d1110a5162c553020fbbf314116535431db5db2eb00be5d53459';
const NEW_3 = 'c79079488e6c25c7e209e72414a83dc29b1cf1f267eacdaef21822eafda90bcb';

describe('the chain and incident fields', () => {
  it('covers incident_id and incident_state when set; an alert without them hashes as before', () => {
    const head = newChainHead();
    const a = alert('id-1');
    const b = alert('id-2');
    const c = { ...alert('id-3'), incident_id: 'id-3', incident_state: 'OPEN' as const };
    chainAlert(a, 't/0', head);
    chainAlert(b, 't/0', head);
    chainAlert(c, 't/0', head);
    expect([a.chain_hash, b.chain_hash, c.chain_hash]).toEqual([OLD_1, OLD_2, NEW_3]);
    // null is "not set": the same hash as an alert without the fields.
    expect(linkHash({ ...a, incident_id: null, incident_state: null })).toBe(OLD_1);
  });

  it('finds an edited incident state, and incident fields stripped from a record', () => {
    const head = newChainHead();
    const log = [alert('id-1'), { ...alert('id-2'), incident_id: 'id-2', incident_state: 'OPEN' as const }, { ...alert('id-3'), incident_id: 'id-2', incident_state: 'CLOSED' as const }];
    for (const a of log) chainAlert(a, 't/0', head);
    const located = log.map((alert, i) => ({ alert: { ...alert }, where: `log:${i + 1}` }));
    expect(verifyAlerts(located).problems).toEqual([]);
    located[2].alert.incident_state = 'ESCALATED';
    delete located[1].alert.incident_id;
    expect(verifyAlerts(located).problems.map((p) => [p.where, p.problem])).toEqual([
      ['log:2', 'alert id-2 was altered: its fields do not hash to its chain_hash'],
      ['log:3', 'alert id-3 was altered: its fields do not hash to its chain_hash'],
    ]);
  });

  it('a chain written before incidents, read back from its JSON Lines, still verifies intact next to a new link', async () => {
    // As the old code wrote them: no incident fields at all, links from the old hash.
    const old1 = { ...alert('id-1'), chain_id: 't/0', chain_seq: 0, chain_prev: GENESIS_HASH, chain_hash: OLD_1 };
    const old2 = { ...alert('id-2'), chain_id: 't/0', chain_seq: 1, chain_prev: OLD_1, chain_hash: OLD_2 };
    const new3 = { ...alert('id-3'), incident_id: 'id-3', incident_state: 'OPEN', chain_id: 't/0', chain_seq: 2, chain_prev: OLD_2, chain_hash: NEW_3 };
    const dir = tempFolder('chain-incidents-');
    const file = join(dir, 'alerts.jsonl');
    writeFileSync(file, [old1, old2, new3].map((a) => JSON.stringify(a)).join('\n') + '\n');
    const bad: string[] = [];
    const read = await readAlertFile(file, (where, reason) => bad.push(`${where}: ${reason}`));
    expect(bad).toEqual([]);
    expect(read.map((r) => [r.alert.incident_id, r.alert.incident_state])).toEqual([[undefined, undefined], [undefined, undefined], ['id-3', 'OPEN']]);
    const report = verifyAlerts(read);
    expect(report.problems).toEqual([]);
    expect(report.chains.map((c) => [c.chain_id, c.alerts, c.head_hash])).toEqual([['t/0', 3, NEW_3]]);
  });
});
