// Review of endRun (a held run's incident closed on its destination's silence ends the
// detectors' run): a restore anywhere, including between the close and the next window, gives
// byte for byte the records of an unbroken run.
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import { destinationKey } from '../../src/engine/state-store.js';
import type { Alert, FlowRecord, StateChange } from '../../src/engine/types.js';
import { Prng } from '../../src/generate/prng.js';
import { flow, MIN, resetFlowIds, T0, testConfig } from './fixtures.js';

beforeEach(resetFlowIds);

const before = 3 * 1440;
const last = T0 + (before + 30) * MIN;

/** 3 days of the poller at 2 MB a minute, 30 minutes at 10 MB, `resumeAfter` minutes of silence (other.example moves time), then the poller again at `resumeBytes` for 20 minutes. */
function flows(resumeAfter = 30, resumeBytes = 10e6): FlowRecord[] {
  const rnd = Prng.fromSeed(7);
  const out: FlowRecord[] = [];
  for (let m = 0; m < before + 30; m++) {
    const bytes = Math.round((m < before ? 2e6 : 10e6) * (0.8 + 0.4 * rnd.uniform()));
    out.push(flow({ flow_id: `p${m}`, end_ms: T0 + m * MIN + 10_000, bytes_out: bytes, data_class: null, principal: null, dst_host: 'poller.example' }));
  }
  for (let m = 0; m < resumeAfter; m++) out.push(flow({ flow_id: `o${m}`, end_ms: last + m * MIN + 10_000, bytes_out: 1000, data_class: null, principal: null, dst_host: 'other.example' }));
  for (let m = resumeAfter; m < resumeAfter + 20; m++) {
    out.push(flow({ flow_id: `q${m}`, end_ms: last + m * MIN + 10_000, bytes_out: resumeBytes, data_class: null, principal: null, dst_host: 'poller.example' }));
    out.push(flow({ flow_id: `o${m}`, end_ms: last + m * MIN + 20_000, bytes_out: 1000, data_class: null, principal: null, dst_host: 'other.example' }));
  }
  return out;
}

function run(p: Pipeline): unknown {
  const entry = p.engine.snapshot().find((c) => c.key === destinationKey('poller.example'));
  return JSON.parse(entry!.value!).det.volume_spike[0];
}

describe('endRun and restore', () => {
  it('a restore between the silence close and the next window gives the unbroken output', () => {
    const config = testConfig('alerts: {suppress_for: 15m}');
    const all = flows();
    const unbroken = new Pipeline(config);
    const expected: Alert[] = [];
    let closedAt = -1;
    for (let i = 0; i < all.length; i++) {
      expected.push(...unbroken.push(all[i]));
      if (closedAt < 0 && expected.some((a) => a.destination === 'poller.example' && a.incident_state === 'CLOSED')) closedAt = i + 1;
    }
    expected.push(...unbroken.finish());
    const poller = expected.filter((a) => a.destination === 'poller.example');
    // Two incidents: the rise (closed on its silence) and the return at 10 MB after it.
    expect(poller.map((a) => a.incident_state)).toEqual(['OPEN', 'CLOSED', 'OPEN', 'CLOSED']);
    expect(closedAt).toBeGreaterThan(0);
    const cuts = [before + 5, before + 30 + 10, closedAt - 1, closedAt, closedAt + 1, closedAt + 5, all.length - 10];
    for (const cut of cuts) {
      const first = new Pipeline(config);
      const got = all.slice(0, cut).flatMap((f) => first.push(f));
      if (cut === closedAt) expect(run(first)).toBeNull();
      const snapshot = JSON.parse(JSON.stringify(first.engine.snapshot())) as StateChange[];
      const engine = new Engine(config);
      engine.restore(snapshot);
      const second = Pipeline.resume(config, engine);
      got.push(...all.slice(cut).flatMap((f) => second.push(f)), ...second.finish());
      expect(JSON.stringify(got), `cut ${cut}`).toBe(JSON.stringify(expected));
    }
  });

  it('commit() after the silence close carries the ended run (the destination is dirty)', () => {
    const config = testConfig('alerts: {suppress_for: 15m}');
    const all = flows();
    const p = new Pipeline(config);
    const changelog: StateChange[] = [];
    let i = 0;
    let held = false;
    for (; i < all.length; i++) {
      p.push(all[i]);
      changelog.push(...p.engine.commit());
      if (i === before + 29) held = run(p) !== null; // the rise's last flow: its run is held
      if (held && run(p) === null) break;
    }
    expect(held).toBe(true);
    // The run ended mid-input (on the silence close), and only the changelog (later entries win) rebuilds it.
    expect(all[i].dst_host).toBe('other.example');
    const engine = new Engine(config);
    engine.restore(changelog);
    const entry = engine.snapshot().find((c) => c.key === destinationKey('poller.example'));
    expect(JSON.parse(entry!.value!).det.volume_spike[0]).toBeNull();
  });

  // Found in review: onDue closed due incidents before it scored the window ending at the same
  // instant, so a held incident whose silence end fell on the end of a window with traffic
  // closed as if silent ("sent nothing since 09:30, for 15m") and endRun forgot the run, though
  // the destination sent 14 minutes into a 15-minute wait. That window's verdict now decides.
  it('a held run whose destination sends again in the window ending at its silence end stays one incident', () => {
    const config = testConfig('alerts: {suppress_for: 15m}');
    const all = flows(14);
    const p = new Pipeline(config);
    const out = [...all.flatMap((f) => p.push(f)), ...p.finish()];
    const poller = out.filter((a) => a.destination === 'poller.example');
    // One incident, as with a 13-minute gap: OPEN on the rise (the window ending T0 + 3 days + 1m),
    // CLOSED when VOLUME_SPIKE accepts the run, level at 10 MB since it opened, accept_after (1h) later.
    expect(poller.map((a) => [a.incident_state, a.detected_at_ms])).toEqual([
      ['OPEN', T0 + (before + 1) * MIN],
      ['CLOSED', T0 + (before + 60) * MIN],
    ]);
    expect(poller[1].reason).toContain('closed: accepted as the new normal.');
  });

  it('a held run whose destination comes back at its baseline in the window ending at its silence end closes back at baseline', () => {
    const config = testConfig('alerts: {suppress_for: 15m}');
    const p = new Pipeline(config);
    const out = [...flows(14, 2e6).flatMap((f) => p.push(f)), ...p.finish()];
    const poller = out.filter((a) => a.destination === 'poller.example');
    // The poller's flow at 09:44:10 is in the window ending 09:45, the instant the 15-minute wait
    // ends: the silence did not last, so the windows decide. The run stays held while VOLUME_SPIKE's
    // smoothed distance (a quarter per window towards 0 at the baseline's 2 MB, from about 2 after
    // the 10 MB windows) is above a third of its threshold: 6-7 windows, then the incident closes
    // back at baseline, one incident, not closed as 15 minutes of silence.
    expect(poller.map((a) => a.incident_state)).toEqual(['OPEN', 'CLOSED']);
    expect(poller[0].detected_at_ms).toBe(T0 + (before + 1) * MIN);
    expect(poller[1].detected_at_ms).toBeGreaterThanOrEqual(last + 15 * MIN + 5 * MIN);
    expect(poller[1].detected_at_ms).toBeLessThanOrEqual(last + 15 * MIN + 7 * MIN);
    expect(poller[1].reason).toContain(`is back at its baseline`);
  });
});

