// The Mahalanobis distance of a residual under a covariance, for the volume baseline's score:
// a Cholesky solve that reproduces ml-matrix's bit for bit without allocating (a busy window
// boundary scores thousands of windows), with ml-matrix itself as the reference and the path
// for a covariance the fast solve cannot take. A covariance that is not positive definite
// (features moving in lockstep) falls back to the diagonal distance, each variance floored
// at the caller's minVar.
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/** The baseline's four log features (seasonal-baseline.ts FEATURES, which must have this length). */
export const DIMENSION = 4;
const F = DIMENSION;

// Scratch of the solve, reused between calls (the engine is synchronous).
const factorScratch = new Float64Array(F * F);
const solutionScratch = new Float64Array(F);

/**
 * Factors c = L L' into factorScratch; false when c is not positive definite. The same
 * operations in the same order as ml-matrix's CholeskyDecomposition (and solveFactored as
 * its solve()), on flat scratch arrays instead of two new matrices per window, so the
 * distance is bit for bit the one ml-matrix gives: test/detectors/seasonal-baseline.test.ts
 * checks it against ml-matrix on random, near-singular and degenerate matrices.
 */
function choleskyFactor(c: Float64Array): boolean {
  const l = factorScratch;
  l.fill(0);
  for (let j = 0; j < F; j++) {
    let d = 0;
    for (let k = 0; k < j; k++) {
      let t = 0;
      for (let i = 0; i < k; i++) t += l[k * F + i] * l[j * F + i];
      t = (c[j * F + k] - t) / l[k * F + k];
      l[j * F + k] = t;
      d = d + t * t;
    }
    d = c[j * F + j] - d;
    if (!(d > 0)) return false; // what ml-matrix's isPositiveDefinite() would say
    l[j * F + j] = Math.sqrt(d);
  }
  return true;
}

/** r' (L L')^-1 r with L in factorScratch: forward then backward substitution. */
function solveFactored(r: Float64Array): number {
  const l = factorScratch;
  const b = solutionScratch;
  for (let k = 0; k < F; k++) b[k] = r[k];
  for (let k = 0; k < F; k++) {
    for (let i = 0; i < k; i++) b[k] = b[k] - b[i] * l[k * F + i];
    b[k] = b[k] / l[k * F + k];
  }
  for (let k = F - 1; k >= 0; k--) {
    for (let i = k + 1; i < F; i++) b[k] = b[k] - b[i] * l[i * F + k];
    b[k] = b[k] / l[k * F + k];
  }
  let d2 = 0;
  for (let i = 0; i < F; i++) d2 += r[i] * b[i];
  return d2;
}

/**
 * Mahalanobis distance of residual `r` under covariance `c` (F x F, row-major), or the
 * diagonal distance when `c` is not positive definite.
 */
export function mahalanobisDistance(c: Float64Array, r: Float64Array, minVar: number): number {
  let hasNaN = false;
  for (let k = 0; k < F * F; k++) if (c[k] !== c[k]) hasNaN = true;
  factored = false;
  // A NaN entry (never seen from real windows) goes the library's way, which refuses it.
  if (hasNaN) return mahalanobisByMatrix(c, r, minVar);
  let d2: number;
  if (choleskyFactor(c)) {
    factored = true;
    d2 = solveFactored(r);
  } else {
    // A degenerate spread (features moving in lockstep): fall back to the diagonal.
    d2 = 0;
    for (let i = 0; i < F; i++) d2 += (r[i] * r[i]) / Math.max(minVar, c[i * F + i]);
  }
  return Math.sqrt(Math.max(0, d2));
}

/** The last mahalanobisDistance call factored its covariance (factorScratch holds it). */
let factored = false;

/**
 * mahalanobisDistance(c, r, minVar) for the covariance `c` of the call just before (unchanged
 * since): its factor is reused, the same number bit for bit, without factoring again.
 */
export function mahalanobisDistanceAgain(c: Float64Array, r: Float64Array, minVar: number): number {
  return factored ? Math.sqrt(Math.max(0, solveFactored(r))) : mahalanobisDistance(c, r, minVar);
}

/**
 * The distance through ml-matrix (Matrix, CholeskyDecomposition): the reference the
 * allocation-free solve above reproduces, and the path for a covariance it cannot take.
 */
export function mahalanobisByMatrix(c: Float64Array, r: Float64Array, minVar: number): number {
  const cov = new Matrix(F, F);
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) cov.set(i, j, c[i * F + j]);
  const chol = new CholeskyDecomposition(cov);
  let d2: number;
  if (chol.isPositiveDefinite()) {
    const sol = chol.solve(Matrix.columnVector(Array.from(r)));
    d2 = 0;
    for (let i = 0; i < F; i++) d2 += r[i] * sol.get(i, 0);
  } else {
    d2 = 0;
    for (let i = 0; i < F; i++) d2 += (r[i] * r[i]) / Math.max(minVar, cov.get(i, i));
  }
  return Math.sqrt(Math.max(0, d2));
}

