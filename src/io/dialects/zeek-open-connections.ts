// Zeek reports a connection when it closes; open-connection packages report long connections
// before that, again and again, each time with the counts so far (cumulative) under the same
// uid, and conn.log finally reports the whole. Counting every report would count the early
// bytes several times, so the decoder remembers, per uid, the counts it has already passed
// on and passes on only the increase.
//
// Bounded and deterministic: at most `capacity` uids are remembered, the oldest first
// forgotten (insertion order, whatever the clock). A uid forgotten and reported again counts
// in full once more, so the capacity must exceed the number of connections open at once on
// one stream (default 100,000: about 10 MB).

export const DEFAULT_OPEN_UIDS = 100_000;

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
  /** uid -> [orig_bytes, resp_bytes, orig_pkts, resp_pkts, reports] passed on so far. */
  private readonly seen = new Map<string, number[]>();
  constructor(private readonly capacity: number = DEFAULT_OPEN_UIDS) {}

  /**
   * The increase over what was passed on for this uid, or null when nothing grew (a repeated
   * report, e.g. from a second collector, or an older report arriving after a newer one).
   */
  increment(uid: string, ob: number, rb: number, op: number, rp: number): Increment | null {
    const prev = this.seen.get(uid);
    if (prev === undefined) {
      if (this.seen.size >= this.capacity) this.seen.delete(this.seen.keys().next().value as string);
      this.seen.set(uid, [ob, rb, op, rp, 1]);
      return { orig_bytes: ob, resp_bytes: rb, orig_pkts: op, resp_pkts: rp, report: 1 };
    }
    const dob = Math.max(0, ob - prev[0]);
    const drb = Math.max(0, rb - prev[1]);
    const dop = Math.max(0, op - prev[2]);
    const drp = Math.max(0, rp - prev[3]);
    if (dob === 0 && drb === 0 && dop === 0 && drp === 0) return null;
    prev[0] = Math.max(ob, prev[0]);
    prev[1] = Math.max(rb, prev[1]);
    prev[2] = Math.max(op, prev[2]);
    prev[3] = Math.max(rp, prev[3]);
    prev[4]++;
    return { orig_bytes: dob, resp_bytes: drb, orig_pkts: dop, resp_pkts: drp, report: prev[4] };
  }

  get size(): number {
    return this.seen.size;
  }
}
