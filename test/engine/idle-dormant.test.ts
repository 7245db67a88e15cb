// NEW_DESTINATION across baseline.idle_ttl (fixture independent-policy/nd-after-idle-ttl):
// api.idle.de receives eu_user_data at 00:10 (learning), nothing for 4h (idle_ttl 2h), then
// eu_user_data again at 04:10. The sweep keeps it dormant with its classes, so that flow is
// no first: no alert. A class it never received (hr_data at 04:20) still alerts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { N } from '../../src/detectors/baseline/layout.js';
import type { KnownClasses } from '../../src/detectors/new-destination.js';
import { Engine } from '../../src/engine/engine.js';
import { isDormant } from '../../src/engine/idle-expiry.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import { deserialiseDestination, newDestinationState, serialiseDestination } from '../../src/engine/state-store.js';
import type { Alert, FlowRecord, StateChange } from '../../src/engine/types.js';

const DIR = 'test/fixtures/independent-policy/nd-after-idle-ttl';
const config = loadConfig(`${DIR}/config.yaml`);
/** f0..f10: bg.example every 30m from 00:00 to 04:00, api.idle.de at 00:10 and 04:10 (2026-03-02). */
const fixture: FlowRecord[] = readFileSync(`${DIR}/flows.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const AT_0010 = Date.UTC(2026, 2, 2, 0, 10);
const AT_0420 = Date.UTC(2026, 2, 2, 4, 20);
/** A class api.idle.de never received, at 04:20. */
const hr: FlowRecord = { ...fixture[10], flow_id: 'f11', start_ms: AT_0420 - 1000, end_ms: AT_0420, data_class: 'hr_data' };

function run(p: Pipeline, flows: FlowRecord[]): Alert[] {
  const out: Alert[] = [];
  for (const f of flows) out.push(...p.push(f));
  return out;
}

/** api.idle.de as the sweep leaves it: a fresh state with its class and its last flow's time. */
function dormantExpected(): string {
  const s = newDestinationState();
  s.lastSeen = AT_0010;
  (s.detectors.new_destination as KnownClasses).classes = ['eu_user_data'];
  return serialiseDestination(s);
}

describe('NEW_DESTINATION after baseline.idle_ttl', () => {
  it('the fixture: no alert (api.idle.de received eu_user_data before it went idle)', () => {
    expect(fixture.map((f) => f.flow_id)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10']);
    const p = new Pipeline(config);
    expect([...run(p, fixture), ...p.finish()]).toEqual([]);
  });

  it('the sweep at 02:00 writes the dormant state once; the sweeps at 03:00 and 04:00 do not write it', () => {
    const p = new Pipeline(config);
    // Hourly sweeps run when the watermark (last flow - 30s) passes the hour: f4 (01:30) sweeps
    // for 01:00, f6 (02:30) for 02:00 (api.idle.de, last seen 00:10, idle since 02:10), f8 for 03:00.
    const written = fixture.slice(0, 10).map((f) => {
      p.push(f);
      const change = p.engine.commit().find((c) => c.key === 'd:api.idle.de');
      return change === undefined ? '-' : change.value === null ? 'deleted' : isDormant(deserialiseDestination(change.value)) ? 'dormant' : 'state';
    });
    // f1 itself, f2 (its window closed), f4 (its flow id forgotten), f6 (dormant).
    expect(written).toEqual(['-', 'state', 'state', '-', 'state', '-', 'dormant', '-', '-', '-']);
    const entry = p.engine.snapshot().find((c) => c.key === 'd:api.idle.de');
    expect(entry?.value).toBe(dormantExpected());
  });

  it('a class the destination never received still raises NEW_DESTINATION, once, and the baseline starts afresh', () => {
    const p = new Pipeline(config);
    const alerts = [...run(p, [...fixture, hr]), ...p.finish()];
    expect(alerts.map((a) => [a.type, a.destination, a.data_class, a.incident_state, a.sample_flow_ids])).toEqual([
      ['NEW_DESTINATION', 'api.idle.de', 'hr_data', 'OPEN', ['f11']],
    ]);
    expect(alerts[0].reason).toBe(
      'First-seen rule detectors.new_destination (learning period 1h): api.idle.de [198.51.100.80] (DE) received 1 KB of hr_data ' +
        'from alice for the first time, against 0 B of it in 1h of learning or since (threshold: the first flow after learning). ' +
        "Check that api.idle.de is an approved processor for hr_data, and ask alice's owner why it started sending there.",
    );
    const state = deserialiseDestination(p.engine.snapshot().find((c) => c.key === 'd:api.idle.de')!.value!);
    expect((state.detectors.new_destination as KnownClasses).classes).toEqual(['eu_user_data', 'hr_data']);
    // Two windows since it woke (04:10, 04:20), both closed by finish: learnt afresh from 0.
    expect(state.baseline[N]).toBe(2);
  });

  it('a dormant state restores as it was written, and the run goes on as an unbroken one', () => {
    const unbroken = new Pipeline(config);
    const expected = [...run(unbroken, [...fixture, hr]), ...unbroken.finish()];
    const first = new Pipeline(config);
    run(first, fixture.slice(0, 10));
    const snapshot = JSON.parse(JSON.stringify(first.engine.snapshot())) as StateChange[];
    expect(snapshot.find((c) => c.key === 'd:api.idle.de')?.value).toBe(dormantExpected());
    const engine = new Engine(config);
    engine.restore(snapshot);
    expect(engine.snapshot()).toEqual(snapshot);
    const second = Pipeline.resume(config, engine);
    const after = [...run(second, [fixture[10], hr]), ...second.finish()];
    expect(JSON.stringify(after)).toBe(JSON.stringify(expected));
    expect(after.map((a) => a.type)).toEqual(['NEW_DESTINATION']);
  });
});
