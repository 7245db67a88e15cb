// When an engine partition writes its state changes to the changelog and commits its offset
// (kafka.commit_interval), as Kafka Streams' commit.interval.ms does with its store cache.
//
// Writing after every batch made the changelog the service's main cost while catching up: a
// batch of a few thousand flows over as many destinations wrote each destination's whole
// state, and the next batch, a few milliseconds later, wrote most of them again (bench:kafka:
// about 40% of the service's CPU with kafka.repartition on). Deferring lets the engine's
// dirty set absorb the repeats. Safety does not change: state and offset are always
// committed together (one transaction, state-writes.ts), a crash re-reads from the
// committed offset with the state of that moment, and alerts go out with every batch.
//
// Deferred only while this instance is behind on some input partition (flows or repartition
// topic): once everything is caught up, every batch writes, as before. A deferred partition is
// written by a later batch of its own once the interval has passed or, if none comes (the
// backlog held nothing more for it), by another partition's batch (state-writes.ts). Those
// writes take the same per-partition lock as the batches, so a write never interleaves with a
// batch of the partition it writes.

import { PartitionQueue } from './partition-queue.js';

export class CommitCadence {
  /** Wall-clock time of each partition's last write (the shell's clock, never the engine's). */
  private readonly lastWrite = new Map<number, number>();
  private readonly deferred = new Set<number>();
  /** The offset each partition's written state (and commit) reaches, as far as known. */
  private readonly committed = new Map<number, number>();
  private readonly locks = new PartitionQueue();
  /** Records left after the latest batch, per `topic/partition` read by this instance. */
  private readonly lags = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `work` now if nothing runs for the partition, else not at all (that work decides for itself). */
  async ifIdle(partition: number, work: () => Promise<void>): Promise<void> {
    if (this.locks.busy(partition)) return;
    await this.exclusive(partition, work);
  }

  /** Runs `work` for a partition after any work already running for it: batches and writes never overlap. */
  exclusive<T>(partition: number, work: () => Promise<T>): Promise<T> {
    return this.locks.run(partition, work);
  }

  /** Records left on an input partition after its latest batch (any topic this instance reads). */
  noteLag(topic: string, partition: number, lag: number): void {
    if (lag > 0) this.lags.set(`${topic}/${partition}`, lag);
    else this.lags.delete(`${topic}/${partition}`);
  }

  /** A new assignment: lags of partitions no longer read must not keep us "behind". */
  resetLags(): void {
    this.lags.clear();
  }

  /** True while some input partition of this instance has records left to read. */
  get behind(): boolean {
    return this.lags.size > 0;
  }

  /** Whether the engine partition's batch just processed must write state and commit now. */
  due(partition: number): boolean {
    if (this.stopping || this.intervalMs === 0 || !this.behind) return true;
    return this.overdue(partition);
  }

  /** Deferred for at least the interval since the last write (or since the first deferral). */
  overdue(partition: number): boolean {
    const last = this.lastWrite.get(partition);
    if (last === undefined) {
      // The first batch of a backlog: the interval starts now.
      this.lastWrite.set(partition, this.now());
      return false;
    }
    return this.now() - last >= this.intervalMs;
  }

  /** The partition's state is written up to `nextOffset` (and that offset committed). */
  written(partition: number, nextOffset: number): void {
    this.lastWrite.set(partition, this.now());
    this.deferred.delete(partition);
    this.committed.set(partition, nextOffset);
  }

  /**
   * The partition processed a batch whose state and offset wait for a later write. `firstOffset`:
   * the batch's first offset, which is where the last commit stands if nothing was written
   * since the assignment (kafkajs fetched from there).
   */
  defer(partition: number, firstOffset: number): void {
    if (!this.committed.has(partition)) this.committed.set(partition, firstOffset);
    this.deferred.add(partition);
  }

  /** Where a re-read of a deferred partition must start (its last write); undefined when nothing is deferred. */
  committedOffset(partition: number): number | undefined {
    return this.deferred.has(partition) ? this.committed.get(partition) : undefined;
  }

  /** Partitions with processed but unwritten batches. */
  get pending(): number[] {
    return [...this.deferred].sort((a, b) => a - b);
  }

  isDeferred(partition: number): boolean {
    return this.deferred.has(partition);
  }

  /** Forgets a partition (revoked, or its engine dropped): its deferred state is gone with the engine. */
  forget(partition: number): void {
    this.deferred.delete(partition);
    this.lastWrite.delete(partition);
    this.committed.delete(partition);
  }

  /** From now on every batch writes at once, its own state and every deferred partition's. */
  stop(): void {
    this.stopping = true;
  }
}
