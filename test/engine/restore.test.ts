// Snapshot then restore mid-stream must give exactly the alerts of an unbroken run,
// and the changelog (every commit's changes, compacted) must equal the snapshot.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord, StateChange } from '../../src/engine/types.js';
import { flow, MIN, T0, testConfig } from './fixtures.js';

/** A fixed stream: 12 destinations over 30 hours, with policy breaks and a burst. */
function stream(): FlowRecord[] {
  const out: FlowRecord[] = [];
  let n = 0;
  for (let m = 0; m < 30 * 60; m++) {
    for (let d = 0; d < 12; d++) {
      if ((m + d) % (1 + (d % 3)) !== 0) continue;
      n++;
      const burst = d === 4 && m >= 1500 && m < 1503;
      out.push(
        flow({
          flow_id: `s${n}`,
          end_ms: T0 + m * MIN + d * 1000,
          dst_host: `dest-${d}.example`,
          dst_country: d === 6 && m % 97 === 0 ? 'US' : 'FR',
          principal: d === 8 && m % 131 === 0 ? 'mallory' : 'svc-eu-api',
          gateway_id: d === 10 && m % 211 === 0 ? null : 'gw-1',
          data_class: d % 2 === 0 ? 'eu_user_data' : null,
          src_ip: `10.0.0.${1 + ((m * 7 + d) % 5)}`,
          bytes_out: burst ? 900_000_000 : 20_000 + ((m * 37 + d * 11) % 17) * 1000 + (m % 60) * 300,
          packets_out: burst ? 600_000 : 20 + (m % 13),
        }),
      );
    }
  }
  return out;
}

function run(flows: FlowRecord[], p: Pipeline): Alert[] {
  const alerts: Alert[] = [];
  for (const f of flows) alerts.push(...p.push(f));
  return alerts;
}

const config = testConfig('baseline: {warmup_windows: 30}');

describe('engine state', () => {
  const flows = stream();
  const unbroken = new Pipeline(config);
  const expected = [...run(flows, unbroken), ...unbroken.finish()];

  it('the fixed stream raises alerts of several types (so the comparison means something)', () => {
    const types = new Set(expected.map((a) => a.type));
    expect([...types].sort()).toEqual(['GATEWAY_BYPASS', 'RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'VOLUME_SPIKE']);
  });

  for (const cut of [1, 5_000, 17_321, 25_000]) {
    it(`snapshot after ${cut} records and restore gives the unbroken run's alerts byte for byte`, () => {
      const first = new Pipeline(config);
      const before = run(flows.slice(0, cut), first);
      const snapshot = JSON.parse(JSON.stringify(first.engine.snapshot())) as StateChange[];

      const engine = new Engine(config);
      engine.restore(snapshot);
      const second = Pipeline.resume(config, engine);
      const after = [...run(flows.slice(cut), second), ...second.finish()];
      expect(JSON.stringify([...before, ...after])).toBe(JSON.stringify(expected));
    });
  }

  it('the compacted changelog of every commit equals the snapshot', () => {
    const p = new Pipeline(config);
    const log = new Map<string, string | null>();
    flows.forEach((f, i) => {
      p.push(f);
      if (i % 1000 === 999) for (const c of p.engine.commit()) log.set(c.key, c.value);
    });
    for (const c of p.engine.commit()) log.set(c.key, c.value);
    const live = [...log].filter(([, v]) => v !== null);
    const snap = p.engine.snapshot().map((c): [string, string | null] => [c.key, c.value]);
    expect(new Map(live)).toEqual(new Map(snap));
  });
});
