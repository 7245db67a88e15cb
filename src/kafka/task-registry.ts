// Which engine-input partitions this instance owns and their engines. On every assignment
// (kafkajs GROUP_JOIN) revoked partitions are dropped (their state is in the changelog up to
// their last commit; anything later, deferred by kafka.commit_interval, the new owner re-reads
// from that commit) and the assigned ones are restored in one round before any
// of their batches is processed: the batch handler awaits `get(p)`. An engine kept from the
// previous assignment is reused only if its changelog partition ends where our last write
// left it, i.e. no other instance owned the partition in between.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { restoreGroupPrefix } from './acls.js';
import type { SuppressionBook } from '../suppress/book.js';
import type { MessageInput } from './decoder.js';
import { EngineTask } from './engine-task.js';
import type { LiveConfig } from './live-config.js';
import { readChangelog } from './restore.js';
import type { StateProducers } from './state-producers.js';
import type { TopicLayout } from './topics.js';
import { topicOffsets } from './topic-offsets.js';

export interface TaskRegistryOptions {
  kafka: Kafka;
  admin: Admin;
  /** The service's config in force: new engines start with it, a reload reconfigures the running ones. */
  config: LiveConfig;
  layout: TopicLayout;
  /** How the engine-input topic's messages are read (a reader per task). */
  input: MessageInput;
  log: {
    info: (obj: Record<string, unknown>, msg: string) => void;
    warn: (obj: Record<string, unknown>, msg: string) => void;
  };
  /** Called whenever the set of restored partitions changes (readiness, gauges). */
  onChange: () => void;
  onRestored?: (partition: number, seconds: number, entries: number) => void;
  /** The suppressions in force, shared by every engine task. */
  suppressions?: SuppressionBook;
  /** The partitions' transactional state producers: claimed (fencing other owners) before each restore. */
  producers: StateProducers;
}

class StaleRoundError extends Error {
  constructor() {
    super('the assignment changed while restoring');
  }
}

export class TaskRegistry {
  private readonly tasks = new Map<number, EngineTask>();
  private readonly pending = new Map<number, Promise<EngineTask>>();
  private assigned = new Set<number>();
  private generation = 0;
  private rounds = new Set<AbortController>();

  constructor(private readonly o: TaskRegistryOptions) {
    // A reloaded config: every engine takes it now; engines restored later start with it.
    o.config.onUpdate((next) => {
      for (const task of this.tasks.values()) task.engine.reconfigure(next);
    });
  }

