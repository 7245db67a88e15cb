// A volume detector's run (episode.ts): accepted as the new normal once it has stopped growing
// for accept_after, or for as long as it had been rising if longer, and not while a creep still
// grows, however noisy its windows.
import { describe, expect, it } from 'vitest';
import { episodeStep, GROWTH, noEpisode, type AcceptedRun, type Episode } from '../../src/detectors/baseline/episode.js';
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

  it('does not accept a noisy creep while it grows, and accepts it once level for as long as it rose', () => {
    // +1.5 x GROWTH an hour (+31 %/h) for 6 hours, windows +-0.3 around it: no acceptance while it grows.
    const rate = (1.5 * GROWTH) / 60;
    const creep = (m: number): number => Math.min(m, 360) * rate + noise(m);
    const accepted = acceptances(900, creep);
    expect(accepted.length).toBe(1);
    // Its last growth falls within the last step of GROWTH before the plateau (40 minutes at
    // this rate) or in the level's lag after it (about ten windows): minute 320-380. It rose
    // for that long since the run began at minute 0, so it is accepted that long after it,
    // on the window ending there: minute 2 x 320 - 1 to 2 x 380 - 1.
    expect(accepted[0]).toBeGreaterThanOrEqual(639);
    expect(accepted[0]).toBeLessThanOrEqual(759);
  });

  it('keeps a creep slower than GROWTH per accept_after as one run when it had been building up before it alerted', () => {
    // +0.5 x GROWTH an hour (+9.5 %/h): within one hour of +-0.3 noise no growth shows. A
    // detector that saw it build up for 4 hours before alerting (`since`) waits that long: by
    // then the creep has grown by 2 x GROWTH, so it stays one run for as long as it climbs.
    const rate = (0.5 * GROWTH) / 60;
    const since = T0 - 4 * HOUR;
    let e: Episode = noEpisode();
    const out: number[] = [];
    for (let m = 0; m < 12 * 60; m++) {
      const window = { start_ms: T0 + m * MIN, end_ms: T0 + (m + 1) * MIN };
      // The opening window carries the build-up's own ratio (SUSTAINED_INCREASE's: its sum's
      // bytes against their expectation since it began), its middle's trend; then each window's.
      const ratio = m === 0 ? 120 * rate : (240 + m) * rate + noise(m);
      const step = episodeStep(e, 0, window, m === 0, 5, ratio, 1, HOUR, true, since);
      if (step.accepted) out.push(m);
      e = step.next;
    }
    // 12 hours of climbing after the alert: never accepted (the plain accept_after would have accepted it at minute 59).
    expect(out).toEqual([]);
    expect(e.start).toBe(since);
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
      'The rise that began at 2026-01-05T09:00:00.000Z has stayed near 3.00x the expected bytes without growing for ' +
        '1h (detectors.volume_spike.accept_after, 1h, or as long as it had been rising if that was longer): ' +
        'it is now accepted as the new normal baseline.',
    );
    // A run that rose for 3h 20m before it levelled off says how long it has been level since.
    expect(acceptanceSentence('sustained_increase', { start: T0, level: Math.log(3), steadyMs: 200 * MIN }, HOUR)).toBe(
      'The rise that began at 2026-01-05T09:00:00.000Z has stayed near 3.00x the expected bytes without growing for ' +
        '3h 20m (detectors.sustained_increase.accept_after, 1h, or as long as it had been rising if that was longer): ' +
        'it is now accepted as the new normal baseline.',
    );
  });

  it('does not say the baseline moved to a run that has come down to its expectation (an acceptance never lowers it)', () => {
    // A run whose recent windows sit at 0.72x: ln 0.72 = -0.3285; at its expectation: 0.
    expect(acceptanceSentence('sustained_increase', { start: T0, level: Math.log(0.72), steadyMs: HOUR }, HOUR)).toBe(
      'The rise that began at 2026-01-05T09:00:00.000Z has stayed near 0.72x the expected bytes without growing for ' +
        '1h (detectors.sustained_increase.accept_after, 1h, or as long as it had been rising if that was longer): its run ends here, and the baseline is not lowered to it ' +
        '(an acceptance takes in a rise, never a fall).',
    );
    expect(acceptanceSentence('volume_spike', { start: T0, level: 0, steadyMs: HOUR }, HOUR)).toMatch(/1\.00x .* its run ends here, and the baseline is not lowered to it/);
  });
});
