// Event time per gateway, for the watermark of one ordered stream (a file, or one partition).
// Each gateway (and the flows seen outside any gateway, gateway_id null) is a stream of its
// own with its own latest event time, as Flink keeps one watermark per source split. The
// stream's clock is the lowest of the active gateways' latest event times: one gateway's
// far-future record cannot move it while another gateway still reports. Idleness without a
// wall clock: a gateway is idle when its latest event time is more than idle_timeout behind
// the reference, the second-highest event time of all records, which one stray record cannot
// move. An idle gateway stops holding the clock back and is forgotten until it reports again.
// Pure and deterministic; its state goes into the engine's snapshot.

type Gateway = string | null;

export interface EventClockJSON {
  /** [gateway, latest event time] of the active gateways. */
  gw: Array<[Gateway, number]>;
  /** The two highest event times of all records (null: none yet). */
  top: [number | null, number | null];
}

export class EventClock {
  private readonly latest = new Map<Gateway, number>();
  private top1 = -Infinity;
  private top2 = -Infinity;
  /** Cached lowest latest event time over the active gateways, and whose it is. */
  private lowMs = Infinity;
  private lowGateway: Gateway | undefined = undefined;
  /** Whether the last observe() changed the clock's state (for the engine's changelog). */
  moved = false;

  constructor(private readonly idleTimeoutMs: number) {}

  /**
   * The lowest latest event time of the active gateways: the stream's clock, from which the
   * pipeline takes its watermark. -Infinity before the first record.
   */
  get low(): number {
    return this.lowMs === Infinity ? -Infinity : this.lowMs;
  }

  /** Event times older than this belong to idle gateways. */
  private get idleBefore(): number {
    return this.top2 - this.idleTimeoutMs;
  }

  /** One record's event time; returns the latest event time its gateway had reported before. */
  observe(gateway: Gateway, eventMs: number): number {
    this.moved = false;
    const before = this.latest.get(gateway) ?? -Infinity;
    let recompute = false;
    if (eventMs > this.top2) {
      if (eventMs > this.top1) {
        this.top2 = this.top1;
        this.top1 = eventMs;
      } else {
        this.top2 = eventMs;
      }
      this.moved = true;
      // The reference moved: the lowest gateway may have gone idle.
      if (this.lowMs < this.idleBefore) recompute = true;
    }
    if (eventMs > before && eventMs >= this.idleBefore) {
      this.latest.set(gateway, eventMs);
      this.moved = true;
      if (gateway === this.lowGateway) recompute = true;
      else if (eventMs < this.lowMs) {
        this.lowMs = eventMs;
        this.lowGateway = gateway;
      }
    }
    if (recompute) this.recomputeLow();
    return before;
  }

  /** Forgets idle gateways and finds the lowest of the others (few gateways: a scan). */
  private recomputeLow(): void {
    const idleBefore = this.idleBefore;
    this.lowMs = Infinity;
    this.lowGateway = undefined;
    for (const [gateway, ms] of this.latest) {
      if (ms < idleBefore) {
        this.latest.delete(gateway);
      } else if (ms < this.lowMs) {
        this.lowMs = ms;
        this.lowGateway = gateway;
      }
    }
  }

  toJSON(): EventClockJSON {
    return {
      gw: [...this.latest],
      top: [Number.isFinite(this.top1) ? this.top1 : null, Number.isFinite(this.top2) ? this.top2 : null],
    };
  }

  /** Restores a saved clock (replacing this one's state). */
  restore(j: EventClockJSON): void {
    this.latest.clear();
    for (const [gateway, ms] of j.gw) this.latest.set(gateway, ms);
    this.top1 = j.top[0] ?? -Infinity;
    this.top2 = j.top[1] ?? -Infinity;
    this.recomputeLow();
  }
}
