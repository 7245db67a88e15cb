// The allocation-free Mahalanobis solve of the seasonal baseline (mahalanobis.ts) against ml-matrix, the
// library the score is defined by: the same distance to the last bit, on well-conditioned,
// near-singular and indefinite covariances (the diagonal fallback).
import fc from 'fast-check';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { MIN_VAR } from '../../src/detectors/baseline/seasonal-baseline.js';
import { mahalanobisDistance, mahalanobisDistanceAgain } from '../../src/detectors/baseline/mahalanobis.js';

const F = 4;

/** The score as first written: ml-matrix's Cholesky decomposition and solve. */
function byMlMatrix(c: Float64Array, r: Float64Array): number {
  const cov = new Matrix(F, F);
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) cov.set(i, j, c[i * F + j]);
  const chol = new CholeskyDecomposition(cov);
  let d2 = 0;
  if (chol.isPositiveDefinite()) {
    const rhs = new Matrix(F, 1);
    for (let i = 0; i < F; i++) rhs.set(i, 0, r[i]);
    const sol = chol.solve(rhs);
    for (let i = 0; i < F; i++) d2 += r[i] * sol.get(i, 0);
  } else {
    for (let i = 0; i < F; i++) d2 += (r[i] * r[i]) / Math.max(MIN_VAR, cov.get(i, i));
  }
  return Math.sqrt(Math.max(0, d2));
}

const num = (max: number) => fc.double({ min: -max, max, noNaN: true });

/** A A' + diag(extra): positive definite, or nearly singular when `extra` is tiny. */
function gram(a: number[], extra: number[]): Float64Array {
  const c = new Float64Array(F * F);
  for (let i = 0; i < F; i++) {
    for (let j = 0; j < F; j++) {
      let s = 0;
      for (let k = 0; k < F; k++) s += a[i * F + k] * a[j * F + k];
      c[i * F + j] = s + (i === j ? extra[i] : 0);
    }
  }
  return c;
}

function symmetric(values: number[]): Float64Array {
  const c = new Float64Array(F * F);
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) c[i * F + j] = values[Math.min(i, j) * F + Math.max(i, j)];
  return c;
}

const residual = fc.array(num(20), { minLength: F, maxLength: F }).map((r) => Float64Array.from(r));
const same = (c: Float64Array, r: Float64Array): void => {
  expect(Object.is(mahalanobisDistance(c, r, MIN_VAR), byMlMatrix(c, r))).toBe(true);
};

describe('mahalanobisDistance', () => {
  it('equals ml-matrix to the last bit on positive definite covariances', () => {
    const cov = fc.tuple(fc.array(num(3), { minLength: 16, maxLength: 16 }), fc.array(fc.double({ min: 0.01, max: 2, noNaN: true }), { minLength: F, maxLength: F }));
    fc.assert(fc.property(cov, residual, ([a, extra], r) => same(gram(a, extra), r)), { numRuns: 2000 });
  });

  it('equals ml-matrix on nearly singular and on indefinite covariances (the diagonal fallback)', () => {
    const nearlySingular = fc.tuple(fc.array(num(3), { minLength: 16, maxLength: 16 }), fc.array(fc.double({ min: 0, max: 1e-12, noNaN: true }), { minLength: F, maxLength: F }))
      .map(([a, extra]) => gram(a.map((v, k) => (k % F === 3 ? 0 : v)), extra)); // rank 3 plus almost nothing
    const anySymmetric = fc.array(num(5), { minLength: 16, maxLength: 16 }).map(symmetric);
    fc.assert(fc.property(fc.oneof(nearlySingular, anySymmetric), residual, same), { numRuns: 2000 });
  });

  it('takes infinite entries as ml-matrix does, and refuses a NaN entry as it does', () => {
    const c = gram([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], [0, 0, 0, 0]);
    const r = Float64Array.from([1, 2, 3, 4]);
    c[5] = Infinity;
    same(c, r);
    c[5] = Number.NaN;
    expect(() => byMlMatrix(c, r)).toThrow('Matrix is not symmetric');
    expect(() => mahalanobisDistance(c, r, MIN_VAR)).toThrow('Matrix is not symmetric');
  });
});

describe('mahalanobisDistanceAgain', () => {
  // A second residual under the covariance of the call just before (the spike distance's
  // reading of the counts at their expectation): the factor reused, the same bits as ml-matrix
  // and as a fresh call, on every kind of covariance above, the diagonal fallback included.
  it('gives a second residual the distance a fresh call and ml-matrix give, to the last bit', () => {
    const definite = fc.tuple(fc.array(num(3), { minLength: 16, maxLength: 16 }), fc.array(fc.double({ min: 0.01, max: 2, noNaN: true }), { minLength: F, maxLength: F }))
      .map(([a, extra]) => gram(a, extra));
    const anySymmetric = fc.array(num(5), { minLength: 16, maxLength: 16 }).map(symmetric);
    fc.assert(
      fc.property(fc.oneof(definite, anySymmetric), residual, residual, (c, r1, r2) => {
        mahalanobisDistance(c, r1, MIN_VAR);
        const again = mahalanobisDistanceAgain(c, r2, MIN_VAR);
        expect(Object.is(again, byMlMatrix(c, r2))).toBe(true);
        expect(Object.is(again, mahalanobisDistance(c, r2, MIN_VAR))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
