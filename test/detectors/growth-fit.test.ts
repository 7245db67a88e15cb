// The growth fit of a run (growth-fit.ts): a least-squares line through the run's window
// ratios, read as its slope's upper confidence bound; and what it changes in acceptance
// (episode.ts): a noisy creep is not taken for a plateau, a level run is still accepted.
import { describe, expect, it } from 'vitest';
import { episodeStep, GROWTH, GROWTH_WAIT_CAP, noEpisode, type Episode } from '../../src/detectors/baseline/episode.js';
import { fitAdd, fitReset, fitUnknown, GROWTH_FIT_FIELDS, LEVEL_SLOPE, mayStillRise, SLOPE_CONFIDENCE_Z, slopeUpperBound, t95 } from '../../src/detectors/baseline/growth-fit.js';

describe('t95', () => {
  it('is the one-sided 95% point of Student\'s t (tables), the row below between rows, the normal point past 120', () => {
    expect([t95(1), t95(2), t95(10), t95(11), t95(29), t95(30), t95(120), t95(121)]).toEqual([6.314, 2.92, 1.812, 1.812, 1.725, 1.697, 1.658, 1.645]);
    expect(SLOPE_CONFIDENCE_Z).toBe(1.645);
  });
});

describe('slopeUpperBound', () => {
  it('is the least-squares slope plus t standard errors (worked by hand)', () => {
    // t = 0, 1, 2, 3; y = 0, 1, 1, 2. Sums about the means: Stt = 14 - 36/4 = 5, Sty = 9 - 6 x 4/4
    // = 3, Syy = 6 - 16/4 = 2. Slope 3/5 = 0.6; residual sum of squares 2 - 0.6 x 3 = 0.2 over
    // n - 2 = 2 degrees of freedom: 0.1; standard error sqrt(0.1 / 5) = sqrt(0.02).
    const f = new Float64Array(GROWTH_FIT_FIELDS + 2);
    fitReset(f, 2);
    [0, 1, 1, 2].forEach((y, t) => fitAdd(f, 2, t, y));
    expect(Array.from(f.subarray(2))).toEqual([4, 6, 14, 4, 9, 6]);
    expect(slopeUpperBound(f, 2, 0)).toBeCloseTo(0.6, 12);
    // 2 degrees of freedom: t = 2.920.
    expect(slopeUpperBound(f, 2)).toBeCloseTo(0.6 + 2.92 * Math.sqrt(0.02), 12);
    // The numbers before `at` are not touched.
    expect([f[0], f[1]]).toEqual([0, 0]);
  });

  it('has no line before three windows, nor from windows all at one time: NaN', () => {
    const f = new Float64Array(GROWTH_FIT_FIELDS);
    expect(slopeUpperBound(f, 0)).toBeNaN();
    fitAdd(f, 0, 0, 1);
    fitAdd(f, 0, 1, 2);
    expect(slopeUpperBound(f, 0)).toBeNaN();
    expect(mayStillRise(f, 0)).toBe(false);
    const same = new Float64Array(GROWTH_FIT_FIELDS);
    for (const y of [1, 2, 3]) fitAdd(same, 0, 0.5, y);
    expect(slopeUpperBound(same, 0)).toBeNaN();
  });

  it('is exact on a line without noise, and NaN for a fit restored from before it', () => {
    const f = new Float64Array(GROWTH_FIT_FIELDS);
    for (let t = 0; t < 10; t++) fitAdd(f, 0, t / 10, 0.5 - 0.25 * (t / 10));
    // The slope exactly; the bound adds z x a standard error of rounding alone.
    expect(slopeUpperBound(f, 0, 0)).toBeCloseTo(-0.25, 12);
    expect(slopeUpperBound(f, 0)).toBeCloseTo(-0.25, 6);
    fitUnknown(f, 0);
    fitAdd(f, 0, 1, 1);
    expect(slopeUpperBound(f, 0)).toBeNaN();
  });
});

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 5, 9);

