// A seeded pseudo-random generator for the traffic generator: xoshiro128** (Blackman & Vigna,
// https://prng.di.unimi.it/xoshiro128starstar.c) with a 2^128 - 1 period, so independent streams
// derived from one seed do not overlap in practice (a 32-bit-state generator such as mulberry32
// walks a single 2^32 cycle, which long runs with several streams could share).
// Seeding expands the user seed with a splitmix32-style mixer. No Math.random, no clock.

const TWO_POW_32 = 4294967296;

/** The 32-bit finaliser of splitmix32 (constants of Chris Wellons' "lowbias32" hash). */
function mix32(value: number): number {
  let t = value | 0;
  t ^= t >>> 16;
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return t >>> 0;
}

/** Four state words from a seed (any safe non-negative integer) and a stream number. */
export function seedState(seed: number, stream: number): [number, number, number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  }
  if (!Number.isSafeInteger(stream) || stream < 0) {
    throw new RangeError(`stream must be a non-negative safe integer, got ${stream}`);
  }
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  // Fold high word and stream into the splitmix counter so (seed, stream) pairs differ.
  let counter = mix32(low ^ mix32(high ^ 0x85ebca6b) ^ mix32(Math.imul(stream + 1, 0x9e3779b9)));
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    counter = (counter + 0x9e3779b9) | 0;
    words[i] = mix32(counter);
  }
  // xoshiro must not start from the all-zero state (it would stay there forever).
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0) words[0] = 1;
  return words;
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Box-Muller makes normals in pairs; the second waits here. */
  private spareNormal: number | null = null;

  constructor(state: readonly [number, number, number, number]) {
    if (state.every((word) => (word | 0) === 0)) {
      throw new RangeError('xoshiro128** state must not be all zero');
    }
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
  }

  /** A generator for stream `stream` of `seed`: different streams are independent sequences. */
  static fromSeed(seed: number, stream = 0): Prng {
    return new Prng(seedState(seed, stream));
  }

  /** The next raw output, an unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const times5 = Math.imul(s1, 5);
    const result = Math.imul((times5 << 7) | (times5 >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform on (0, 1): safe under log(). */
  uniformOpen(): number {
    return (this.nextUint32() + 0.5) / TWO_POW_32;
  }

  /** Uniform on [low, high). */
  range(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [low, high], both inclusive. */
  int(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Normal deviate (Box-Muller, both values of a pair used). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniformOpen()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return mean + sd * radius * Math.cos(angle);
  }

  /** exp(N(mu, sigma)): median exp(mu). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Pareto (type I) with scale xm (the minimum) and shape alpha, by inversion. */
  pareto(xm: number, alpha: number): number {
    return xm * Math.pow(this.uniformOpen(), -1 / alpha);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(this.uniformOpen());
  }

  /**
   * Poisson deviate. Small means by inversion (one uniform, O(mean) multiplications);
   * large means by Hörmann's PTRS transformed rejection (1993), as numpy does.
   */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 30) {
      const u = this.uniform();
      let k = 0;
      let p = Math.exp(-mean);
      let cumulative = p;
      while (u > cumulative) {
        k++;
        p *= mean / k;
        const next = cumulative + p;
        if (next === cumulative) break; // floating point tail exhausted
        cumulative = next;
      }
      return k;
    }
    return this.poissonPtrs(mean);
  }

  private poissonPtrs(lambda: number): number {
    const sqrtLambda = Math.sqrt(lambda);
    const logLambda = Math.log(lambda);
    const b = 0.931 + 2.53 * sqrtLambda;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      const lhs = Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b);
      if (lhs <= -lambda + k * logLambda - logFactorial(k)) return k;
    }
  }

  /** One element, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('choice from an empty list');
    return items[Math.floor(this.uniform() * items.length)];
  }

  /** One element with probability proportional to its weight (see WeightedChoice for repeated use). */
  weightedChoice<T>(items: readonly T[], weights: readonly number[]): T {
    return new WeightedChoice(items, weights).pick(this);
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const held = items[i];
      items[i] = items[j];
      items[j] = held;
    }
    return items;
  }
}

/** A weighted choice built once and picked from many times (cumulative weights, binary search). */
export class WeightedChoice<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(items: readonly T[], weights: readonly number[]) {
    if (items.length === 0) throw new RangeError('weighted choice from an empty list');
    if (items.length !== weights.length) {
      throw new RangeError(`weighted choice: ${items.length} items but ${weights.length} weights`);
    }
    this.items = items;
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((weight, index) => {
      if (!Number.isFinite(weight) || weight < 0) {
        throw new RangeError(`weighted choice: weight ${index} is ${weight}, must be finite and >= 0`);
      }
      sum += weight;
      this.cumulative[index] = sum;
    });
    if (!(sum > 0)) throw new RangeError('weighted choice: weights sum to zero');
    this.total = sum;
  }

  pick(prng: Prng): T {
    if (this.items.length === 1) return this.items[0];
    const target = prng.uniform() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    return this.items[low];
  }
}

const SMALL_LOG_FACTORIALS = (() => {
  const table = [0];
  for (let k = 1; k < 16; k++) table.push(table[k - 1] + Math.log(k));
  return table;
})();

/** ln(k!) exactly for small k, by the Stirling series beyond (error below 1e-12 for k >= 16). */
export function logFactorial(k: number): number {
  if (k < SMALL_LOG_FACTORIALS.length) return SMALL_LOG_FACTORIALS[k];
  const inverse = 1 / k;
  const inverse2 = inverse * inverse;
  return (
    k * Math.log(k) -
    k +
    0.5 * Math.log(2 * Math.PI * k) +
    inverse * (1 / 12 - inverse2 * (1 / 360 - inverse2 / 1260))
  );
}
