// The windows a Poisson flow count fills, and what each carries: the baseline sees only windows
// with traffic, each carrying a flow at least, so the log1p mean of the flows of the windows seen,
// E[ln(1 + f) | f >= 1], and the log mean by which a sum over flows grows, E[ln f | f >= 1], tell
// a rate from what the windows seen show. Summed term by term (seenMeans), tabulated once at load,
// and inverted from the table: occupancy.ts (a rise that filled empty windows) and
// weekday-rate.ts (a weekday's factor on the rate) read them. Deterministic: the same arithmetic
// on every machine.

/**
 * Rates past this fill every window (e^-40 of them empty): the table ends here, past it the means
 * follow the rate's log (second-order forms below), and occupancy.ts reads a rate past it as it.
 */
export const MAX_RATE = 40;

/**
 * E[log(1 + f) | f >= 1] and E[log f | f >= 1] for f ~ Poisson(rate), summed term by term (rates
 * up to MAX_RATE: e^-rate must not underflow). The second is how a sum over a window's flows
 * (bytes, packets) grows with the rate. Tabulated below.
 */
function seenMeans(rate: number): [number, number] {
  if (rate <= 0) return [Math.LN2, 0];
  let p = Math.exp(-rate);
  let log1p = 0;
  let log = 0;
  let mass = 0;
  const top = Math.ceil(rate + 12 * Math.sqrt(rate) + 12);
  for (let f = 1; f <= top; f++) {
    p *= rate / f;
    log1p += p * Math.log1p(f);
    log += p * Math.log(f);
    mass += p;
  }
  return [log1p / mass, log / mass];
}

/** Table points: rates MAX_RATE * (k / STEPS)^2, dense where the rate is small. */
const STEPS = 800;

const RATES = new Float64Array(STEPS + 1);
const SEEN_LOG1P = new Float64Array(STEPS + 1);
const SEEN_LOG = new Float64Array(STEPS + 1);
for (let k = 0; k <= STEPS; k++) {
  const rate = MAX_RATE * (k / STEPS) ** 2;
  const [a, b] = seenMeans(rate);
  RATES[k] = rate;
  SEEN_LOG1P[k] = a;
  SEEN_LOG[k] = b;
}

/** The table index k with RATES[k] <= rate < RATES[k + 1] (rate within the table). */
function rateIndex(rate: number): number {
  return Math.min(STEPS - 1, Math.floor(Math.sqrt(rate / MAX_RATE) * STEPS));
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
const LOG1P_JOIN = SEEN_LOG1P[STEPS] - (Math.log1p(MAX_RATE) - MAX_RATE / (2 * (1 + MAX_RATE) ** 2));
const LOG_JOIN = SEEN_LOG[STEPS] - (Math.log(MAX_RATE) - 1 / (2 * MAX_RATE));

/** E[log1p f | f >= 1]: the log1p mean flows of the windows seen at this rate (flows per window). */
export function seenLog1p(rate: number): number {
  if (rate < MAX_RATE) return interpolate(SEEN_LOG1P, rate);
  return Math.log1p(rate) - rate / (2 * (1 + rate) ** 2) + LOG1P_JOIN;
}

/** E[log f | f >= 1]: the log mean flows of the windows seen, by which a sum over flows grows. */
export function seenLog(rate: number): number {
  if (rate < MAX_RATE) return interpolate(SEEN_LOG, rate);
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

