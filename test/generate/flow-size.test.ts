import { describe, expect, it } from 'vitest';
import {
  cappedLognormalMean,
  cappedParetoMean,
  flowSizeModel,
  meanBytesOut,
  normalCdf,
  sampleBytesOut,
} from '../../src/generate/flow-size.js';
import { Prng } from '../../src/generate/prng.js';

/** Trapezoid rule on a fine grid: an independent check of the closed forms. */
function integrate(f: (x: number) => number, low: number, high: number, steps = 200_000): number {
  const h = (high - low) / steps;
  let sum = (f(low) + f(high)) / 2;
  for (let i = 1; i < steps; i++) sum += f(low + i * h);
  return sum * h;
}

describe('normalCdf', () => {
  it('matches table values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalCdf(3)).toBeCloseTo(0.99865, 5);
  });
});

describe('capped means', () => {
  it('lognormal: closed form equals the integral of min(e^y, cap) against the normal density', () => {
    const mu = Math.log(12_000);
    const sigma = 0.8;
    const cap = 20 * 12_000;
    const density = (y: number) => Math.exp(-((y - mu) ** 2) / (2 * sigma ** 2)) / (sigma * Math.sqrt(2 * Math.PI));
    const numeric = integrate((y) => Math.min(Math.exp(y), cap) * density(y), mu - 10 * sigma, mu + 10 * sigma);
    expect(cappedLognormalMean(mu, sigma, cap) / numeric).toBeCloseTo(1, 5);
  });

  it('pareto: closed form equals the integral of the survival function up to the cap', () => {
    const xm = 36_000;
    const alpha = 1.6;
    const cap = 240_000;
    const numeric = xm + integrate((x) => (xm / x) ** alpha, xm, cap);
    expect(cappedParetoMean(xm, alpha, cap) / numeric).toBeCloseTo(1, 6);
    expect(cappedParetoMean(100, 1.6, 50)).toBe(50);
  });
});

describe('sampleBytesOut', () => {
  it('stays within [1, 20 x median], gives integers, and its sample mean matches meanBytesOut', () => {
    const model = flowSizeModel(12_000, 0.8);
    const prng = Prng.fromSeed(11);
    const n = 200_000;
    let sum = 0;
    let sumSquares = 0;
    let max = 0;
    let allIntegers = true;
    for (let i = 0; i < n; i++) {
      const b = sampleBytesOut(prng, model);
      sum += b;
      sumSquares += b * b;
      if (b > max) max = b;
      if (!Number.isInteger(b) || b < 1) allIntegers = false;
    }
    expect(allIntegers).toBe(true);
    expect(max).toBeLessThanOrEqual(240_000);
    expect(max).toBe(240_000); // the cap is reached now and then (Pareto tail)
    const mean = sum / n;
    const sd = Math.sqrt(sumSquares / n - mean * mean);
    expect(Math.abs(mean - meanBytesOut(model))).toBeLessThan((4 * sd) / Math.sqrt(n));
  });
});
