// Zeek reports a connection when it closes; open-connection packages report long connections
// before that, again and again, each time with the counts so far (cumulative) under the same
// uid, and conn.log finally reports the whole. Counting every report would count the early
// bytes several times, so the decoder remembers, per uid, the counts it has already passed
// on and passes on only the increase.
//
// Bounded and deterministic: at most `capacity` uids are remembered, the oldest first
// forgotten (insertion order, whatever the clock). A uid forgotten and reported again counts
// in full once more, so the capacity must exceed the number of connections open at once on
// one stream (default 100,000: about 7 MB of typed arrays when full, grown as uids come).

import { flowIdHash } from '../../engine/recent-ids.js';

export const DEFAULT_OPEN_UIDS = 100_000;
/** Uids the state has room for before it first grows. */
const INITIAL_SLOTS = 4096;

/** What to pass on for one report: the increase since the uid's previous report. */
export interface Increment {
  orig_bytes: number;
  resp_bytes: number;
  orig_pkts: number;
  resp_pkts: number;
  /** 1 for the uid's first report, 2 for the second that carried new counts, ... */
  report: number;
}

export class OpenConnections {
  /** 53-bit hash of a uid -> its slot; a slot's counts passed on so far are at
   *  counts[5 * slot ..]: orig_bytes, resp_bytes, orig_pkts, resp_pkts, reports. Hashes and one
   *  typed array rather than strings and an array per uid: every connection passes through
   *  here, and a uid cut from a TSV line keeps the whole line alive. Two of 100,000 uids share
   *  a hash with odds of about 1 in 10^6. */
  private slots: HashIndex;
  private counts: Float64Array;
  /** The uid hash in each slot, filled in insertion order, then reused as a ring. */
  private keys: Float64Array;
  private used = 0;
  private oldest = 0;
  /** The answer of increment(), one object overwritten by each call: every connection passes
   *  through here, and the caller reads it at once. */
  private readonly result: Increment = { orig_bytes: 0, resp_bytes: 0, orig_pkts: 0, resp_pkts: 0, report: 0 };

  constructor(private readonly capacity: number = DEFAULT_OPEN_UIDS) {
    // Room for a few thousand uids first, grown fourfold as they come, up to capacity: a short
    // stream (a rotated hourly log, a quiet partition) neither allocates nor touches the full
    // 7 MB, and while few uids are known the index stays small enough for the cache. Fourfold
    // rather than twofold: fewer arrays allocated, copied and given up (garbage outside the
    // JavaScript heap, which V8 counts towards its next full collection) while a stream's
    // first uids come (docs/benchmarks-history.md, input dialects: the 19:27 run).
    const initial = Math.min(capacity, INITIAL_SLOTS);
    this.counts = new Float64Array(5 * initial);
    this.keys = new Float64Array(initial);
    this.slots = new HashIndex(initial, this.keys);
  }

  /** Four times the room (at most capacity): slots keep their numbers, the index is built anew. */
  private grow(): void {
    const room = Math.min(this.capacity, 4 * this.keys.length);
    const counts = new Float64Array(5 * room);
    counts.set(this.counts);
    const keys = new Float64Array(room);
    keys.set(this.keys);
    const slots = new HashIndex(room, keys);
    for (let i = 0; i < this.used; i++) slots.set(keys[i], i);
    this.counts = counts;
    this.keys = keys;
    this.slots = slots;
  }

