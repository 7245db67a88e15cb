// Where a destination's residuals' upper tails sit, learnt on burst onsets (a stochastic
// quantile estimate: a window above a tail right after another teaches nothing, so an
// hour-long anomaly is one burst, not sixty): each feature's 1% point, which widens its spread
// where routine bursts reach further than a Gaussian's; the bytes' 0.1% point (the deep
// tail), which widens the sizes' spread where heavy-tailed sizes reach further still; and the
// run tail, against which VOLUME_SPIKE's run reading judges two windows in a row. The numbers
// live in the baseline's one Float32Array (layout.ts); seasonal-baseline.ts calls in here when
// it scores and learns a window.
import { F, ONE_AT_LEAST, PREV_BYTES_Z, TAIL, TAIL_ABOVE, TAIL_DEEP, TAIL_RUN, type BaselineState } from './layout.js';

/**
 * The tail-calibrated spread. The spread above is learnt from winsorised residuals, so no
 * anomaly can inflate it; but that also hides a destination's own heavy tail: an hourly job
 * that doubles one window in 60, or bursty traffic whose big windows are routine, would alert
 * on every burst. So each feature also tracks where its standardised residual's upper tail
 * sits: the level that bursts *begin* above in TAIL_ONSET_RATE of windows (a stochastic
 * quantile estimate, Robbins-Monro, on burst onsets: a window above the tail right after
 * another teaches nothing, so an hour-long anomaly counts as one burst, not sixty). Where that
 * tail lies beyond the Gaussian's (TAIL_GAUSSIAN), the score's spread widens by the ratio;
 * it never narrows. A burst pattern that recurs more often than the onset rate becomes
 * normal after about (tail - TAIL_GAUSSIAN) / TAIL_STEP of its bursts (the first of which
 * alerted); a rarer one keeps alerting.
 */
const TAIL_ONSET_RATE = 0.01;
/** The Gaussian's upper 1% point: a residual with Gaussian tails keeps its tail here. */
export const TAIL_GAUSSIAN = 2.326;
/** Step of the tail estimate per burst onset, in standard deviations. */
const TAIL_STEP = 0.25;
/**
 * How far beyond the tail (in sd) a burst must begin to move it by a whole step; one that
 * begins closer moves it by that share. Residuals with Gaussian tails (no widening due)
 * begin past their 1% point in 1% of windows by definition, but only 0.34 sd beyond it on
 * average (phi(t) / (1 - Phi(t)) - t at t = 2.326): weighted, their onsets put back about a
 * third of what the windows below take off, so the tail stays at the Gaussian point. With
 * whole steps each such onset lifted it by 0.25 (a spread 11% wider) and only the decay
 * brought it back, never below the floor: a floored random walk that judged a destination
 * wider at random (on NAB, tails of 2.6-3.2 where rises of 5.5-7.7 sd scored 4.6-5.6 and
 * were missed). A heavy tail's bursts begin well beyond it (the hourly spikes of NAB's
 * cpu_utilization_asg_misconfiguration took the tail to 6 sd) and move it by whole steps, as
 * before; the tail then settles where bursts begin a sd or more beyond it in about 1% of
 * windows.
 */
const TAIL_OVERSHOOT = 1;
/**
 * The deep tail. The 1% point says where a destination's routine bursts begin, not how far
 * beyond it they go: a Gaussian's 0.1% point lies 0.76 sd beyond its 1% point, but the window
 * sums of heavy-tailed flow sizes (Pareto sizes with alpha 1.2-2, as file and transfer sizes
 * are) have an exponential tail in log space, whose 0.1% point lies 2-3 sd beyond. Judged as a
 * Gaussian beyond the 1% point, such a destination's routine big windows scored 6-10 and
 * alerted one or two a day for ever (all 83 VOLUME_SPIKE records of the independent traffic's
 * null runs, docs/scorecard.md). So bytes also track their 0.1% onset point the same way
 * (DEEP_TAIL_RATE, the same step), and where it lies beyond the Gaussian's (DEEP_TAIL_GAUSSIAN)
 * by more than the 1% point does, the sizes' spread (bytes and packets, which a heavy tail of
 * sizes moves together) widens by that ratio instead. A rare tail needs few onsets to set:
 * an exfiltration burst moves it by one step, as it does the 1% point.
 */
