// When something is due in event time: window boundary -> destinations with a window closing
// or a folding interval ending there. The engine jumps from one due time to the next, never
// window by window, so a far-future record cannot stall it. Distinct due times can be many: a
// volume incident held on a sparse destination's silence is due up to baseline.idle_ttl ahead,
// one boundary per held window (repeat-folding.ts silenceEnd), so the earliest is found by a
// loop (a spread of the keys into Math.min overflows the stack past about 125,000 of them).
export class DueSchedule {
  private readonly due = new Map<number, Set<string>>();
  /** The earliest due time; Infinity: nothing is due. */
  next = Infinity;

  add(at: number, destination: string): void {
    let set = this.due.get(at);
    if (set === undefined) {
      set = new Set();
      this.due.set(at, set);
    }
    set.add(destination);
    if (at < this.next) this.next = at;
  }

  /** Takes the earliest due time's destinations if it is at or before `watermark` (in insertion order); undefined: none. */
  takeDue(watermark: number): { at: number; destinations: Set<string> | undefined } | undefined {
    if (this.due.size === 0 || this.next > watermark) return undefined;
    const at = this.next;
    const destinations = this.due.get(at);
    if (destinations !== undefined) this.due.delete(at);
    let next = Infinity;
    for (const t of this.due.keys()) if (t < next) next = t;
    this.next = next;
    return { at, destinations };
  }

  clear(): void {
    this.due.clear();
    this.next = Infinity;
  }
}
