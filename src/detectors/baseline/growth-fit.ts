// Whether a run has stopped growing, with its own noise as the bar. An open run (episode.ts)
// is accepted as the new normal once it has stayed level for accept_after; "level" used to
// mean only that its smoothed ratio had not risen by a fifth since its last growth. On a
// noisy destination (a few log-normal flows a window: +-0.45 in log) a +25 %/h creep's
// smoothed ratio can go an hour without showing that fifth, so the creep was accepted half way
// up, and its growth came back as a second incident (the volume scenario, seeds 1-9: 14 of 36
// creeps split in two). This keeps a least-squares line through the run's window ratios since
// its last growth, y = ln(bytes / expected) against t in accept_afters, and answers with the
// slope: a run whose line still rises (a slope above 0, from 3 windows or more) is level only
// where the slope's upper 95% bound (Student's t) is below LEVEL_SLOPE, half the growth the
// mark reads (ln 1.2 per two accept_afters, about +9.5 %/h at the default 1h). Half, because
// the bound is asked again at every window: a creep just past the mark's rate (+25 %/h against
// ln 1.2 = +20 %/h) would sooner or later dip under a bar at its own rate by chance. A steady
// destination shows it within the hour; a noisy level one, when its line happens to rise, some
// windows later (minute 97 instead of 59 at a log sd of 0.46 a 1-minute window, in the tests);
// a growing one not before the cap. A run whose line is flat or falls, or has fewer than 3
// windows, is not held longer than before: holding a lasting step on while its windows drift
// into a sparse night accepted it at a lower level, and the next busy day re-opened it (the
// volume scenario, seed 9). The sums are kept in 6 numbers of the detector's state.

/** The sums of the fit: n, sum t, sum t^2, sum y, sum t*y, sum y^2 (t in accept_afters since the run's last growth). */
export const GROWTH_FIT_FIELDS = 6;
const N = 0;
const T = 1;
const TT = 2;
const Y = 3;
const TY = 4;
const YY = 5;

/** One-sided 95% for many windows: the slope is "below" a rate only where its estimate plus this many standard errors is. */
export const SLOPE_CONFIDENCE_Z = 1.645;
/**
 * One-sided 95% points of Student's t by degrees of freedom (n - 2): with few windows the
 * residuals' spread is itself uncertain, and the normal point would overstate the confidence.
 * [df, t] rows; a df between rows takes the row below it (the larger t); past the last, z.
 */
const T_95: readonly (readonly [number, number])[] = [
  [1, 6.314], [2, 2.92], [3, 2.353], [4, 2.132], [5, 2.015], [6, 1.943], [7, 1.895], [8, 1.86], [9, 1.833], [10, 1.812],
  [12, 1.782], [15, 1.753], [20, 1.725], [30, 1.697], [60, 1.671], [120, 1.658],
];

/** The one-sided 95% point for `df` degrees of freedom (SLOPE_CONFIDENCE_Z past 120). */
export function t95(df: number): number {
  if (df > 120) return SLOPE_CONFIDENCE_Z;
  let t = T_95[0][1];
  for (const [d, v] of T_95) if (d <= df) t = v;
  return t;
}
/** A run is level where its slope is below this, per accept_after: half the mark's growth (GROWTH in episode.ts, ln 1.2). */
export const LEVEL_SLOPE = Math.log(1.2) / 2;

/** Empties the fit at `at` (the growth it counts from). */
export function fitReset(f: Float64Array, at: number): void {
  f.fill(0, at, at + GROWTH_FIT_FIELDS);
}

/** A fit restored from state written before it: no sums (NaN), so no bar is set (the mark alone decides, as before). */
export function fitUnknown(f: Float64Array, at: number): void {
  f.fill(Number.NaN, at, at + GROWTH_FIT_FIELDS);
}

/** Adds one window: its time `t` (accept_afters since the last growth) and ratio `y`. */
export function fitAdd(f: Float64Array, at: number, t: number, y: number): void {
  f[at + N] += 1;
  f[at + T] += t;
  f[at + TT] += t * t;
  f[at + Y] += y;
  f[at + TY] += t * y;
  f[at + YY] += y * y;
}

/** A fitted line: its slope (per accept_after), the slope's standard error and the windows it was fitted to. */
export interface SlopeFit { slope: number; se: number; n: number }

/** The line through the fit's windows; slope and se NaN where there is none (unknown, fewer than 3 windows, or all at one time). */
export function slopeOf(f: Float64Array, at: number): SlopeFit {
  const n = f[at + N];
  const stt = n >= 3 ? f[at + TT] - (f[at + T] * f[at + T]) / n : Number.NaN;
  if (!(stt > 1e-12)) return { slope: Number.NaN, se: Number.NaN, n };
  const sty = f[at + TY] - (f[at + T] * f[at + Y]) / n;
  const syy = f[at + YY] - (f[at + Y] * f[at + Y]) / n;
  const slope = sty / stt;
  return { slope, se: Math.sqrt(Math.max(0, syy - slope * sty) / (n - 2) / stt), n };
}

/** A line's upper confidence bound: slope + t x standard error, t by default the one-sided 95% point for n - 2 degrees of freedom. */
function upperBound(fit: SlopeFit, t = t95(fit.n - 2)): number {
  return fit.slope + t * fit.se;
}

/**
 * The slope's upper confidence bound (per accept_after), or with `t` standard errors. NaN where
 * there is no line.
 */
export function slopeUpperBound(f: Float64Array, at: number, t?: number): number {
  return upperBound(slopeOf(f, at), t);
}

/**
 * Whether the run may still be rising: its line rises (slope above 0) and the slope's upper
 * bound is not below LEVEL_SLOPE. False where there is no line: a fit restored from before it
 * (NaN), or fewer than 3 windows since the last growth (a sparse destination's hour), which
 * set no bar, as before the fit.
 */
export function mayStillRise(f: Float64Array, at: number): boolean {
  const fit = slopeOf(f, at);
  return fit.slope > 0 && upperBound(fit) >= LEVEL_SLOPE;
}
