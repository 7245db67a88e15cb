// RecentIds against a plain reference model: the scan of small sets, the Map index of busy
// ones and a JSON round trip (a restore) at any point must all answer alike.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flowIdHash, MAX_IDS, RecentIds } from '../../src/engine/recent-ids.js';

/** The spec, written the obvious way: pairs in arrival order, the latest sighting decides. */
class Model {
  pairs: Array<[number, number]> = [];
  has(hash: number, t: number, horizon: number, validFrom: number): boolean {
    for (let i = this.pairs.length - 1; i >= 0; i--) {
      if (this.pairs[i][0] === hash) return this.pairs[i][1] >= validFrom && Math.abs(t - this.pairs[i][1]) <= horizon;
    }
    return false;
  }
  add(hash: number, t: number, cutoff: number): void {
    this.pairs.push([hash, t]);
    this.forgetBefore(cutoff);
  }
  forgetBefore(cutoff: number): boolean {
    const n = this.pairs.length;
    while (this.pairs.length > 0 && (this.pairs[0][1] < cutoff || this.pairs.length > MAX_IDS)) this.pairs.shift();
    return this.pairs.length !== n;
  }
}

type Op =
  | { kind: 'add'; hash: number; step: number; jitter: number; back: number }
  | { kind: 'has'; hash: number; t: number; back: number }
  | { kind: 'forget'; back: number }
  | { kind: 'restore' }
  | { kind: 'trim' };

const op: fc.Arbitrary<Op> = fc.oneof(
  // Event time mostly goes forward in small steps, sometimes a little back (out of order).
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      hash: fc.integer({ min: 0, max: 80 }),
      step: fc.integer({ min: 0, max: 10 }),
      jitter: fc.integer({ min: 0, max: 40 }),
      back: fc.integer({ min: 200, max: 2000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('has' as const), hash: fc.integer({ min: 0, max: 80 }), t: fc.integer({ min: 0, max: 2500 }), back: fc.integer({ min: 0, max: 2000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const), back: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restore' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'trim' as const }) },
);

describe('RecentIds', () => {
  it('answers as the reference model through scans, the index, trims and JSON round trips', () => {
    const HORIZON = 300;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400, size: 'max' }), (ops) => {
        const model = new Model();
        let ids: RecentIds | undefined;
        let latest = 0;
        let clock = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            clock += o.step;
            const t = clock - o.jitter;
            latest = Math.max(latest, t);
            model.add(o.hash, t, latest - o.back);
            if (ids === undefined) ids = RecentIds.of(o.hash, t);
            else ids.add(o.hash, t, latest - o.back);
            if (ids.size !== model.pairs.length) return false;
          } else if (o.kind === 'has') {
            const validFrom = latest - o.back;
            if ((ids?.has(o.hash, o.t, HORIZON, validFrom) ?? false) !== model.has(o.hash, o.t, HORIZON, validFrom)) return false;
          } else if (o.kind === 'forget') {
            if ((ids?.forgetBefore(latest - o.back) ?? false) !== (ids === undefined ? false : model.forgetBefore(latest - o.back))) return false;
          } else if (o.kind === 'restore') {
            if (ids !== undefined) ids = RecentIds.fromJSON(JSON.parse(JSON.stringify(ids.toJSON(latest))), latest);
          } else {
            ids?.trim();
          }
        }
        return ids === undefined || ids.size === model.pairs.length;
      }),
      { numRuns: 300, seed: 20260105 },
    );
  });

  it(`remembers at most ${MAX_IDS} ids, forgetting the oldest`, () => {
    const ids = RecentIds.of(flowIdHash('id-0'), 0);
    for (let i = 1; i < 5000; i++) ids.add(flowIdHash(`id-${i}`), i, 0);
    expect(ids.size).toBe(4096);
    expect(ids.has(flowIdHash('id-903'), 903, 10_000, 0)).toBe(false);
    expect(ids.has(flowIdHash('id-904'), 904, 10_000, 0)).toBe(true);
    expect(ids.has(flowIdHash('id-4999'), 4999, 10_000, 0)).toBe(true);
    expect(ids.has(flowIdHash('id-4999'), 4999, 10_000, 5000)).toBe(false);
  });

  it('hashes flow ids to 53-bit integers, differently for ids one character apart', () => {
    const hashes = ['flow-1', 'flow-2', 'flow-10', '', 'ünï-cødé'].map(flowIdHash);
    for (const h of hashes) expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    expect(new Set(hashes).size).toBe(5);
    expect(flowIdHash('flow-1')).toBe(flowIdHash('flow-1'));
  });
});