/** A fixed noise in [-a, a] (Park and Miller's minimal standard generator, exact in doubles): the same windows every run. */
function noiseOf(a: number): (m: number) => number {
  const values: number[] = [];
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    x = (48271 * x) % 2147483647;
    values.push(a * (2 * (x / 2147483647) - 1));
  }
  return (m) => values[m];
}

/** A run's acceptance: its minute (window index from T0), how long it had stayed level, and the window whose end was its last growth (-1: none since it opened). */
interface Acceptance { minute: number; steadyMin: number; grown: number }

/** Minute windows from T0 with the given ratios, alerting on the first; each acceptance, with or without a fit. */
function acceptances(minutes: number, ratio: (m: number) => number, withFit: boolean): Acceptance[] {
  let e: Episode = noEpisode();
  let epoch = 0;
  const fit = withFit ? new Float64Array(GROWTH_FIT_FIELDS) : null;
  const out: Acceptance[] = [];
  for (let m = 0; m < minutes; m++) {
    const window = { start_ms: T0 + m * MIN, end_ms: T0 + (m + 1) * MIN };
    const step = episodeStep(e, epoch, window, m === 0, 5, ratio(m), 1, HOUR, true, fit, 0);
    if (step.accepted) {
      out.push({ minute: m, steadyMin: step.run!.steadyMs / MIN, grown: e.grownAt === T0 ? -1 : (e.grownAt - T0) / MIN - 1 });
      epoch++;
    }
    e = step.next;
  }
  return out;
}

/**
 * The minute a run with these ratios is accepted with the fit, worked out from all of the
 * windows kept (not from running sums), given the window `g` whose end was the run's last growth
 * (-1: none since the run opened at window 0) and the time it must then stay level (`wait`
 * minutes): the first window m with m - g >= wait whose line, fitted anew through the ratios of
 * the windows after the opening one and from g on, with t in hours from the growth, does not
 * rise (slope 0 or below) or has an upper bound (Student's t for n - 2 degrees of freedom) below
 * ln 1.2 / 2 an hour; or m - g at the cap, 3 hours.
 */
function referenceAcceptance(ratio: (m: number) => number, g = -1, wait = 60): number {
  for (let m = g + wait; m < 1200; m++) {
    const ts: number[] = [];
    const ys: number[] = [];
    for (let k = Math.max(1, g); k <= m; k++) {
      ts.push((k - g) / 60);
      ys.push(ratio(k));
    }
    const n = ts.length;
    const tm = ts.reduce((a, b) => a + b, 0) / n;
    const ym = ys.reduce((a, b) => a + b, 0) / n;
    let stt = 0;
    let sty = 0;
    for (let i = 0; i < n; i++) {
      stt += (ts[i] - tm) ** 2;
      sty += (ts[i] - tm) * (ys[i] - ym);
    }
    const slope = sty / stt;
    let rss = 0;
    for (let i = 0; i < n; i++) rss += (ys[i] - ym - slope * (ts[i] - tm)) ** 2;
    const upper = slope + t95(n - 2) * Math.sqrt(rss / (n - 2) / stt);
    if (slope <= 0 || upper < Math.log(1.2) / 2 || m - g >= GROWTH_WAIT_CAP * 60) return m;
  }
  return -1;
}

