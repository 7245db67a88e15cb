// One transactional producer per owned engine partition: the fence against stale writers.
//
// An instance stalled past its session timeout (SIGSTOP, a VM pause, a long GC) can wake up
// in the middle of writing the state of a partition the group has meanwhile given to another
// instance. A check before the write (a heartbeat) cannot close that window: the stall can fall
// between the check and the produce request, and the stale state and progress marker then land
// after the new owner's in the compacted changelog (found by the fault suite, src/faults, with
// SIGSTOP cycles). Kafka's producer epochs can: every state write is a transaction of the
// partition's own transactional id (`<group_id>.state.<partition>`), as Kafka Streams does per
// task, and the new owner initialises that id before it restores. Initialising bumps the
// epoch, which fences the old producer (its next send or commit fails with
// INVALID_PRODUCER_EPOCH / PRODUCER_FENCED), aborts the transaction it left open, and waits for
// one it was committing to complete, so the restore that follows reads everything the old
// owner committed and nothing it did not. Readers of the changelog use read_committed
// (read-to-end.ts).
//
// A producer is only ever made by claim(), and claims and releases of one partition run one
// after another: overlapping restore rounds (a rebalance during a restore) must not leave two
// producers of one id, or install one after the partition was given up.
import type { Producer } from 'kafkajs';
import { PartitionQueue } from './partition-queue.js';

/** The transactional id of engine partition `partition`'s state writes. */
export function stateTransactionalId(groupId: string, partition: number): string {
  return `${stateTransactionalIdPrefix(groupId)}${partition}`;
}

/** Every state transactional id of a group starts with this (an ACL prefix). */
export function stateTransactionalIdPrefix(groupId: string): string {
  return `${groupId}.state.`;
}

export class StateProducers {
  private readonly producers = new Map<number, Producer>();
  /** Claims and releases, one after another per partition. */
  private readonly queue = new PartitionQueue();
  private closed = false;

  constructor(
    private readonly groupId: string,
    /** A kafkajs producer with this transactional id (not yet connected). */
    private readonly create: (transactionalId: string) => Producer,
  ) {}

  /**
   * Fresh producers for `partitions`, connected and initialised: from here any other holder of
   * their ids is fenced and their transactions are settled. Call before reading their changelog.
   * `wanted` is asked again before each initialisation and after it: a partition given up
   * meanwhile (a newer assignment) is not initialised, or is closed again at once.
   */
  async claim(partitions: number[], wanted: (partition: number) => boolean = () => true): Promise<void> {
    await Promise.all(
      partitions.map((p) =>
        this.queue.run(p, async () => {
          const givenUp = () => (this.closed || !wanted(p) ? new Error(`state producer of partition ${p}: claim given up (partition no longer assigned)`) : null);
          await this.closeCurrent(p);
          const before = givenUp();
          if (before !== null) throw before;
          const producer = this.create(stateTransactionalId(this.groupId, p));
          try {
            await producer.connect();
            // kafkajs initialises the transactional id (InitProducerId: the fencing step) when
            // the first transaction begins; one that is ended at once sends nothing else.
            await (await producer.transaction()).abort();
          } catch (err) {
            await producer.disconnect().catch(() => {});
            throw err;
          }
          const after = givenUp();
          if (after !== null) {
            await producer.disconnect().catch(() => {});
            throw after;
          }
          this.producers.set(p, producer);
        }),
      ),
    );
  }

  /** The partition's claimed producer; throws when there is none (never claimed, or released after a failure). */
  get(partition: number): Producer {
    const producer = this.producers.get(partition);
    if (producer === undefined) throw new Error(`no state producer for engine partition ${partition}: it is claimed by the next restore`);
    return producer;
  }

  /**
   * Closes the partition's producer: after a failed write (it may be fenced) or a revocation.
   * With `only`, just that producer: the partition's current one if it still is, else only it.
   */
  release(partition: number, only?: Producer): Promise<void> {
    return this.queue.run(partition, async () => {
      if (only !== undefined && this.producers.get(partition) !== only) {
        await only.disconnect().catch(() => {});
        return;
      }
      await this.closeCurrent(partition);
    }).catch(() => {});
  }

  /** Releases every partition not in `keep`. */
  async retain(keep: number[]): Promise<void> {
    await Promise.all([...this.producers.keys()].filter((p) => !keep.includes(p)).map((p) => this.release(p)));
  }

  /** Closes every producer; later claims install none. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...new Set([...this.producers.keys(), ...this.queue.partitions])].map((p) => this.release(p)));
  }

  private async closeCurrent(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    if (producer === undefined) return;
    this.producers.delete(partition);
    await producer.disconnect().catch(() => {});
  }
}
