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

import { MAX_RATE, seenMeans } from './occupancy.js';

/** Rates past this are busy: the per-window means follow the rate's log (asymptotic forms). */
const TABLE_MAX_RATE = MAX_RATE;
/** Table points: rates TABLE_MAX_RATE * (k / STEPS)^2, dense where the rate is small. */
const STEPS = 800;

const RATES = new Float64Array(STEPS + 1);
const SEEN_LOG1P = new Float64Array(STEPS + 1);
const SEEN_LOG = new Float64Array(STEPS + 1);
for (let k = 0; k <= STEPS; k++) {
  const rate = TABLE_MAX_RATE * (k / STEPS) ** 2;
  const [a, b] = seenMeans(rate);
  RATES[k] = rate;
  SEEN_LOG1P[k] = a;
  SEEN_LOG[k] = b;
}

/** The table index k with RATES[k] <= rate < RATES[k + 1] (rate within the table). */
function rateIndex(rate: number): number {
  return Math.min(STEPS - 1, Math.floor(Math.sqrt(rate / TABLE_MAX_RATE) * STEPS));
}

function interpolate(table: Float64Array, rate: number): number {
  const k = rateIndex(rate);
  const t = (rate - RATES[k]) / (RATES[k + 1] - RATES[k]);
  return table[k] + t * (table[k + 1] - table[k]);
}

/**
 * Second-order forms past the table (delta method, f ~ Poisson(rate), P(f = 0) negligible),
 * shifted to meet the table's last point, so both read the same there.
 */
const LOG1P_JOIN = SEEN_LOG1P[STEPS] - (Math.log1p(TABLE_MAX_RATE) - TABLE_MAX_RATE / (2 * (1 + TABLE_MAX_RATE) ** 2));
const LOG_JOIN = SEEN_LOG[STEPS] - (Math.log(TABLE_MAX_RATE) - 1 / (2 * TABLE_MAX_RATE));

/** E[log1p f | f >= 1]: the log1p mean flows of the windows seen at this rate (flows per window). */
export function seenLog1p(rate: number): number {
  if (rate < TABLE_MAX_RATE) return interpolate(SEEN_LOG1P, rate);
  return Math.log1p(rate) - rate / (2 * (1 + rate) ** 2) + LOG1P_JOIN;
}

/** E[log f | f >= 1]: the log mean flows of the windows seen, by which a sum over flows grows. */
export function seenLog(rate: number): number {
  if (rate < TABLE_MAX_RATE) return interpolate(SEEN_LOG, rate);
  return Math.log(rate) - 1 / (2 * rate) + LOG_JOIN;
}

/** The inverse table: rates at INVERSE_STEPS + 1 evenly spaced log1p means, ln 2 to the table's end. */
const INVERSE_STEPS = 4096;
const LOG1P_LOW = Math.LN2;
const LOG1P_HIGH = SEEN_LOG1P[STEPS];
const INVERSE = new Float64Array(INVERSE_STEPS + 1);
{
  let k = 0;
  for (let j = 0; j <= INVERSE_STEPS; j++) {
    const u = LOG1P_LOW + ((LOG1P_HIGH - LOG1P_LOW) * j) / INVERSE_STEPS;
    while (k < STEPS - 1 && SEEN_LOG1P[k + 1] <= u) k++;
    const t = Math.min(1, (u - SEEN_LOG1P[k]) / (SEEN_LOG1P[k + 1] - SEEN_LOG1P[k]));
    INVERSE[j] = RATES[k] + t * (RATES[k + 1] - RATES[k]);
  }
}

/** The rate whose windows seen have this log1p mean flows (0 at or below ln 2: one flow each). */
export function rateOfLog1p(log1pFlows: number): number {
  if (!(log1pFlows > LOG1P_LOW)) return 0;
  if (log1pFlows >= LOG1P_HIGH) {
    // Past the table: the second-order form solved for the rate by fixed-point steps (its
    // correction term changes by under 1e-3 of itself a step at these rates).
    let rate = Math.expm1(log1pFlows - LOG1P_JOIN);
    for (let i = 0; i < 4; i++) rate = Math.expm1(log1pFlows - LOG1P_JOIN + rate / (2 * (1 + rate) ** 2));
    return rate;
  }
  const x = ((log1pFlows - LOG1P_LOW) / (LOG1P_HIGH - LOG1P_LOW)) * INVERSE_STEPS;
  const j = Math.min(INVERSE_STEPS - 1, Math.floor(x));
  return INVERSE[j] + (x - j) * (INVERSE[j + 1] - INVERSE[j]);
}

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
