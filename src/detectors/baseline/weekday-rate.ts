// The weekday term of a sparse hour, read through the rate. The baseline learns windows with
// traffic only, each carrying at least one flow, and its weekday term is one number per day,
// learnt from the day's whole mean, which busy hours dominate. Where a destination is busy a
// day at a quarter of the traffic has windows a quarter the size; where it is sparse (a night)
// the same quarter of the rate mostly empties windows, and those it still sees carry about what
// they carried before (Poisson flows at 1.8 a minute fill 84% of the minutes with 2.2 flows on
// average; at a quarter of that rate, 36% with 1.2). Added in log space to every hour, the
// weekday term expected a weekday night 4x a weekend night where the windows seen differ by
// 1.4x (the volume scenario's sparse destinations, and any that sleep at night and rest at
// weekends): weekday nights over-expected, blind to a night burst or to a step that began on a
// Sunday evening, which was then accepted at a third of its size and alerted again on Monday.
//
// So the flows' weekday term is taken as a factor on the rate: the hour's expected log1p
// flows (the model without its weekday term) give the hour's Poisson rate; times the weekday
// factor, that rate gives the windows seen their log1p flows, and the other features the
// change of their log flows (bytes, packets: a window's sum of that many flows; sources, like
// flows, at least one). Where the hour is busy this is the weekday term itself (log of a rate
// times a factor); where it is sparse the term goes into how many windows carry traffic,
// which the baseline does not score. Pure functions of two numbers, from tables built once
// (deterministic: the same arithmetic on every machine).

import { rateOfLog1p, seenLog, seenLog1p } from './poisson-windows.js';

/**
 * What the weekday term `day` (log, the flows' term: a factor of e^day on the rate) does to the
 * windows seen beyond itself, for a window whose model without that term expects `log1pFlows`:
 * [0] for log1p features at least one (flows, sources), [1] for sums over flows (bytes,
 * packets). Each is 0 where the hour is busy and -day where every window seen carries one
 * flow: added to the model's own day term, the part of the day that changes how many windows
 * carry traffic rather than what each carries is taken out. `into` is overwritten.
 */
export function rateDayCorrection(log1pFlows: number, day: number, into: Float64Array): Float64Array {
  if (day === 0) {
    into[0] = 0;
    into[1] = 0;
    return into;
  }
  const rate = rateOfLog1p(log1pFlows);
  if (rate === 0) {
    into[0] = -day;
    into[1] = -day;
    return into;
  }
  const scaled = rate * Math.exp(day);
  into[0] = seenLog1p(scaled) - seenLog1p(rate) - day;
  into[1] = seenLog(scaled) - seenLog(rate) - day;
  return into;
}
