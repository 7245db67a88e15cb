// Event-time alignment of the flows partitions this instance forwards (stage one).
//
// Why: the repartition topic merges the flows partitions into each engine partition in the
// order the forwarder reads them. Caught up, that order is close to event time. Catching up
// on a backlog (after an outage, a deploy, a slow spell), one fetch can hold hours of a
// sparse partition beside minutes of a dense one, and the engine would see one gateway hours
// ahead of another: the lagging gateway turns idle, its records arrive late and drop out of
// their windows, and baselines see dips and then creeps that never happened. Flink calls the
// remedy watermark alignment (FLIP-182); Kafka Streams picks the record with the lowest
// timestamp across a task's partitions. Here, a batch is forwarded only up to the limit
//   lowest position of the other partitions with records left to read + kafka.max_read_skew
// and the rest of it waits, its partition paused, until the others catch up (kafkajs fetches
// it again from the first record not forwarded).
//
// Position of a partition: the event time of its next record when known (the first record
// of a batch that arrived, or the record a batch was cut at), else the latest one forwarded.
// The partition with the lowest position is never paused, so reading always goes on.
//
// Pure: batches in, partitions to resume out; the batch handler calls kafkajs. Only this
// instance's partitions are aligned: instances do not coordinate.

export interface BatchForwarded {
  /** Latest event time forwarded from the batch; -Infinity when none. */
  latestMs: number;
  /** Event time of the record the batch was cut at (not forwarded); undefined: forwarded whole. */
  cutAtMs: number | undefined;
  /** Records left to read in the partition after what was forwarded. */
  lag: number;
}

export class ReadAlignment {
  private readonly position = new Map<number, number>();
  /** Partitions with records left to read, or a batch being forwarded. */
  private readonly holding = new Set<number>();
  private readonly paused = new Set<number>();

  /** `maxSkewMs` 0: alignment off. */
  constructor(private readonly maxSkewMs: number) {}

  get enabled(): boolean {
    return this.maxSkewMs > 0;
  }

  get pausedPartitions(): number[] {
    return [...this.paused].sort((a, b) => a - b);
  }

  /** A batch arrived; `firstEventMs` is its first valid record's event time (-Infinity: none). */
  arrived(partition: number, firstEventMs: number): void {
    if (!this.enabled) return;
    this.holding.add(partition);
    this.paused.delete(partition);
    if (Number.isFinite(firstEventMs)) this.position.set(partition, firstEventMs);
  }

  /** Records of `partition` with an event time above this wait (Infinity: no limit). */
  limitFor(partition: number): number {
    if (!this.enabled) return Infinity;
    let floor = Infinity;
    for (const p of this.holding) {
      const ms = this.position.get(p);
      if (p !== partition && ms !== undefined && ms < floor) floor = ms;
    }
    return floor + this.maxSkewMs;
  }

  /**
   * A batch was forwarded (whole, or up to a cut: then its partition is paused, by the
   * caller). Returns the paused partitions that may be read again.
   */
  forwarded(partition: number, batch: BatchForwarded): number[] {
    if (!this.enabled) return [];
    if (batch.cutAtMs !== undefined) {
      this.position.set(partition, batch.cutAtMs);
      this.paused.add(partition);
    } else if (Number.isFinite(batch.latestMs)) {
      this.position.set(partition, batch.latestMs);
    }
    if (batch.lag > 0 || batch.cutAtMs !== undefined) this.holding.add(partition);
    else this.holding.delete(partition);
    return this.resumable();
  }

  /** A batch failed before it was forwarded: it will come again, from where it was. */
  abandoned(partition: number): number[] {
    if (!this.enabled) return [];
    this.holding.delete(partition);
    return this.resumable();
  }

  /** After a rebalance: kafkajs's pauses and what was known of other partitions no longer hold. */
  reset(): number[] {
    const wasPaused = this.pausedPartitions;
    this.position.clear();
    this.holding.clear();
    this.paused.clear();
    return wasPaused;
  }

  private resumable(): number[] {
    const out: number[] = [];
    for (const p of this.pausedPartitions) {
      if (this.position.get(p)! <= this.limitFor(p)) out.push(p);
    }
    for (const p of out) this.paused.delete(p);
    return out;
  }
}
