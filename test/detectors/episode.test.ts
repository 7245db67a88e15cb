// A volume detector's run (episode.ts): accepted as the new normal once it has stopped growing
// for accept_after, and not while a creep still grows, however noisy its windows.
import { describe, expect, it } from 'vitest';
import { episodeStep, GROWTH, GROWTH_WAIT_CAP, noEpisode, type AcceptedRun, type Episode } from '../../src/detectors/baseline/episode.js';
import { acceptanceSentence } from '../../src/detectors/describe.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 5, 9);

/** Runs minute windows with the given ln(bytes / expected) from T0, alerting on the first; the minute each run was accepted (from T0). */
function acceptances(minutes: number, ratio: (m: number) => number, acceptAfterMs = HOUR, windowMs = MIN): number[] {
  let e: Episode = noEpisode();
  let epoch = 0;
  const out: number[] = [];
  for (let m = 0; m < minutes; m++) {
    const window = { start_ms: T0 + m * windowMs, end_ms: T0 + (m + 1) * windowMs };
    // above: well above `still` (1) for every window, so the run never ends by itself.
    const step = episodeStep(e, epoch, window, m === 0, 5, ratio(m), 1, acceptAfterMs);
    if (step.accepted) {
      out.push(m);
      epoch++;
    }
    e = step.next;
  }
  return out;
}

/** +-0.3 in log (a window 35% above or 26% below its trend), alternating: a noisy destination. */
const noise = (m: number): number => (m % 2 === 0 ? 0.3 : -0.3);

describe('episode acceptance', () => {
  it('accepts a level run exactly accept_after after it opened, noise or not', () => {
    // Minute 59's window ends 60 minutes after the run's start: accepted there.
    expect(acceptances(120, () => 1)).toEqual([59]);
    expect(acceptances(120, (m) => 1 + noise(m))).toEqual([59]);
    // Only the first run: the episode after an acceptance needs a new alert to open.
  });

  it('does not accept a noisy creep while it grows by more than GROWTH per accept_after', () => {
    // +1.5 x GROWTH an hour (+31 %/h) for 6 hours, windows +-0.3 around it: no acceptance while it grows.
    const rate = (1.5 * GROWTH) / 60;
    const creep = (m: number): number => Math.min(m, 360) * rate + noise(m);
    const accepted = acceptances(600, creep);
    expect(accepted.length).toBe(1);
    // Accepted only once it levels off (minute 360), and only after staying level as long as it
    // grew after it opened, at most 3 hours (GROWTH_WAIT_CAP accept_afters): its last growth falls
    // within the last step of GROWTH (40 minutes at this rate) before the plateau, or in the
    // level's lag (about ten windows) after it, minute 320-380, so it is accepted on the window
    // ending 3 hours after that: minute 499-559.
    expect(accepted[0]).toBeGreaterThanOrEqual(320 + 180 - 1);
    expect(accepted[0]).toBeLessThanOrEqual(380 + 180 - 1);
  });

  it('keeps a run that grew for two hours after it opened until it has been level for as long', () => {
    // +1.5 x GROWTH an hour for 2 hours, then level, no noise. Its last growth G (the window end
    // at which its level last passed its mark by GROWTH) is past its first hour, so it must stay
    // level from G for G - T0 (the time it grew since it opened), not accept_after: accepted on
    // the window ending at T0 + 2 (G - T0), minute 2 (G - T0) / MIN - 1 (the old rule: G + 1h).
    const rate = (1.5 * GROWTH) / 60;
    let e: Episode = noEpisode();
    let lastGrowth = Number.NaN;
    let acceptedAt = -1;
    let steady = 0;
    for (let m = 0; m < 600 && acceptedAt < 0; m++) {
      const window = { start_ms: T0 + m * MIN, end_ms: T0 + (m + 1) * MIN };
      const step = episodeStep(e, 0, window, m === 0, 5, Math.min(m, 120) * rate, 1, HOUR);
      if (step.accepted) {
        acceptedAt = m;
        steady = step.run!.steadyMs;
      } else {
        lastGrowth = step.next.grownAt;
      }
      e = step.next;
    }
    const grew = lastGrowth - T0;
    expect(grew).toBeGreaterThan(HOUR);
    expect(grew).toBeLessThan(GROWTH_WAIT_CAP * HOUR);
    expect(acceptedAt).toBe((2 * grew) / MIN - 1);
    expect(steady).toBe(grew);
  });

  it('accepts a rise slower than GROWTH per accept_after once accept_after has passed', () => {
    // +0.5 x GROWTH an hour: the quick level leads by 3/8 GROWTH, under the 3/4 that is growth.
    const rate = (0.5 * GROWTH) / 60;
    expect(acceptances(120, (m) => m * rate + noise(m))).toEqual([59]);
  });

  it('accepts a noisy plateau at accept_after with coarse windows too', () => {
    // 15-minute windows, accept_after 1h: the fourth window (index 3) ends 60 minutes after the run's start.
    expect(acceptances(12, (m) => 1 + noise(m), HOUR, 15 * MIN)).toEqual([3]);
    // 5-minute windows and noise of +-0.5: accepted at the twelfth window (60 minutes).
    expect(acceptances(48, (m) => 1 + (m % 2 === 0 ? 0.5 : -0.5), HOUR, 5 * MIN)).toEqual([11]);
  });
});

