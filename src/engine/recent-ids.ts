// The flow ids one destination received lately, so that a flow delivered twice (a producer
// retry, or two gateways reporting one connection: the same flow_id) is counted once within
// windows.dedup_horizon of event time. Kept with the destination's state (and so in its
// changelog entry): a restored engine still recognises the records it already counted, which
// is what stops double counting when the service re-reads uncommitted records after a crash.
//
// Compact, because every destination may hold some: a 53-bit hash of the id instead of the
// string, two doubles per id (hash, event time) in one array in arrival order, and a hash
// index only for busy destinations. An id counts while its event time is no more than the
// horizon behind the watermark; older ones are forgotten (whenever that happens, the answers
// stay the same). A destination remembers at most MAX_IDS (its changelog entry must stay well
// under Kafka's message size).

import { IdIndex } from './id-index.js';

/** Most ids one destination remembers: 4,096 x about 24 bytes of JSON is about 100 KB. */
export const MAX_IDS = 4096;
/** From this many ids a lookup goes through a hash index (id-index.ts) instead of a scan. */
const INDEX_FROM = 32;

/** cyrb53 (bryc, public domain): a fast 53-bit string hash; collisions are about 1 in 2^53 per pair. */
export function flowIdHash(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export class RecentIds {
  /** [hash, event time, hash, event time, ...] in arrival order; pairs before `head` are forgotten. */
  private entries: number[];
  private head = 0;
  /** Sequence number of the pair at `head` (pairs are numbered in arrival order). */
  private headSeq = 0;
  /** hash -> sequence number of its latest pair, for busy destinations (derived, not serialised). */
  private index: IdIndex | null = null;

  private constructor(entries: number[]) {
    this.entries = entries;
    if (this.size >= INDEX_FROM) this.buildIndex();
  }

  static of(hash: number, eventMs: number): RecentIds {
    return new RecentIds([hash, eventMs]);
  }

  get size(): number {
    return (this.entries.length - this.head) / 2;
  }

  /**
   * Whether the latest sighting of `hash` had an event time within `horizonMs` of `eventMs`
   * and not before `validFromMs` (the watermark - the horizon).
   */
  has(hash: number, eventMs: number, horizonMs: number, validFromMs: number): boolean {
    let seenMs: number | undefined;
    if (this.index !== null) {
      const seq = this.index.get(hash);
      if (seq !== undefined) seenMs = this.entries[this.head + 2 * (seq - this.headSeq) + 1];
    } else {
      const e = this.entries;
      for (let i = e.length - 2; i >= this.head; i -= 2) {
        if (e[i] === hash) {
          seenMs = e[i + 1];
          break;
        }
      }
    }
    return seenMs !== undefined && seenMs >= validFromMs && Math.abs(eventMs - seenMs) <= horizonMs;
  }

  /** Remembers an id, then forgets ids older than `cutoffMs` (no longer valid) and any beyond MAX_IDS. */
  add(hash: number, eventMs: number, cutoffMs: number): void {
    this.index?.set(hash, this.headSeq + this.size);
    this.entries.push(hash, eventMs);
    if (this.index === null && this.size >= INDEX_FROM) this.buildIndex();
    this.forgetBefore(cutoffMs);
  }

  /**
   * Forgets ids from the oldest arrival on while their event time is before `cutoffMs` (an
   * id that arrived out of order waits for those ahead of it). Returns whether any went.
   */
  forgetBefore(cutoffMs: number): boolean {
    const e = this.entries;
    const start = this.head;
    let head = start;
    while (head < e.length && (e[head + 1] < cutoffMs || (e.length - head) / 2 > MAX_IDS)) {
      if (this.index !== null && this.index.get(e[head]) === this.headSeq) this.index.delete(e[head]);
      head += 2;
      this.headSeq++;
    }
    if (head === start) return false;
    this.head = head;
    // Compact once half the array is forgotten: amortised O(1) per id.
    if (head >= 64 && head * 2 >= e.length) {
      this.entries = e.slice(head);
      this.head = 0;
    }
    if (this.index !== null && this.size < INDEX_FROM / 2) this.index = null;
    return true;
  }

  /**
   * Drops the spare capacity the array grew with, for the many quiet destinations that hold a
   * few ids (called when a window closes); a busy destination's slack is small beside its ids.
   */
  trim(): void {
    if (this.size > 8) return;
    this.entries = this.entries.slice(this.head);
    this.head = 0;
  }

  /** [hash, base - event time, ...]: times relative to the destination's latest event time stay short. */
  toJSON(baseMs: number): number[] {
    const out: number[] = [];
    const e = this.entries;
    for (let i = this.head; i < e.length; i += 2) out.push(e[i], baseMs - e[i + 1]);
    return out;
  }

  static fromJSON(j: number[], baseMs: number): RecentIds {
    const entries: number[] = [];
    for (let i = 0; i + 1 < j.length; i += 2) entries.push(j[i], baseMs - j[i + 1]);
    return new RecentIds(entries);
  }

  private buildIndex(): void {
    this.index = new IdIndex(this.size);
    const e = this.entries;
    for (let i = this.head, seq = this.headSeq; i < e.length; i += 2, seq++) this.index.set(e[i], seq);
  }
}