const DEEP_TAIL_RATE = 0.001;
export const DEEP_TAIL_GAUSSIAN = 3.09;
/** TAIL_ABOVE's bit for bytes above their deep tail in the previous window. */
const DEEP_ABOVE = 1 << (F + 1);
/**
 * The run tail. A heavy tail widens the bytes' spread (the deep tail above) so far that one
 * window cannot tell a burst from the destination's routine big transfers: on the independent
 * traffic (bench/independent), a 4-minute burst of 78-229 MB a minute to a destination that
 * sends about 0.7 MB a minute in Pareto sizes (alpha 1.28) scored 4.05-4.65 a window. What
 * routine big windows rarely do is come in a row: where flows arrive independently, a window
 * passes the deep tail 1 time in 1,000 and two in a row 1 time in 1,000,000. So the score also
 * reads the smaller of this window's and the previous window's standardised bytes residuals:
 * past the rare level (RUN_SLOPES) and past the run record, the highest level two windows in a
 * row have both reached before and a margin, it is a burst that lasts. Where windows are not
 * independent (big transfers that span windows, series that move slowly) pairs are common: the
 * first such pair lifts the run tail to its own level, so the same again, or up to RUN_MARGIN
 * more, is routine. It falls by TAIL_STEP in RUN_TAIL_RATE of windows, ten times slower than
 * the deep tail: the same pair alerts again after RUN_MARGIN / (TAIL_STEP x RUN_TAIL_RATE)
 * windows (a week of 1-minute windows).
 */
const RUN_TAIL_RATE = 0.0001;
/** How far past the run tail a pair must be (in sd): the run tail's step, one week's fall. */
const RUN_MARGIN = 0.25;
/**
 * How far past the deep tail a pair must be, in units of the tail's own slope (the deep tail
 * less the 1% tail: how much further a tenfold rarer level lies): half of it, the level the
 * tail extrapolated as exponential (log-space sizes; Pareto's are) puts at about 1 window in
 * 3,000. For a Gaussian destination (3.09 + 0.5 x 0.764 = 3.47) two independent windows there
 * are about as rare (7e-8) as one window past the distance threshold of 6 on four features
 * (3e-7). At the deep tail itself, windows of the project's generator that passed 3.3-3.45 sd
 * in a row alerted on 3 of its 10 standard seeds (docs/detection-volume.md).
 */
const RUN_SLOPES = 0.5;
/** TAIL_ABOVE's bit for a pair of windows above the run tail (the previous window and the one before). */
const RUN_ABOVE = 1 << (F + 2);

/** What a window's run reading gives (part of the baseline's verdict: seasonal-baseline.ts). */
export interface RunReading {
  /**
   * Bytes past their rare level and their run record in this window and the previous one: the
   * smaller of the two windows' standardised bytes residuals over the higher of those levels
   * (above 1), else 0. See RUN_TAIL_RATE.
   */
  runRatio: number;
  /** The previous window's standardised bytes residual. */
  previousBytesZ: number;
  /**
   * The levels runRatio reads, as this window was scored: the rare level (the deep tail plus
   * half its slope, RUN_SLOPES) and the run record (the run tail plus RUN_MARGIN).
   */
  rareLevel: number;
  runRecord: number;
}

/** Every tail at its Gaussian point: a new baseline's. */
export function startTails(s: BaselineState): void {
  for (let i = 0; i < F; i++) s[TAIL + i] = TAIL_GAUSSIAN;
  s[TAIL_DEEP] = DEEP_TAIL_GAUSSIAN;
  s[TAIL_RUN] = DEEP_TAIL_GAUSSIAN;
}

/**
 * The run reading of a window whose standardised bytes residual is `bytesZ`, against the tails
 * as they are before it is learnt (`fresh`: the baseline has learnt nothing, no reading).
 */
export function readRun(s: BaselineState, bytesZ: number, fresh: boolean, into: RunReading): void {
  into.previousBytesZ = s[PREV_BYTES_Z];
  into.rareLevel = s[TAIL_DEEP] + RUN_SLOPES * Math.max(0, s[TAIL_DEEP] - s[TAIL]);
  into.runRecord = s[TAIL_RUN] + RUN_MARGIN;
  const level = Math.max(into.rareLevel, into.runRecord);
  const pair = Math.min(bytesZ, s[PREV_BYTES_Z]);
  // The previous window must have passed the deep tail as it was then (TAIL_ABOVE's bit).
  into.runRatio = !fresh && (s[TAIL_ABOVE] & DEEP_ABOVE) !== 0 && pair > level ? pair / level : 0;
}

