// A first-match-wins CIDR table for the per-flow path: the list of (network, value) entries is
// flattened once into sorted, non-overlapping address ranges, each holding the value of the
// earliest entry that covers it, so a lookup is one binary search whatever the number of
// entries (100k principals cost about 17 comparisons). IPv4 and IPv6 have a table each.
import { cidrRange, ipNumber, type IpNumber } from './ip-number.js';

interface Flat<N> {
  /** Start of each range, ascending; a range ends where the next one starts. */
  starts: N[];
  /** Index into `values` of the range's winner, or -1 where no entry covers it. */
  winners: number[];
}

export class RangeTable<T> {
  private readonly v4: Flat<number>;
  private readonly v6: Flat<bigint>;

  /** `entries` in priority order: where networks overlap, the earlier entry wins. */
  constructor(private readonly values: ReadonlyArray<{ cidr: string; value: T }>) {
    const v4: Array<Span<number>> = [];
    const v6: Array<Span<bigint>> = [];
    values.forEach((entry, index) => {
      const { first, last } = cidrRange(entry.cidr);
      if ('v4' in first && 'v4' in last) v4.push({ first: first.v4, end: last.v4 + 1, index });
      else if ('v6' in first && 'v6' in last) v6.push({ first: first.v6, end: last.v6 + 1n, index });
    });
    this.v4 = flatten(v4);
    this.v6 = flatten(v6);
  }

  get size(): number {
    return this.values.length;
  }

  /** The value of the first entry whose network holds `ip`; undefined when none does or `ip` is not an address. */
  lookup(ip: string): T | undefined {
    return this.lookupNumber(ipNumber(ip));
  }

  /** lookup() of an address already parsed (null: not an address). */
  lookupNumber(number: IpNumber | null): T | undefined {
    if (number === null) return undefined;
    const winner = 'v4' in number ? find(this.v4, number.v4) : find(this.v6, number.v6);
    return winner < 0 ? undefined : this.values[winner].value;
  }
}

interface Span<N> {
  first: N;
  /** One past the last address. */
  end: N;
  index: number;
}

// A sweep over the range boundaries with a min-heap (by entry index) of the spans open there.
function flatten<N extends number | bigint>(spans: Array<Span<N>>): Flat<N> {
  const boundaries = [...new Set<N>(spans.flatMap((s) => [s.first, s.end]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byFirst = [...spans].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.index - b.index));
  const heap = new MinHeap<Span<N>>((a, b) => a.index - b.index);
  const flat: Flat<N> = { starts: [], winners: [] };
  let next = 0;
  for (const boundary of boundaries) {
    while (next < byFirst.length && byFirst[next].first <= boundary) heap.push(byFirst[next++]);
    while (heap.peek() !== undefined && (heap.peek() as Span<N>).end <= boundary) heap.pop();
    const winner = heap.peek()?.index ?? -1;
    if (flat.winners.length > 0 && flat.winners[flat.winners.length - 1] === winner) continue;
    flat.starts.push(boundary);
    flat.winners.push(winner);
  }
  return flat;
}

function find<N extends number | bigint>(flat: Flat<N>, address: N): number {
  let low = 0;
  let high = flat.starts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (flat.starts[middle] <= address) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found < 0 ? -1 : flat.winners[found];
}

class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(items[i], items[parent]) >= 0) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): void {
    const items = this.items;
    const last = items.pop();
    if (items.length === 0 || last === undefined) return;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.less(items[left], items[smallest]) < 0) smallest = left;
      if (right < items.length && this.less(items[right], items[smallest]) < 0) smallest = right;
      if (smallest === i) return;
      [items[i], items[smallest]] = [items[smallest], items[i]];
      i = smallest;
    }
  }
}
