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

  it('does not say the baseline moved to a run that has come down to its expectation (an acceptance never lowers it)', () => {
    // A run whose recent windows sit at 0.72x: ln 0.72 = -0.3285; at its expectation: 0.
    expect(acceptanceSentence('sustained_increase', { start: T0, level: Math.log(0.72), steadyMs: 100 * MIN }, HOUR)).toBe(
      'The rise that opened at 2026-01-05T09:00:00.000Z has stayed near 0.72x the expected bytes without growing for ' +
        '1h 40m (detectors.sustained_increase.accept_after, 1h, or as long as it grew after it opened, up to 3h): its run ends here, and the baseline is not lowered to it ' +
        '(an acceptance takes in a rise, never a fall).',
    );
    expect(acceptanceSentence('volume_spike', { start: T0, level: 0, steadyMs: HOUR }, HOUR)).toMatch(/1\.00x .* its run ends here, and the baseline is not lowered to it/);
  });
});
