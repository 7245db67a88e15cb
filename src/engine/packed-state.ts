// A destination's typed-array states (the seasonal baseline's Float32Array, and any detector's,
// such as SUSTAINED_INCREASE's Float64Array) share one slot of a slab of SLAB_SLOTS slots. Each
// ArrayBuffer past 64 bytes lives outside the JS heap and costs, besides its contents, about 90
// bytes of heap (its JSArrayBuffer) and about 210 bytes of allocator bookkeeping that
// process.memoryUsage() shows nowhere (docs/benchmarks.md, engine memory): a buffer per
// destination was ~300 bytes of its 2 KB budget; a slab's are shared by 256 destinations.
// A slot goes back to its slab once the state's baseline view has been collected
// (FinalizationRegistry, below): nothing in the engine has to say when a state dies, and no
// slot is handed out while a view of it is reachable. When that happens (the collector's
// timing) decides only which slot a new state gets, never a value: the views keep their types,
// lengths and values, so every computation on them is unchanged; the detectors write their
// state in place and never replace the array.

/** Slots a slab holds: 256 of today's 848-byte states is 212 KB a slab. */
export const SLAB_SLOTS = 256;
/** Pools (one per slot size) a slot number can name: sizes differ only across state layouts. */
const MAX_POOLS = 16;

/** Slot numbers, the lowest first (a binary min-heap). */
class LowestFirst {
  private heap: number[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): number | undefined {
    return this.heap[0];
  }

  push(x: number): void {
    const h = this.heap;
    let i = h.push(x) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent] <= x) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = x;
  }

  pop(): number | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const c = l + 1 < h.length && h[l + 1] < h[l] ? l + 1 : l;
        if (h[c] >= last) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** Keeps only the numbers `keep` accepts. */
  filter(keep: (x: number) => boolean): void {
    const kept = this.heap.filter(keep);
    this.heap = [];
    for (const x of kept) this.push(x);
  }
}

/**
 * Slots of one size: the lowest free slot first, then the rest of the newest slab. A slot is
 * named by its number (slab index * SLAB_SLOTS + place). A slab is let go once every slot of it
 * is back (unless it is the newest): whole slabs go with a revoked partition or a restore's old
 * states, and destinations that expire here and there leave sparse slabs, whose states the idle
 * sweep moves down into the lowest free slots (repackSparse), so those slabs empty and go too.
 * A loop that makes and drops states without yielding to the event loop gets no slot back
 * until it yields.
 */
class SlotPool {
  private readonly slabs: (ArrayBuffer | undefined)[] = [];
  /** Slots of each slab handed out and not given back. */
  private readonly live: number[] = [];
  private readonly freeSlots = new LowestFirst();
  /** Places of the newest slab handed out fresh. */
  private used = SLAB_SLOTS;
  constructor(
    readonly id: number,
    readonly size: number,
  ) {}

  take(): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      if (this.used === SLAB_SLOTS) {
        const slab = new ArrayBuffer(this.size * SLAB_SLOTS);
        slabHome.set(slab, { pool: this, index: this.slabs.length });
        this.slabs.push(slab);
        this.live.push(0);
        this.used = 0;
      }
      slot = (this.slabs.length - 1) * SLAB_SLOTS + this.used++;
    }
    this.live[Math.floor(slot / SLAB_SLOTS)]++;
    return slot;
  }

  bufferOf(slot: number): ArrayBuffer {
    return this.slabs[Math.floor(slot / SLAB_SLOTS)]!;
  }

  offsetOf(slot: number): number {
    return (slot % SLAB_SLOTS) * this.size;
  }

  give(slot: number): void {
    const slab = Math.floor(slot / SLAB_SLOTS);
    if (--this.live[slab] === 0 && slab !== this.slabs.length - 1) {
      // Every slot of an older slab is back: let it go, and its slots with it.
      this.slabs[slab] = undefined;
      this.freeSlots.filter((s) => Math.floor(s / SLAB_SLOTS) !== slab);
      return;
    }
    // Not zeroed: the next state's views are written whole (moved()), and the padding between
    // them is never read.
    this.freeSlots.push(slot);
  }

  /** Slots of slab `index` handed out and not given back. */
  liveIn(index: number): number {
    return this.live[index];
  }

  /** The slab the next state would take a free slot in, if any is free. */
  lowestFreeSlab(): number | undefined {
    const slot = this.freeSlots.peek();
    return slot === undefined ? undefined : Math.floor(slot / SLAB_SLOTS);
  }

  get free(): number {
    return this.freeSlots.size;
  }

  get slabCount(): number {
    return this.slabs.filter((b) => b !== undefined).length;
  }
}

