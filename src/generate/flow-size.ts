// How many bytes a normal flow sends: a lognormal body with an occasional Pareto tail,
// capped so no normal flow exceeds CAP_MULTIPLE times the destination's median flow.
// The mean is computed analytically from the same parameters, so the "normal hourly
// bytes" behind a VOLUME_SPIKE factor is the true expectation, not an estimate.
import type { Prng } from './prng.js';

export const CAP_MULTIPLE = 20;
export const TAIL_PROBABILITY = 0.03;
export const TAIL_ALPHA = 1.6;
/** The Pareto tail starts at this multiple of the median. */
export const TAIL_SCALE = 3;

export interface FlowSizeModel {
  /** Median of the lognormal body, bytes. */
  median: number;
  /** Sigma of the lognormal body (log space). */
  sigma: number;
  tailProbability: number;
  tailAlpha: number;
  /** Pareto minimum, bytes. */
  tailMinimum: number;
  /** No flow exceeds this, bytes. */
  cap: number;
}

export function flowSizeModel(median: number, sigma: number): FlowSizeModel {
  return {
    median,
    sigma,
    tailProbability: TAIL_PROBABILITY,
    tailAlpha: TAIL_ALPHA,
    tailMinimum: TAIL_SCALE * median,
    cap: CAP_MULTIPLE * median,
  };
}

/** One flow's bytes_out: an integer in [1, cap]. */
export function sampleBytesOut(prng: Prng, model: FlowSizeModel): number {
  const raw =
    prng.uniform() < model.tailProbability
      ? prng.pareto(model.tailMinimum, model.tailAlpha)
      : prng.lognormal(Math.log(model.median), model.sigma);
  return Math.max(1, Math.round(Math.min(raw, model.cap)));
}

/** E[bytes_out] of sampleBytesOut (ignoring the rounding to whole bytes, under half a byte). */
export function meanBytesOut(model: FlowSizeModel): number {
  const body = cappedLognormalMean(Math.log(model.median), model.sigma, model.cap);
  const tail = cappedParetoMean(model.tailMinimum, model.tailAlpha, model.cap);
  return (1 - model.tailProbability) * body + model.tailProbability * tail;
}

/** E[min(X, cap)] for X = exp(N(mu, sigma^2)). */
export function cappedLognormalMean(mu: number, sigma: number, cap: number): number {
  const logCap = Math.log(cap);
  return (
    Math.exp(mu + (sigma * sigma) / 2) * normalCdf((logCap - mu - sigma * sigma) / sigma) +
    cap * (1 - normalCdf((logCap - mu) / sigma))
  );
}

/** E[min(X, cap)] for X Pareto(minimum, alpha), alpha != 1: the integral of the survival function up to cap. */
export function cappedParetoMean(minimum: number, alpha: number, cap: number): number {
  if (cap <= minimum) return cap;
  return minimum + (minimum / (alpha - 1)) * (1 - Math.pow(minimum / cap, alpha - 1));
}

/** Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
