// The soak's summary arithmetic, kept apart from the I/O so it can be checked by hand.

export function mean(values: number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Nearest-rank percentile (p in [0, 1]): the smallest value with at least p of the values at or below it. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1];
}

/** Least-squares slope of y over x; NaN for fewer than two distinct x. */
export function regressionSlope(xs: number[], ys: number[]): number {
  if (xs.length !== ys.length) throw new RangeError(`regressionSlope: ${xs.length} x values but ${ys.length} y values`);
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

export interface HeapTrend {
  /** Least-squares slope over the samples given, bytes per minute. */
  slopeBytesPerMinute: number;
  meanBytes: number;
  /** The slope carried over the samples' time span, as a share of the mean heap. */
  growthShare: number;
  verdict: 'no growth trend' | 'growing' | 'too few samples';
}

/** A heap counts as growing when its trend adds more than this share of its size over the span looked at. */
export const GROWTH_SHARE_LIMIT = 0.05;

/** The heap trend over samples taken at `minutes` (any origin). */
export function heapTrend(minutes: number[], heapBytes: number[]): HeapTrend {
  const slope = regressionSlope(minutes, heapBytes);
  const meanBytes = mean(heapBytes);
  if (minutes.length < 3 || !Number.isFinite(slope)) {
    return { slopeBytesPerMinute: NaN, meanBytes, growthShare: NaN, verdict: 'too few samples' };
  }
  const span = Math.max(...minutes) - Math.min(...minutes);
  const growthShare = (slope * span) / meanBytes;
  return { slopeBytesPerMinute: slope, meanBytes, growthShare, verdict: growthShare > GROWTH_SHARE_LIMIT ? 'growing' : 'no growth trend' };
}

/**
 * The lowest heap sample of each whole minute from `fromMinute` on: the live heap just after a
 * garbage collection, give or take. A sample lands anywhere in the collector's sawtooth (±50 MB
 * at 100,000 destinations), so a regression over raw samples swings with where they fell; the
 * floors follow what the service keeps. A minute the samples do not reach the end of is left
 * out: its floor could be one sample from the top of a tooth, at the end of the span where it
 * moves a slope most. Returns the minute each floor is for and the floor.
 */
export function minuteFloors(minutes: number[], values: number[], fromMinute: number): { minutes: number[]; floors: number[] } {
  const floorOf = new Map<number, number>();
  let last = -Infinity;
  for (let i = 0; i < minutes.length; i++) {
    if (minutes[i] < fromMinute) continue;
    last = Math.max(last, minutes[i]);
    const m = Math.floor(minutes[i] - fromMinute);
    floorOf.set(m, Math.min(floorOf.get(m) ?? Infinity, values[i]));
  }
  const ms = [...floorOf.keys()].filter((m) => fromMinute + m + 1 <= last).sort((a, b) => a - b);
  return { minutes: ms.map((m) => fromMinute + m), floors: ms.map((m) => floorOf.get(m)!) };
}