/** Each slab's pool and index, for the views that point into it. */
const slabHome = new WeakMap<ArrayBufferLike, { pool: SlotPool; index: number }>();

const pools: SlotPool[] = [];

function poolFor(size: number): SlotPool {
  for (const p of pools) if (p.size === size) return p;
  if (pools.length === MAX_POOLS) throw new Error(`packed-state: more than ${MAX_POOLS} sizes of destination state`);
  const p = new SlotPool(pools.length, size);
  pools.push(p);
  return p;
}

/**
 * A slot goes back when its state's baseline view is collected. Only that view is registered
 * (a registration costs about 70 bytes of heap a destination): the detectors' views in the
 * slot are made here with it and held only by the same state's detectors record, so they die
 * with it (a state made from another, idle-expiry's dormant one, gets new views in a new slot).
 * The holdings are a number (slot * MAX_POOLS + pool), not an object: no allocation more.
 */
const collected = new FinalizationRegistry<number>((held) => {
  pools[held % MAX_POOLS].give(Math.floor(held / MAX_POOLS));
});

/** Free slots and slabs held for states of `bytes` (tests: a collected state's slot comes back). */
export function slotPoolOf(bytes: number): { free: number; slabs: number } {
  const p = pools.find((x) => x.size === bytes);
  return { free: p?.free ?? 0, slabs: p?.slabCount ?? 0 };
}

/** The typed arrays a state may be made of (never a DataView). */
type TypedState = Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

function isTypedState(x: unknown): x is TypedState {
  return ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array);
}

/** A view of the same type and length as `a` at `offset` in `buffer`, holding a copy of `a`. */
function moved<T extends TypedState>(a: T, buffer: ArrayBuffer, offset: number): T {
  const view = new (a.constructor as new (b: ArrayBuffer, o: number, n: number) => T)(buffer, offset, a.length);
  view.set(a as never);
  return view;
}

/**
 * Re-homes `baseline` and every typed-array value of `detectors` (replaced in place) into
 * one slot of a slab; returns the baseline's view. Each part starts on an 8-byte boundary (a
 * slot's size is a multiple of 8, so every slot of a slab starts on one too).
 */
export function packTypedStates<B extends TypedState>(baseline: B, detectors: Record<string, unknown>): B {
  const keys = Object.keys(detectors).filter((k) => isTypedState(detectors[k]));
  const align = (n: number): number => Math.ceil(n / 8) * 8;
  let size = align(baseline.byteLength);
  for (const k of keys) size += align((detectors[k] as TypedState).byteLength);
  const pool = poolFor(size);
  const slot = pool.take();
  const buffer = pool.bufferOf(slot);
  let offset = pool.offsetOf(slot);
  const packed = moved(baseline, buffer, offset);
  collected.register(packed, slot * MAX_POOLS + pool.id);
  offset += align(baseline.byteLength);
  for (const k of keys) {
    const a = detectors[k] as TypedState;
    detectors[k] = moved(a, buffer, offset);
    offset += align(a.byteLength);
  }
  return packed;
}

/** A slab this empty (live slots) or emptier is sparse: its states move down at the idle sweep. */
export const SPARSE_SLAB = SLAB_SLOTS / 4;

/**
 * Moves a state out of a sparse slab into the lowest free slot of a lower one (the idle sweep
 * calls it for every destination it keeps; engine/idle-expiry.ts), so that the sparse slab
 * empties and is let go: the same as packTypedStates, into another slot. Returns the new
 * baseline view (the detectors' views are replaced in `detectors`), or undefined where the state
 * stays: its slab is not sparse, or no lower slab has a free slot.
 */
export function repackSparse<B extends TypedState>(baseline: B, detectors: Record<string, unknown>): B | undefined {
  const home = slabHome.get(baseline.buffer);
  if (home === undefined || home.pool.liveIn(home.index) > SPARSE_SLAB) return undefined;
  const lowest = home.pool.lowestFreeSlab();
  if (lowest === undefined || lowest >= home.index) return undefined;
  return packTypedStates(baseline, detectors);
}