/**
 * How much wider than its learnt spread feature i's tail says it swings (at least 1); for the
 * sizes (bytes, packets) the bytes' deep tail too.
 */
export function tailWidening(s: BaselineState, i: number): number {
  const own = Math.max(1, s[TAIL + i] / TAIL_GAUSSIAN);
  // Counts of at least one (flows, sources) have no tail of sizes; the sums over flows do.
  return ONE_AT_LEAST[i] ? own : Math.max(own, s[TAIL_DEEP] / DEEP_TAIL_GAUSSIAN);
}

/**
 * One step of each feature's tail estimate (see TAIL_ONSET_RATE), of the bytes' deep tail and
 * of the run tail, for a window whose residuals and spreads are `residual` and `sigma`: up when
 * a burst begins above it (by as much of TAIL_STEP as it begins TAIL_OVERSHOOTs beyond it), down
 * a little for every window below it, unchanged while a burst goes on. Held windows count too:
 * a burst that alerts is still a burst, and the step is bounded.
 *
 * True on the first window of a bytes burst (bytes above their tail since it began) that
 * scores past the distance past which the baseline no longer takes a window as normal
 * (`pastHuber`, seasonal-baseline.ts HUBER_D): the daily job's memory (daily-job.ts)
 * remembers that excursion. Noise above a narrow tail (1 window in 100) is not one; a burst
 * that rises slowly is remembered once, when it gets there (bit F of TAIL_ABOVE marks the
 * burst as remembered until bytes fall back below their tail).
 */
export function learnTails(s: BaselineState, residual: Float64Array, sigma: Float64Array, pastHuber: boolean): boolean {
  let above = 0;
  const before = s[TAIL_ABOVE];
  for (let i = 0; i < F; i++) above |= stepTail(s, TAIL + i, residual[i] / sigma[i], TAIL_ONSET_RATE, TAIL_GAUSSIAN, before, 1 << i);
  const bytesZ = residual[0] / sigma[0];
  above |= stepTail(s, TAIL_DEEP, bytesZ, DEEP_TAIL_RATE, DEEP_TAIL_GAUSSIAN, before, DEEP_ABOVE);
  above |= stepRunTail(s, Math.min(bytesZ, s[PREV_BYTES_Z]), before);
  s[PREV_BYTES_Z] = bytesZ;
  const excursion = (above & 1) !== 0 && (before & EXCURSION_SEEN) === 0 && pastHuber;
  if ((above & 1) !== 0 && (excursion || (before & EXCURSION_SEEN) !== 0)) above |= EXCURSION_SEEN;
  s[TAIL_ABOVE] = above;
  return excursion;
}

/**
 * One step of the tail estimate at s[at] for a window whose standardised residual is z (the 1%
 * tail of each feature and the bytes' deep tail alike; `rate` is its onset rate, `floor` the
 * Gaussian's point): up when a burst begins above it (the window above, `bit` clear in
 * `before`), down a little for a window below it, never below the floor. Returns `bit` when the
 * window is above it.
 */
function stepTail(s: BaselineState, at: number, z: number, rate: number, floor: number, before: number, bit: number): number {
  if (z > s[at]) {
    if ((before & bit) === 0) s[at] += TAIL_STEP * (1 - rate) * Math.min(1, (z - s[at]) / TAIL_OVERSHOOT);
    return bit;
  }
  s[at] = Math.max(floor, s[at] - TAIL_STEP * rate);
  return 0;
}

/**
 * One step of the run tail for a pair of windows whose smaller standardised bytes residual is
 * `pair`: a pair that begins above it lifts it there at once (its first such pair alerts, the
 * same again does not), a pair below lowers it as the deep tail falls, never below the
 * Gaussian's deep point. Returns RUN_ABOVE when the pair is above it, or at it: the pair after
 * the one that lifted it, whose smaller window is the same window, reads exactly its level
 * (single precision both) and is the same burst going on, not its end.
 */
function stepRunTail(s: BaselineState, pair: number, before: number): number {
  if (pair >= s[TAIL_RUN]) {
    if ((before & RUN_ABOVE) === 0) s[TAIL_RUN] = pair;
    return RUN_ABOVE;
  }
  s[TAIL_RUN] = Math.max(DEEP_TAIL_GAUSSIAN, s[TAIL_RUN] - TAIL_STEP * RUN_TAIL_RATE);
  return 0;
}

/** TAIL_ABOVE's bit for a bytes burst whose excursion the daily job's memory has seen. */
const EXCURSION_SEEN = 1 << F;
