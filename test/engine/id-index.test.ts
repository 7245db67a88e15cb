// IdIndex against the Map it stands in for: any sequence of set/get/delete answers alike.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdIndex } from '../../src/engine/id-index.js';
import { flowIdHash } from '../../src/engine/recent-ids.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'get'; key: number } | { kind: 'delete'; key: number };

function replay(ops: Op[], expected: number): void {
  const index = new IdIndex(expected);
  const map = new Map<number, number>();
  for (const o of ops) {
    if (o.kind === 'set') {
      index.set(o.key, o.value);
      map.set(o.key, o.value);
    } else if (o.kind === 'get') {
      expect(index.get(o.key)).toBe(map.get(o.key));
    } else {
      expect(index.delete(o.key)).toBe(map.delete(o.key));
    }
    expect(index.size).toBe(map.size);
  }
  for (const [key, value] of map) expect(index.get(key)).toBe(value);
}

function opsOver(key: fc.Arbitrary<number>): fc.Arbitrary<Op[]> {
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value: fc.integer({ min: 0, max: 1e9 }) }),
      fc.record({ kind: fc.constant('get' as const), key }),
      fc.record({ kind: fc.constant('delete' as const), key }),
    ),
    { minLength: 20, maxLength: 300, size: 'max' },
  );
}

describe('IdIndex', () => {
  it('answers like a Map for keys that share home slots (probe runs wrap around, deletions shift)', () => {
    // Keys 0..40 and the same low bits plus 2^32 steps: many land on the same slot of a small table.
    const clustered = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }).map((k) => k + 2 ** 32 * 3), fc.constant(15), fc.constant(31));
    fc.assert(fc.property(opsOver(clustered), fc.integer({ min: 1, max: 64 }), (ops, expected) => replay(ops, expected)), { numRuns: 150 });
  });

  it('answers like a Map for flow-id hashes across the whole 53-bit range', () => {
    const hashes = fc.integer({ min: 0, max: 5000 }).map((n) => flowIdHash(`f-${n}`));
    fc.assert(fc.property(opsOver(hashes), (ops) => replay(ops, 32)), { numRuns: 100 });
  });

  it('keeps keys no hash can be (negative, NaN, fractions, -0) with Map semantics', () => {
    const odd = fc.constantFrom(-1, -(2 ** 40), Number.NaN, 1.5, -0, 0, 2 ** 53 - 1);
    fc.assert(fc.property(opsOver(odd), (ops) => replay(ops, 4)), { numRuns: 100 });
  });

  it('grows past its expected size without losing entries', () => {
    const index = new IdIndex(2);
    for (let i = 0; i < 10_000; i++) index.set(flowIdHash(`id-${i}`), i);
    expect(index.size).toBe(10_000);
    for (let i = 0; i < 10_000; i += 997) expect(index.get(flowIdHash(`id-${i}`))).toBe(i);
    for (let i = 0; i < 10_000; i += 2) expect(index.delete(flowIdHash(`id-${i}`))).toBe(true);
    expect(index.size).toBe(5_000);
    expect(index.get(flowIdHash('id-2'))).toBeUndefined();
    expect(index.get(flowIdHash('id-3'))).toBe(3);
  });
});
