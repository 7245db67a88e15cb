// The volume model's targets (issue 14) on hand-built traffic through the Pipeline replay
// uses: a compounding creep alerts within 3 hours of onset, a night burst of 10x the
// night's level (below the afternoon's normal) is found, a weekday/weekend pattern learnt
// for a week raises nothing, flat traffic raises nothing, and a lasting change is accepted
// after accept_after instead of alerting for ever.
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert } from '../../src/engine/types.js';
import { flow, MIN, T0, testConfig } from './fixtures.js';

const HOUR = 60 * MIN;


/** A fixed pseudo-random sequence (mulberry32): noise that is the same on every run. */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One destination, one minute window after another from T0 (Monday 09:00 UTC) for
 * `minutes`, three flows a minute whose bytes follow `level(t)` times +-20% noise. The flow
 * count stays flat whatever the bytes do (each flow grows, as in an exfiltration creep).
 */
function volumeAlerts(minutes: number, level: (t: number) => number, extra = ''): Alert[] {
  const p = new Pipeline(testConfig(extra));
  const rnd = noise(7);
  const alerts: Alert[] = [];
  for (let m = 0; m < minutes; m++) {
    const t = T0 + m * MIN;
    for (let k = 0; k < 3; k++) {
      const bytes = Math.round((level(t) / 3) * (0.8 + 0.4 * rnd()));
      alerts.push(...p.push(flow({ flow_id: `v${m}-${k}`, end_ms: t + 10_000 + k * 1000, bytes_out: bytes, packets_out: Math.ceil(bytes / 1400), data_class: null, principal: null })));
    }
  }
  alerts.push(...p.finish());
  return alerts.filter((a) => a.type === 'VOLUME_SPIKE' || a.type === 'SUSTAINED_INCREASE');
}

const LEARN_DAYS = 8;
const DAY = 24 * HOUR;

describe('volume model on hand-built traffic', () => {
  it('raises nothing on flat noisy traffic', () => {
    expect(volumeAlerts(LEARN_DAYS * 1440, () => 20e6)).toEqual([]);
  });

  // Targets of issue 14 not met yet by this model (see docs/detection-volume.md, limits):
  // hour-of-day slots are constant within the hour, so a smooth daily curve looks like a
  // +20%/hour creep to the 10-minute block CUSUM, and one weekend is not enough to learn
  // the weekday profile. Written as scenarios in this file's helper once the model meets them.
  it.todo('raises nothing on a daily and weekday/weekend pattern once a week is learnt');
  it.todo('alerts on a +25%/hour compounding creep within 3 hours of onset, and not before it on a daily curve');
  it.todo('finds a night burst of 10x the night level that stays below the afternoon normal, and nothing before it');
  it.todo('accepts a lasting step change after accept_after with one final note (needs the incident path: a suppressed alert loses the note)');
});
