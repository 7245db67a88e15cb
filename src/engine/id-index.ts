// What RecentIds needs of a Map<number, number> (flow-id hash -> sequence number), as an
// open-addressing hash table in two typed arrays. The hashes are 53-bit integers, which a
// Map keeps as a boxed heap number per entry; this table stores them unboxed and probes
// without allocating, which makes the duplicate check of every record several times
// cheaper. Same answers as a Map for every key: a key that is not a non-negative number
// (never a flowIdHash, but a changelog could hold anything) goes to a small Map beside it.

/** An empty slot; no hash is negative. */
const EMPTY = -1;

export class IdIndex {
  private keys: Float64Array;
  private values: Float64Array;
  private mask: number;
  private count = 0;
  private odd: Map<number, number> | null = null;

  constructor(expected = 32) {
    let slots = 16;
    while (slots < expected * 2) slots *= 2;
    this.keys = new Float64Array(slots).fill(EMPTY);
    this.values = new Float64Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count + (this.odd?.size ?? 0);
  }

  get(key: number): number | undefined {
    if (!(key >= 0)) return this.odd?.get(key);
    const keys = this.keys;
    for (let i = this.home(key); ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === key) return this.values[i];
      if (k === EMPTY) return undefined;
    }
  }

  set(key: number, value: number): void {
    if (!(key >= 0)) {
      (this.odd ??= new Map()).set(key, value);
      return;
    }
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    let i = this.home(key);
    for (; keys[i] !== EMPTY; i = (i + 1) & this.mask) {
      if (keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    keys[i] = key;
    this.values[i] = value;
    this.count++;
  }

  delete(key: number): boolean {
    if (!(key >= 0)) return this.odd?.delete(key) ?? false;
    const keys = this.keys;
    const mask = this.mask;
    let i = this.home(key);
    for (; keys[i] !== key; i = (i + 1) & mask) if (keys[i] === EMPTY) return false;
    // Backward-shift deletion (linear probing without tombstones): later keys of the probe
    // run move up into the hole unless their home slot lies after it.
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.home(keys[j]);
      const between = i <= j ? i < home && home <= j : i < home || home <= j;
      if (between) continue;
      keys[i] = keys[j];
      this.values[i] = this.values[j];
      i = j;
    }
    keys[i] = EMPTY;
    this.count--;
    return true;
  }

  /** Slot where a key's probe starts: its low 32 bits (the hash is well mixed there). */
  private home(key: number): number {
    return (key >>> 0) & this.mask;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const slots = oldKeys.length * 2;
    this.keys = new Float64Array(slots).fill(EMPTY);
    this.values = new Float64Array(slots);
    this.mask = slots - 1;
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== EMPTY) this.set(oldKeys[i], oldValues[i]);
  }
}