  /** The partitions of the latest assignment. */
  get assignedPartitions(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  get restoredTasks(): EngineTask[] {
    return [...this.tasks.values()].filter((t) => !this.pending.has(t.partition));
  }

  /** True when every assigned partition has its engine restored. */
  isRestored(): boolean {
    for (const p of this.assigned) if (this.pending.has(p) || !this.tasks.has(p)) return false;
    return true;
  }

  /** A new assignment: drop revoked engines, restore (or revalidate) the assigned ones. */
  assign(partitions: number[]): void {
    this.generation++;
    this.abortRounds();
    this.assigned = new Set(partitions);
    this.pending.clear();
    for (const p of [...this.tasks.keys()]) if (!this.assigned.has(p)) this.tasks.delete(p);
    void this.o.producers.retain(partitions);
    if (partitions.length > 0) this.startRound(partitions, true);
    this.o.onChange();
  }

  /** The engine of partition p, once restored. */
  get(partition: number): Promise<EngineTask> {
    const pending = this.pending.get(partition);
    if (pending !== undefined) return pending;
    const task = this.tasks.get(partition);
    if (task !== undefined) return Promise.resolve(task);
    // Dropped after a failed batch (or fetched before its assignment was seen): restore it alone.
    this.assigned.add(partition);
    return this.startRound([partition], false).get(partition)!;
  }

  /** The restored engine of a partition; undefined while it restores or after a drop. */
  current(partition: number): EngineTask | undefined {
    return this.pending.has(partition) ? undefined : this.tasks.get(partition);
  }

  /**
   * Forgets a partition's engine, e.g. after a batch failed half-way: the next batch restores it,
   * with a fresh state producer (the old one may have been fenced).
   */
  drop(partition: number): void {
    this.tasks.delete(partition);
    void this.o.producers.release(partition);
    this.o.onChange();
  }

  /** Closes `producer` after a failed write; the partition's current one only if it is that one. */
  releaseStateProducer(partition: number, producer: Producer): Promise<void> {
    return this.o.producers.release(partition, producer);
  }

  /** The transactional producer of a partition's state writes (throws when it is not claimed). */
  stateProducer(partition: number): Producer {
    return this.o.producers.get(partition);
  }

  close(): void {
    this.generation++;
    this.abortRounds();
  }

  private startRound(partitions: number[], reuseValid: boolean): Map<number, Promise<EngineTask>> {
    const generation = this.generation;
    const controller = new AbortController();
    this.rounds.add(controller);
    const round = this.restore(partitions, reuseValid, generation, controller.signal).finally(() => this.rounds.delete(controller));
    const byPartition = new Map<number, Promise<EngineTask>>();
    for (const p of partitions) {
      const promise = round.then((tasks) => tasks.get(p)!);
      byPartition.set(p, promise);
      this.pending.set(p, promise);
      promise.catch(() => {
        if (this.pending.get(p) === promise) this.pending.delete(p); // the next get() tries again
      });
    }
    round.catch((err) => {
      if (!(err instanceof StaleRoundError) && !controller.signal.aborted) {
        // An engine kept from before must not be used unchecked (and unfenced) in its place.
        if (generation === this.generation) for (const p of partitions) this.tasks.delete(p);
        this.o.log.warn({ err, partitions }, 'restoring state failed; retried with the next batch');
      }
    });
    return byPartition;
  }

  private async restore(partitions: number[], reuseValid: boolean, generation: number, signal: AbortSignal): Promise<Map<number, EngineTask>> {
    const { layout } = this.o;
    // First fence every other writer of these partitions and settle their transactions: the
    // changelog ends read next are then final until we write.
    try {
      await this.o.producers.claim(partitions, (p) => generation === this.generation && this.assigned.has(p));
    } catch (err) {
      if (generation !== this.generation) throw new StaleRoundError();
      throw err;
    }
    if (generation !== this.generation) throw new StaleRoundError();
    let toRestore = partitions;
    if (reuseValid) {
      const ends = new Map((await topicOffsets(this.o.admin, layout.changelog)).map((o) => [o.partition, Number(o.high)]));
      toRestore = partitions.filter((p) => this.tasks.get(p)?.changelogEnd !== ends.get(p));
    }
    const started = Date.now();
    const restored =
      toRestore.length === 0
        ? new Map()
        : await readChangelog(this.o.kafka, {
            topic: layout.changelog,
            partitions: toRestore,
            groupPrefix: restoreGroupPrefix(this.o.config.current.kafka.group_id),
            signal,
            warn: (message) => this.o.log.warn({ topic: layout.changelog }, message),
          });
    if (generation !== this.generation) throw new StaleRoundError();
    const seconds = (Date.now() - started) / 1000;
    const out = new Map<number, EngineTask>();
    for (const p of partitions) {
      const state = restored.get(p);
      let task = this.tasks.get(p);
      if (state !== undefined || task === undefined) {
        task = new EngineTask({
          // Read now, not before the await: a reload may have happened while restoring.
          config: this.o.config.current,
          topic: layout.engineInput,
          partition: p,
          input: this.o.input,
          dedupeBySource: layout.repartition !== null,
          restored: state,
          suppressions: this.o.suppressions,
          warn: (message) => this.o.log.warn({ partition: p }, message),
        });
        this.o.onRestored?.(p, seconds, state?.entries.size ?? 0);
        this.o.log.info(
          { partition: p, destinations: task.engine.destinationCount, nextOffset: task.nextOffset, seconds },
          'state restored',
        );
      }
      this.tasks.set(p, task);
      out.set(p, task);
    }
    for (const p of partitions) this.pending.delete(p);
    this.o.onChange();
    return out;
  }

  private abortRounds(): void {
    for (const c of this.rounds) c.abort();
    this.rounds.clear();
  }
}
