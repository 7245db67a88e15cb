// The volume model's targets (issue 14) on hand-built traffic through the Pipeline replay
// uses: a compounding creep alerts within 3 hours of onset, a night burst of 10x the
// night's level (below the afternoon's normal) is found, a weekday/weekend pattern learnt
// for a week raises nothing, flat traffic raises nothing, and a lasting change is accepted
// after accept_after instead of alerting for ever.
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert } from '../../src/engine/types.js';
import { mulberry32 } from '../helpers/mulberry32.js';
import { flow, MIN, T0, testConfig } from './fixtures.js';

const HOUR = 60 * MIN;

/**
 * One destination, one minute window after another from T0 (Monday 09:00 UTC) for
 * `minutes`, three flows a minute whose bytes follow `level(t)` times +-20% noise. The flow
 * count stays flat whatever the bytes do (each flow grows, as in an exfiltration creep).
 */
function volumeAlerts(minutes: number, level: (t: number) => number, extra = ''): Alert[] {
  const p = new Pipeline(testConfig(extra));
  const rnd = mulberry32(7);
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

/** Local hour of t (UTC) as a day curve: 0.1 at 03:00, 1.0 at 15:00. */
function daily(t: number): number {
  const h = ((t % DAY) / HOUR + 24) % 24;
  return 0.55 - 0.45 * Math.cos((2 * Math.PI * (h - 3)) / 24);
}

const LEARN_DAYS = 8;
const DAY = 24 * HOUR;

describe('volume model on hand-built traffic', () => {
  it('raises nothing on flat noisy traffic', () => {
    expect(volumeAlerts(LEARN_DAYS * 1440, () => 20e6)).toEqual([]);
  });

  it('raises nothing on a daily and weekday/weekend pattern once a week is learnt', () => {
    // Weekends (Saturday, Sunday) carry a fifth of a weekday's traffic; T0 is a Monday.
    const weekly = (t: number): number => {
      const weekday = Math.floor((t - T0 + 9 * HOUR) / DAY) % 7; // 0 = Monday
      return 200e6 * daily(t) * (weekday >= 5 ? 0.2 : 1);
    };
    const alerts = volumeAlerts(15 * 1440, weekly);
    expect(alerts.filter((a) => a.window_start_ms >= T0 + 7 * DAY)).toEqual([]);
  });

  it('waits a week with creeps on a steady destination whose weekend is a quarter of a weekday, first seen on a Thursday', () => {
    // +-5% noise: a spread so narrow that winsorised residuals would hide the weekend from the
    // day range; the first Monday after the first weekend must not read as growth.
    const p = new Pipeline(testConfig(''));
    const rnd = mulberry32(11);
    const start = T0 + 3 * DAY - 9 * HOUR; // Thursday 00:00
    const alerts: Alert[] = [];
    for (let m = 0; m < 5 * 1440; m++) {
      const t = start + m * MIN;
      const weekday = Math.floor((t - T0 + 9 * HOUR) / DAY) % 7; // 0 = Monday
      const level = 60e6 * (weekday >= 5 ? 0.25 : 1);
      for (let k = 0; k < 3; k++) {
        const bytes = Math.round((level / 3) * (0.95 + 0.1 * rnd()));
        alerts.push(...p.push(flow({ flow_id: `s${m}-${k}`, end_ms: t + 10_000 + k * 1000, bytes_out: bytes, packets_out: Math.ceil(bytes / 1400), data_class: null, principal: null })));
      }
    }
    alerts.push(...p.finish());
    expect(alerts.filter((a) => a.type === 'SUSTAINED_INCREASE').map((a) => new Date(a.detected_at_ms).toISOString())).toEqual([]);
  });

  it('alerts on a +25%/hour compounding creep within 3 hours of onset, and not before it', () => {
    const onset = T0 + LEARN_DAYS * DAY + HOUR; // a Tuesday, 10:00
    const creep = (t: number): number => 50e6 * daily(t) * (t < onset ? 1 : Math.min(10, 1.25 ** ((t - onset) / HOUR)));
    const alerts = volumeAlerts(LEARN_DAYS * 1440 + 12 * 60, creep);
    expect(alerts.filter((a) => a.window_start_ms < onset)).toEqual([]);
    expect(alerts.length).toBeGreaterThan(0);
    // Detected (sent) within 3 hours: a creep alert's window_start_ms is its run's start, earlier.
    expect(alerts[0].detected_at_ms - onset).toBeLessThanOrEqual(3 * HOUR);
    if (process.env.VOLUME_MODEL_FIGURES) console.log(`creep: run from ${(alerts[0].window_start_ms - onset) / MIN} min, sent at ${(alerts[0].detected_at_ms - onset) / MIN} min after onset`);
  });

  it('finds a night burst of 10x the night level that stays below the afternoon normal', () => {
    const burst = T0 + LEARN_DAYS * DAY + 18 * HOUR; // 03:00, the quietest hour
    // 10x of 03:00's level (0.1) is 1.0: the 15:00 normal, never above it.
    const night = (t: number): number => 100e6 * daily(t) * (t >= burst && t < burst + 20 * MIN ? 10 : 1);
    const alerts = volumeAlerts(LEARN_DAYS * 1440 + 18 * 60 + 40, night);
    expect(alerts.filter((a) => a.window_start_ms < burst)).toEqual([]);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0].detected_at_ms).toBeLessThanOrEqual(burst + 20 * MIN);
    if (process.env.VOLUME_MODEL_FIGURES) console.log(`night burst: sent ${(alerts[0].detected_at_ms - burst) / MIN} min after it starts`);
  });

  it('stops alerting on a lasting step change once accept_after has passed', () => {
    const step = T0 + LEARN_DAYS * DAY;
    const config = '  volume_spike: {accept_after: 2h}\n  sustained_increase: {accept_after: 2h}';
    const alerts = volumeAlerts(LEARN_DAYS * 1440 + 8 * 60, (t) => (t < step ? 20e6 : 100e6), config);
    expect(alerts.filter((a) => a.window_start_ms < step)).toEqual([]);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.filter((a) => a.window_start_ms > step + 2 * HOUR)).toEqual([]);
    if (process.env.VOLUME_MODEL_FIGURES) console.log(`step: ${alerts.length} alerts, last sent ${(alerts[alerts.length - 1].detected_at_ms - step) / MIN} min after the step`);
  });

  it('gives an accepted change back once traffic has stayed down for baseline.return_after: a later rise to the same level alerts again', () => {
    // 20 MB a minute for 8 days; 100 MB a minute for 3 hours (accepted after accept_after, 1h);
    // back to 20 MB; then 100 MB again. Until the rise is given back the level stays at the
    // accepted 100 MB and the second rise is nothing; once given back, it is 5x the normal again.
    const step = T0 + LEARN_DAYS * DAY;
    const back = step + 3 * HOUR;
    const opens = (again: number, extra: string): number[] => {
      const level = (t: number): number => (t >= step && t < back) || (t >= again && t < again + 30 * MIN) ? 100e6 : 20e6;
      const minutes = (again + 30 * MIN - T0) / MIN;
      const alerts = volumeAlerts(minutes, level, extra);
      expect(alerts.filter((a) => a.window_start_ms >= back && a.window_start_ms < again)).toEqual([]);
      return alerts.filter((a) => a.type === 'VOLUME_SPIKE' && a.incident_state === 'OPEN').map((a) => (a.window_start_ms - step) / MIN);
    };
    // return_after 1h: two hours after the fall the rise has been given back.
    expect(opens(back + 2 * HOUR, 'baseline: {return_after: 1h}')).toEqual([0, 300]);
    // The default, a day: two hours after the fall the accepted level still stands...
    expect(opens(back + 2 * HOUR, '')).toEqual([0]);
    // ...and 26 hours after it, it has been given back.
    expect(opens(back + 26 * HOUR, '')).toEqual([0, 1740]);
    // 0s: never given back.
    expect(opens(back + 26 * HOUR, 'baseline: {return_after: 0s}')).toEqual([0]);
  });
});
