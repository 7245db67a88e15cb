// What a rise in a destination's rate looks like in the windows the baseline sees. Only windows
// with traffic are observed, each carrying at least one flow: where flows are sparse (a weekend
// morning, a night), a rate that triples mostly fills windows that were empty before, and each
// window seen carries less than three times its flows (Poisson flows at 1.45 a minute fill 77%
// of the minutes with 1.9 flows each on average; at 3 times that rate, 99% with 4.4). A lasting
// change accepted there reads the per-window rise alone (a 3x step on the volume scenario
// re-levelled by +0.61 in log where 3x is +1.10), and the rest came back as a second run once
// the destination was busy again (its windows full, each then carrying the whole rise).
// occupancyGain() is the part of a rate's rise that went into windows that were empty before,
// read from the flows of the windows seen: their log1p mean, expected and observed, under
// Poisson flows. It is 0 where windows were already full (a busy destination, one series
// value per window as on NAB).

import { MAX_RATE, rateOfLog1p } from './poisson-windows.js';

/** The Poisson rate (flows per window) whose windows seen have this log1p mean flow count, at most MAX_RATE. */
export function rateOfSeen(log1pFlows: number): number {
  return Math.min(MAX_RATE, rateOfLog1p(log1pFlows));
}

/** The share of windows with traffic at this Poisson rate. */
function occupancy(rate: number): number {
  return -Math.expm1(-rate);
}

/**
 * How much more (in log) a rate rose than the windows seen show: ln of the share of windows
 * with traffic after over before, when the windows' log1p mean flows went from `expected` to
 * `observed`. 0 unless they rose. Where nearly every window carried one flow the rate is ill
 * determined (a periodic job sending one flow a minute is no trickle of a tenth of a flow), so
 * the gain never exceeds the windows' own rise in flows: the rate is read as at most the square
 * of the windows' flow ratio.
 */
export function occupancyGain(expected: number, observed: number): number {
  if (!(observed > expected)) return 0;
  const before = rateOfSeen(expected);
  const after = rateOfSeen(observed);
  const perWindow = Math.log(Math.max(1, Math.expm1(observed)) / Math.max(1, Math.expm1(expected)));
  const gain = before > 0 ? Math.log(occupancy(after) / occupancy(before)) : perWindow;
  return Math.max(0, Math.min(gain, perWindow));
}