  /**
   * The increase over what was passed on for this uid, or null when nothing grew (a repeated
   * report, e.g. from a second collector, or an older report arriving after a newer one).
   * The answer is overwritten by the next call.
   */
  increment(uid: string, ob: number, rb: number, op: number, rp: number): Increment | null {
    const key = flowIdHash(uid) || 1; // 0 marks an empty cell of the index
    const slot = this.slots.get(key);
    if (slot === -1) {
      let fresh: number;
      if (this.used < this.capacity) {
        if (this.used === this.keys.length) this.grow();
        fresh = this.used++;
      } else {
        // A ring rather than the Map's own order: taking a Map's first key after many deletions
        // walks the deleted slots, which made a long stream quadratic.
        fresh = this.oldest;
        this.slots.remove(this.keys[fresh]);
        this.oldest = (fresh + 1) % this.capacity;
      }
      this.keys[fresh] = key;
      this.slots.set(key, fresh);
      const c = this.counts;
      const at = 5 * fresh;
      c[at] = ob;
      c[at + 1] = rb;
      c[at + 2] = op;
      c[at + 3] = rp;
      c[at + 4] = 1;
      return this.answer(ob, rb, op, rp, 1);
    }
    const c = this.counts;
    const at = 5 * slot;
    const dob = Math.max(0, ob - c[at]);
    const drb = Math.max(0, rb - c[at + 1]);
    const dop = Math.max(0, op - c[at + 2]);
    const drp = Math.max(0, rp - c[at + 3]);
    if (dob === 0 && drb === 0 && dop === 0 && drp === 0) return null;
    c[at] = Math.max(ob, c[at]);
    c[at + 1] = Math.max(rb, c[at + 1]);
    c[at + 2] = Math.max(op, c[at + 2]);
    c[at + 3] = Math.max(rp, c[at + 3]);
    c[at + 4]++;
    return this.answer(dob, drb, dop, drp, c[at + 4]);
  }

  private answer(ob: number, rb: number, op: number, rp: number, report: number): Increment {
    const r = this.result;
    r.orig_bytes = ob;
    r.resp_bytes = rb;
    r.orig_pkts = op;
    r.resp_pkts = rp;
    r.report = report;
    return r;
  }

  get size(): number {
    return this.slots.size;
  }
}

/**
 * Hash (a 53-bit number, not 0) -> slot, with linear probing and backward-shift deletion: no
 * allocation per entry (a Map of numbers boxed every key), so a stream of millions of
 * connections costs no garbage here. A cell holds its slot + 1 (0: empty) and the hash is
 * read from the slot's key (OpenConnections.keys): 4 bytes a cell where [hash, slot] pairs
 * took 16, so the index is a quarter of the memory to allocate, touch and keep in the cache.
 */
class HashIndex {
  /** slot + 1 of each cell, 0 when empty. */
  private readonly cells: Int32Array;
  private readonly mask: number;
  size = 0;

  /** `keys`: the hash of each slot; a slot's key is written before the slot is set here and
   *  stays until it is removed. */
  constructor(
    capacity: number,
    private readonly keys: Float64Array,
  ) {
    let n = 16;
    while (n < 2 * capacity) n *= 2;
    this.cells = new Int32Array(n);
    this.mask = n - 1;
  }

  /** The low bits of the hash: `&` takes a whole number modulo 2^32 first (ToInt32), as
   *  `hash % 2^32` did, without a floating-point remainder per probe. */
  private home(hash: number): number {
    return hash & this.mask;
  }

  /** The slot of `hash`, or -1. */
  get(hash: number): number {
    const cells = this.cells;
    const keys = this.keys;
    for (let i = this.home(hash); cells[i] !== 0; i = (i + 1) & this.mask) if (keys[cells[i] - 1] === hash) return cells[i] - 1;
    return -1;
  }

  /** Puts `slot` (whose key is `hash` already) under `hash`. */
  set(hash: number, slot: number): void {
    const cells = this.cells;
    const keys = this.keys;
    let i = this.home(hash);
    while (cells[i] !== 0 && keys[cells[i] - 1] !== hash) i = (i + 1) & this.mask;
    if (cells[i] === 0) this.size++;
    cells[i] = slot + 1;
  }

  remove(hash: number): void {
    const cells = this.cells;
    const keys = this.keys;
    const mask = this.mask;
    let i = this.home(hash);
    for (;;) {
      if (cells[i] === 0) return;
      if (keys[cells[i] - 1] === hash) break;
      i = (i + 1) & mask;
    }
    // Backward shift: move later entries of the run into the hole where their home allows.
    let j = i;
    for (;;) {
      cells[i] = 0;
      for (;;) {
        j = (j + 1) & mask;
        if (cells[j] === 0) {
          this.size--;
          return;
        }
        const k = this.home(keys[cells[j] - 1]);
        // Entry j may move to i unless its home lies cyclically in (i, j].
        if (i <= j ? i < k && k <= j : i < k || k <= j) continue;
        break;
      }
      cells[i] = cells[j];
      i = j;
    }
  }
}