describe('mayStillRise', () => {
  it('holds a rising line until its bound is below LEVEL_SLOPE; a flat or falling line, or an unknown fit, never', () => {
    const rising = new Float64Array(GROWTH_FIT_FIELDS);
    // Slope 0.6 (above), bound far above LEVEL_SLOPE: may still rise.
    [0, 1, 1, 2].forEach((y, t) => fitAdd(rising, 0, t, y));
    expect(mayStillRise(rising, 0)).toBe(true);
    // A small positive slope known precisely: 0.05 an accept_after, under LEVEL_SLOPE (0.091): level.
    const slow = new Float64Array(GROWTH_FIT_FIELDS);
    for (let t = 0; t < 60; t++) fitAdd(slow, 0, t / 60, 1 + 0.05 * (t / 60) + (t % 2 === 0 ? 0.01 : -0.01));
    expect(slopeUpperBound(slow, 0, 0)).toBeGreaterThan(0);
    expect(slopeUpperBound(slow, 0)).toBeLessThan(LEVEL_SLOPE);
    expect(mayStillRise(slow, 0)).toBe(false);
    // A falling line, however noisy: not rising.
    const falling = new Float64Array(GROWTH_FIT_FIELDS);
    [2, 0, 3, -1, 1].forEach((y, t) => fitAdd(falling, 0, t, y));
    // t = 0..4 about 2, y about 1: Sty = -2 + 1 + 0 - 2 + 0 = -3, Stt = 10: slope -0.3.
    expect(slopeUpperBound(falling, 0, 0)).toBeCloseTo(-0.3, 12);
    expect(slopeUpperBound(falling, 0)).toBeGreaterThan(LEVEL_SLOPE);
    expect(mayStillRise(falling, 0)).toBe(false);
    // Too few windows to say, or unknown (restored): no bar, as before the fit.
    expect(mayStillRise(new Float64Array(GROWTH_FIT_FIELDS), 0)).toBe(false);
    const unknown = new Float64Array(GROWTH_FIT_FIELDS);
    fitUnknown(unknown, 0);
    expect(mayStillRise(unknown, 0)).toBe(false);
  });
});

describe('acceptance with a growth fit', () => {
  it('accepts a level run without noise exactly accept_after after it opened, as without a fit', () => {
    expect(acceptances(240, () => 1, true)).toEqual([{ minute: 59, steadyMin: 60, grown: -1 }]);
    expect(acceptances(240, () => 1, false)).toEqual([{ minute: 59, steadyMin: 60, grown: -1 }]);
  });

  it('accepts a noisy level run once its line shows no growth, later than the mark alone would', () => {
    expect(LEVEL_SLOPE).toBe(Math.log(1.2) / 2);
    // Windows up to +-0.8 in log around a level (uniform: sd 0.46, a few log-normal flows a window).
    const noise = noiseOf(0.8);
    const level = (m: number): number => 1 + noise(m);
    const withFit = acceptances(600, level, true);
    expect(withFit).toEqual([{ minute: 97, steadyMin: 98, grown: -1 }]);
    expect(referenceAcceptance(level)).toBe(97);
    expect(acceptances(600, level, false)).toEqual([{ minute: 59, steadyMin: 60, grown: -1 }]);
  });

  it('does not take a noisy creep of +25 %/h for a plateau while it grows; accepts it at the cap after its last growth', () => {
    // Eight hours of creep, then level; windows up to +-0.8 around it.
    const rate = Math.log(1.25) / 60;
    const noise = noiseOf(0.8);
    const creep = (m: number): number => Math.min(m, 480) * rate + noise(m);
    // With the mark alone the creep is taken for a plateau part way up, and grows on past it.
    expect(acceptances(1200, creep, false)).toEqual([{ minute: 117, steadyMin: 60, grown: 57 }]);
    // With the fit, not while it grows: its last growth at minute 499 (the level's lag past the
    // plateau at 480), then it must stay level as long as it grew, at most the cap (3 hours).
    const withFit = acceptances(1200, creep, true);
    expect(withFit).toEqual([{ minute: 679, steadyMin: 180, grown: 499 }]);
    expect(referenceAcceptance(creep, 499, 180)).toBe(679);
  });

  it('fits from the last growth on: a step after a level hour is judged on its own windows', () => {
    // Level at 0, a step to 1 at minute 90 (the run grows: its mark passes at minute 114), windows +-0.8.
    const noise = noiseOf(0.8);
    const step = (m: number): number => (m >= 90 ? 1 : 0) + noise(m);
    const withFit = acceptances(900, step, true);
    expect(withFit).toEqual([{ minute: 230, steadyMin: 116, grown: 114 }]);
    // It grew for 115 minutes after it opened, so it must stay level 115 minutes from the growth:
    // minute 229 at the soonest; the line through the windows from 114 on says level at 230.
    expect(referenceAcceptance(step, 114, 115)).toBe(230);
    // (Without the fit emptied at the growth, its line would run through the level hour too and
    // rise, holding the step to the cap: minute 294.)
  });
});