describe('the final note of an accepted run', () => {
  it('carries the run\'s start and the level it settled at, and says so in one sentence', () => {
    // Every window at ln 3 (three times the expected bytes): the level is ln 3 from the first
    // window on; accepted on the window ending an hour after the run opened at T0.
    let e: Episode = noEpisode();
    let accepted: AcceptedRun | undefined;
    for (let m = 0; m < 60 && accepted === undefined; m++) {
      const step = episodeStep(e, 0, { start_ms: T0 + m * MIN, end_ms: T0 + (m + 1) * MIN }, m === 0, 5, Math.log(3), 1, HOUR);
      if (step.accepted) accepted = step.run;
      else expect(step.run).toBeUndefined();
      e = step.next;
    }
    expect(accepted).toEqual({ start: T0, level: Math.log(3), steadyMs: HOUR });
    expect(acceptanceSentence('volume_spike', accepted!, HOUR)).toBe(
      'The rise that opened at 2026-01-05T09:00:00.000Z has stayed near 3.00x the expected bytes without growing for ' +
        '1h (detectors.volume_spike.accept_after, 1h, or as long as it grew after it opened, up to 3h): ' +
        'it is now accepted as the new normal baseline.',
    );
  });

  it('ends a run that settled at or below its expectation as back at baseline: no note, no re-level, not held', () => {
    // The run opens on a window at ln 3 and every later window sits at ln 0.72 (-0.3285), with
    // `above` kept past `still` so only acceptance can end it. The level is the mean of the
    // first 10 windows, (ln 3 + 9 ln 0.72) / 10 = -0.1858, then moves a tenth of the way to
    // ln 0.72 a window: at minute 59, -0.3285 + 0.1427 * 0.9^50 = -0.3278, below 0. The level
    // has not grown since the run opened, so minute 59 (an hour after T0) is its acceptance.
    const run = (alertAt: number): { m: number; step: ReturnType<typeof episodeStep> }[] => {
      let e: Episode = noEpisode();
      const out: { m: number; step: ReturnType<typeof episodeStep> }[] = [];
      for (let m = 0; m < 62; m++) {
        const step = episodeStep(e, 0, { start_ms: T0 + m * MIN, end_ms: T0 + (m + 1) * MIN }, m === 0 || m === alertAt, 5, m === 0 ? Math.log(3) : Math.log(0.72), 1, HOUR);
        if (step.settledLow || m >= 58) out.push({ m, step });
        e = step.next;
        if (step.settledLow) break;
      }
      return out;
    };
    const ended = run(-1);
    expect(ended.map((x) => [x.m, x.step.accepted, x.step.hold, x.step.settledLow])).toEqual([[58, false, true, undefined], [59, false, false, true]]);
    expect(ended[0].step.next.level).toBeCloseTo(Math.log(0.72) + ((Math.log(3) + 9 * Math.log(0.72)) / 10 - Math.log(0.72)) * 0.9 ** 49, 12);
    expect(ended[1].step.run).toBeUndefined();
    // The epoch stays: no re-level, so another detector's run in it goes on.
    expect(ended[1].step.next).toEqual(noEpisode(0));
    // A window that alerts at that moment is no end: the run carries on (held), and ends with the next window.
    const alerting = run(59);
    expect(alerting.map((x) => [x.m, x.step.accepted, x.step.hold, x.step.settledLow])).toEqual([[58, false, true, undefined], [59, false, true, undefined], [60, false, false, true]]);
    // The same run at ln 1.1 from its second window is above its expectation: accepted at minute 59 with its note.
    let e: Episode = noEpisode();
    const steps: [number, boolean, boolean, AcceptedRun | undefined][] = [];
    for (let m = 0; m < 60; m++) {
      const step = episodeStep(e, 0, { start_ms: T0 + m * MIN, end_ms: T0 + (m + 1) * MIN }, m === 0, 5, m === 0 ? Math.log(3) : Math.log(1.1), 1, HOUR);
      if (step.accepted || step.settledLow) steps.push([m, step.accepted, step.hold, step.run]);
      e = step.next;
    }
    const up = Math.log(1.1);
    expect(steps).toEqual([[59, true, true, { start: T0, level: expect.closeTo(up + ((Math.log(3) + 9 * up) / 10 - up) * 0.9 ** 50, 12), steadyMs: HOUR }]]);
    expect(e).toEqual(noEpisode(1));
  });
});
