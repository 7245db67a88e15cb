// The destination state kept small (the 2 KB per destination budget) without changing what it
// holds: the typed-array states share one slot of a slab with their values intact, a slot
// comes back once its state is collected, a destination with no
// open incident carries no incident map, the changelog text is what it was, and destinations
// that match the same overrides share one resolved settings object.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { resolveDetectorSettings } from '../../src/config/overrides.js';
import { newBaseline } from '../../src/detectors/baseline/seasonal-baseline.js';
import { LiveConfig } from '../../src/engine/live-config.js';
import { ownCopy } from '../../src/engine/keys.js';
import { packTypedStates, repackSparse, SLAB_SLOTS, slotPoolOf, SPARSE_SLAB } from '../../src/engine/packed-state.js';
import { deserialiseDestination, dropEmptyFolds, foldsOf, newDestinationState, serialiseDestination } from '../../src/engine/state-store.js';
import { testConfig } from './fixtures.js';

describe('packTypedStates', () => {
  it('moves the baseline and typed detector states into one slot of a slab, same types, lengths and values', () => {
    const baseline = Float32Array.from([1.5, -2, 3.25]); // 12 bytes: the next part starts at 16
    const cusum = Float64Array.from([Number.NaN, 1e300, -0.1]);
    const set = new Set(['x']);
    const detectors: Record<string, unknown> = { a: cusum, b: set, c: undefined };
    const packed = packTypedStates(baseline, detectors);
    const moved = detectors.a as Float64Array;
    expect(packed).toBeInstanceOf(Float32Array);
    expect(moved).toBeInstanceOf(Float64Array);
    expect(moved.buffer).toBe(packed.buffer);
    // A slot of 16 + 24 bytes, in a slab of SLAB_SLOTS of them; the parts 16 bytes apart in it.
    expect(packed.buffer.byteLength).toBe((16 + 24) * SLAB_SLOTS);
    expect(packed.byteOffset % (16 + 24)).toBe(0);
    expect(moved.byteOffset - packed.byteOffset).toBe(16);
    expect(Array.from(packed)).toEqual([1.5, -2, 3.25]);
    expect(Array.from(moved)).toEqual([Number.NaN, 1e300, -0.1]);
    expect(detectors.b).toBe(set);
    expect(detectors.c).toBeUndefined();
    // Writes through one view never reach the other.
    packed.fill(7);
    expect(Array.from(moved)).toEqual([Number.NaN, 1e300, -0.1]);
    // The next state of that size takes the next slot of the same slab, its own values intact.
    const other: Record<string, unknown> = { a: Float64Array.from([4, 5, 6]) };
    const next = packTypedStates(Float32Array.from([8, 9, 10]), other);
    expect(next.buffer).toBe(packed.buffer);
    expect(Math.abs(next.byteOffset - packed.byteOffset)).toBeGreaterThanOrEqual(16 + 24);
    expect([Array.from(next), Array.from(other.a as Float64Array)]).toEqual([[8, 9, 10], [4, 5, 6]]);
    expect([Array.from(packed), Array.from(moved)]).toEqual([[7, 7, 7], [Number.NaN, 1e300, -0.1]]);
  });

  /** A full collection, then a wait for the registry's callbacks (they run between tasks), until `done`. */
  async function collectUntil(done: () => boolean): Promise<void> {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let i = 0; i < 50 && !done(); i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it("gives a state's slot back once the state is collected, and hands it to the next state, which writes it whole", async () => {
    // A size no other test uses: its pool is this test's alone (12 + 4 of padding, then 8).
    const size = 16 + 8;
    const make = (v: number): Float32Array => packTypedStates(Float32Array.from([v, v, v]), { a: Float64Array.from([v]) });
    // Three states made and let go in a frame of their own: only their slab and offsets are kept here.
    const madeAndDropped = (): { slab: ArrayBufferLike; offsets: Set<number> } => {
      const states = [make(1), make(2), make(3)];
      return { slab: states[0].buffer, offsets: new Set(states.map((x) => x.byteOffset)) };
    };
    const { slab, offsets } = madeAndDropped();
    expect(offsets.size).toBe(3);
    expect(slotPoolOf(size).free).toBe(0);
    await collectUntil(() => slotPoolOf(size).free === 3);
    expect(slotPoolOf(size)).toEqual({ free: 3, slabs: 1 });
    // A new state takes a slot given back: one of the three, in the same slab, its values its own
    // (written whole over the state that held the slot).
    const again = make(9);
    expect(slotPoolOf(size).free).toBe(2);
    expect(again.buffer).toBe(slab);
    expect(offsets.has(again.byteOffset)).toBe(true);
    expect(Array.from(new Float32Array(slab, again.byteOffset, 3))).toEqual([9, 9, 9]);
    expect(Array.from(new Float64Array(slab, again.byteOffset + 16, 1))).toEqual([9]);
  });

  it('moves the states of sparse slabs down into free slots of lower ones, values intact, and the emptied slab goes', async () => {
    // A size of its own: 16 + 40 bytes. Three slabs (two full, one state in the third); every
    // eighth state kept (32 a slab: sparse), the rest let go.
    const size = 16 + 40;
    type Held = { baseline: Float32Array; detectors: Record<string, unknown>; v: number };
    const makeAndKeepEighth = (): Held[] => {
      const all: Held[] = [];
      for (let i = 0; i <= 2 * SLAB_SLOTS; i++) {
        const detectors: Record<string, unknown> = { a: Float64Array.from([i, -i, i / 2, 0.1, 1e300]) };
        all.push({ baseline: packTypedStates(Float32Array.from([i, i + 0.5, -i]), detectors), detectors, v: i });
      }
      return all.filter((h) => h.v % 8 === 0);
    };
    const kept = makeAndKeepEighth();
    expect(kept.length).toBe(65);
    expect(32).toBeLessThanOrEqual(SPARSE_SLAB);
    const slabOf = (h: Held): ArrayBufferLike => h.baseline.buffer;
    const [first, second, third] = [slabOf(kept[0]), slabOf(kept[32]), slabOf(kept[64])];
    expect(new Set([first, second, third]).size).toBe(3);
    await collectUntil(() => slotPoolOf(size).free === 3 * SLAB_SLOTS - 65 - (SLAB_SLOTS - 1));
    // 224 free in each of the first two slabs; the third, the newest, has 255 places never handed out.
    expect(slotPoolOf(size)).toEqual({ free: 2 * (SLAB_SLOTS - 32), slabs: 3 });
    let moves = 0;
    for (const h of kept) {
      const moved = repackSparse(h.baseline, h.detectors);
      if (moved === undefined) continue;
      h.baseline = moved;
      moves++;
    }
    // The first slab's states stay (no lower slab); the second's 32 and the third's one move into it.
    expect(moves).toBe(33);
    expect(kept.every((h) => slabOf(h) === first)).toBe(true);
    for (const h of kept) {
      expect(Array.from(h.baseline)).toEqual([h.v, h.v + 0.5, -h.v]);
      expect(Array.from(h.detectors.a as Float64Array)).toEqual([h.v, -h.v, h.v / 2, 0.1, 1e300]);
      expect((h.detectors.a as Float64Array).buffer).toBe(first);
    }
    // Once the old views are collected the second slab is empty and goes; the third, the newest, stays.
    await collectUntil(() => slotPoolOf(size).slabs === 2);
    expect(slotPoolOf(size).slabs).toBe(2);
    // The first slab is full again less the 192 free, the third's one slot back.
    expect(slotPoolOf(size).free).toBe(SLAB_SLOTS - 65 + 1);
  });

  it('lets a slab go once every slot of it is back, and keeps the newest', async () => {
    // Another size of its own: 16 + 16 bytes. One slab and one slot of a second.
    const size = 16 + 16;
    const madeAndDropped = (): number => {
      const states: Float32Array[] = [];
      for (let i = 0; i <= SLAB_SLOTS; i++) states.push(packTypedStates(Float32Array.from([i, 0, 0]), { a: Float64Array.from([i, -i]) }));
      return new Set(states.map((x) => x.buffer)).size;
    };
    expect(madeAndDropped()).toBe(2);
    expect(slotPoolOf(size)).toEqual({ free: 0, slabs: 2 });
    await collectUntil(() => slotPoolOf(size).slabs === 1 && slotPoolOf(size).free === 1);
    // The first slab is gone with its 256 slots; the newest stays, its one slot free.
    expect(slotPoolOf(size)).toEqual({ free: 1, slabs: 1 });
  });

  it('a new and a restored destination hold the baseline and SUSTAINED_INCREASE state in one buffer', () => {
    const fresh = newDestinationState();
    const cusum = fresh.detectors.sustained_increase as Float64Array;
    expect(cusum.buffer).toBe(fresh.baseline.buffer);
    expect(Array.from(fresh.baseline)).toEqual(Array.from(newBaseline()));
    const back = deserialiseDestination(serialiseDestination(fresh));
    expect((back.detectors.sustained_increase as Float64Array).buffer).toBe(back.baseline.buffer);
    expect(serialiseDestination(back)).toBe(serialiseDestination(fresh));
  });

  it('a changelog record written while SUSTAINED_INCREASE judged hourly blocks too (32 numbers) restores 28 doubles into the shared buffer', () => {
    const T0 = Date.UTC(2026, 0, 5, 9, 0);
    const MIN = 60_000;
    // The record of then, by hand: 6 run numbers, 6 of the episode (none open: start and
    // grownAt null), then 10 for the 10-minute block and 10 for the hourly one.
    const tenMinutes = [T0 / (10 * MIN), 9e6, 3e6, 4.5, 0.09, 100, 0.1, 3e6, T0 + 9 * MIN, 0];
    const hourly = [T0 / (60 * MIN), 9e6, 3e6, 2, 0.16, 100, 0.3, 3e6, null, 0];
    const old = [3, 9e6, 3e6, 90, T0, 90, null, 0, 4, 0, 0, null, ...tenMinutes, ...hourly];
    expect(old.length).toBe(32);
    const record = JSON.parse(serialiseDestination(newDestinationState()));
    record.det.sustained_increase = old;
    const back = deserialiseDestination(JSON.stringify(record));
    const cusum = back.detectors.sustained_increase as Float64Array;
    expect(cusum).toBeInstanceOf(Float64Array);
    expect(cusum.buffer).toBe(back.baseline.buffer);
    // The baseline's 155 floats (620 bytes, padded to 624 to align the doubles), then 28 doubles
    // (224 bytes): 22 of the record, then the run's growth fit, unknown (NaN).
    expect([back.baseline.length, cusum.byteOffset - back.baseline.byteOffset, cusum.length, cusum.buffer.byteLength]).toEqual([155, 624, 28, 848 * SLAB_SLOTS]);
    const unknownFit = new Array(6).fill(Number.NaN);
    expect(Array.from(cusum)).toEqual([3, 9e6, 3e6, 90, T0, 90, Number.NaN, 0, 4, 0, 0, Number.NaN, ...tenMinutes, ...unknownFit]);
    // Written back in the layout of now: the 28 numbers, NaN as null, and the layout's tag (3).
    expect(JSON.parse(serialiseDestination(back)).det.sustained_increase).toEqual([...old.slice(0, 22), ...unknownFit.map(() => null), 3]);
  });
});

describe('open incidents', () => {
  it('are absent until one opens, and absent again once the last one closes', () => {
    const s = newDestinationState();
    expect(s.folds).toBeUndefined();
    expect(JSON.parse(serialiseDestination(s)).sup).toEqual([]);
    const folds = foldsOf(s);
    expect(s.folds).toBe(folds);
    dropEmptyFolds(s);
    expect(s.folds).toBeUndefined();
    // A restored entry with none open carries none.
    expect(deserialiseDestination(serialiseDestination(s)).folds).toBeUndefined();
  });
});

describe('shared detector settings', () => {
  const config = testConfig(`
  overrides:
    - {match: {destination: "*.backup.example"}, volume_spike: {threshold: 12}}
    - {match: {data_class: eu_user_data}, new_destination: {severity: HIGH}}
`);

  it('destinations matching the same overrides share one settings object per data class, resolved as before', () => {
    const live = new LiveConfig(config);
    const [a, b, c] = [newDestinationState(), newDestinationState(), newDestinationState()];
    const sa = live.settings(a, 'one.backup.example', null);
    const sb = live.settings(b, 'two.backup.example', null);
    const sc = live.settings(c, 'plain.example', null);
    expect(sb).toBe(sa);
    expect(sc).not.toBe(sa);
    expect(a.settings).toBe(b.settings);
    expect(sa.volume_spike.threshold).toBe(12);
    expect(sc.volume_spike.threshold).toBe(6);
    const classA = live.settings(a, 'one.backup.example', 'eu_user_data');
    expect(live.settings(b, 'two.backup.example', 'eu_user_data')).toBe(classA);
    expect(classA.new_destination.severity).toBe('HIGH');
    expect(sa.new_destination.severity).toBe('MEDIUM');
    for (const [dest, cls, s] of [['one.backup.example', null, sa], ['plain.example', null, sc], ['one.backup.example', 'eu_user_data', classA]] as const) {
      for (const key of ['volume_spike', 'new_destination', 'sustained_increase'] as const) {
        expect(s[key]).toEqual(resolveDetectorSettings(config, key, dest, cls));
      }
    }
  });

  it('a reload starts from the new config', () => {
    const live = new LiveConfig(config);
    const a = newDestinationState();
    expect(live.settings(a, 'one.backup.example', null).volume_spike.threshold).toBe(12);
    const next = testConfig(`
  overrides:
    - {match: {destination: "*.backup.example"}, volume_spike: {threshold: 20}}
`);
    live.reconfigure(next);
    a.settings = undefined; // as Engine.reconfigure does
    expect(live.settings(a, 'one.backup.example', null).volume_spike.threshold).toBe(20);
  });
});

describe('ownCopy', () => {
  it('is equal to the key it copies, however the key was cut', () => {
    const line = '2 123456789012 eni-0 10.10.7.15 198.18.157.104 58851 443 6 11 11071';
    const cut = line.split(' ')[4];
    expect(ownCopy(cut)).toBe('198.18.157.104');
    expect(ownCopy('host-\u00e9\u{1F600}"\\.example')).toBe('host-\u00e9\u{1F600}"\\.example');
  });
});
