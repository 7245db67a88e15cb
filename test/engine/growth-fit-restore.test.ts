// SUSTAINED_INCREASE's run keeps a growth fit (baseline/growth-fit.ts) in its state: a
// snapshot taken while a creep's run is open with a fit of several windows, restored into a
// fresh engine, must go on to give byte for byte the records of an unbroken run.
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import { destinationKey } from '../../src/engine/state-store.js';
import type { Alert, FlowRecord, StateChange } from '../../src/engine/types.js';
import { Prng } from '../../src/generate/prng.js';
import { flow, MIN, resetFlowIds, T0, testConfig } from './fixtures.js';

beforeEach(resetFlowIds);

const LEARN = 2 * 1440;
const CREEP = 8 * 60;
const PLATEAU = 4 * 60;

/** Two days of about 3 flows a minute of noisy sizes, then a +25 %/h creep for 8 hours, then its plateau. */
function flows(): FlowRecord[] {
  const rnd = Prng.fromSeed(11);
  const out: FlowRecord[] = [];
  let n = 0;
  for (let m = 0; m < LEARN + CREEP + PLATEAU; m++) {
    const factor = m < LEARN ? 1 : 1.25 ** (Math.min(m - LEARN, CREEP) / 60);
    for (let k = 0; k < 3; k++) {
      n++;
      const bytes = Math.round(200_000 * factor * Math.exp(0.8 * (rnd.uniform() - 0.5) * 2));
      out.push(flow({ flow_id: `c${n}`, end_ms: T0 + m * MIN + 10_000 + k * 1000, bytes_out: bytes, data_class: null, principal: null, dst_host: 'creep.example' }));
    }
  }
  return out;
}

function run(fs: FlowRecord[], p: Pipeline): Alert[] {
  const alerts: Alert[] = [];
  for (const f of fs) alerts.push(...p.push(f));
  return alerts;
}

/** The detector's state in a snapshot: the 29 numbers of SUSTAINED_INCREASE (the 28 and the layout tag). */
function cusumOf(snapshot: StateChange[]): (number | null)[] {
  const entry = snapshot.find((c) => c.key === destinationKey('creep.example'));
  return JSON.parse(entry!.value!).det.sustained_increase;
}

describe('a snapshot inside a creep\'s run, its growth fit in the state', () => {
  const config = testConfig();
  const all = flows();
  const unbroken = new Pipeline(config);
  const expected = [...run(all, unbroken), ...unbroken.finish()];

  it('the creep is one SUSTAINED_INCREASE incident: opened, escalated, closed (so the comparison means something)', () => {
    const states = expected.filter((a) => a.type === 'SUSTAINED_INCREASE').map((a) => a.incident_state);
    expect(states).toEqual(['OPEN', 'ESCALATED', 'CLOSED']);
  });

  // Cuts every 30 minutes of the creep: those with a run open and 3 or more windows in its fit are compared.
  const cuts = Array.from({ length: (CREEP + PLATEAU) / 30 }, (_, i) => (LEARN + 30 * (i + 1)) * 3);
  it('restores at every cut with a run open and a fit of 3 or more windows: 16 of the 24', () => {
    let compared = 0;
    for (const cut of cuts) {
      const first = new Pipeline(config);
      const before = run(all.slice(0, cut), first);
      const snapshot = JSON.parse(JSON.stringify(first.engine.snapshot())) as StateChange[];
      const state = cusumOf(snapshot);
      expect(state.length).toBe(29);
      expect(state[28]).toBe(3);
      // Episode start (index 6) set: a run is open; fit n (index 22) of 3 or more.
      if (state[6] === null || (state[22] ?? 0) < 3) continue;
      compared++;
      const engine = new Engine(config);
      engine.restore(snapshot);
      const second = Pipeline.resume(config, engine);
      const after = [...run(all.slice(cut), second), ...second.finish()];
      expect(JSON.stringify([...before, ...after])).toBe(JSON.stringify(expected));
    }
    // 16 of the 24 cuts, when written (the rest before the run opened or just after a growth).
    expect(compared).toBe(16);
  });
});
