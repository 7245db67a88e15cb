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
import type { Producer } from 'kafkajs';

/** The transactional id of engine partition `partition`'s state writes. */
export function stateTransactionalId(groupId: string, partition: number): string {
  return `${stateTransactionalIdPrefix(groupId)}${partition}`;
}

/** Every state transactional id of a group starts with this (an ACL prefix). */
export function stateTransactionalIdPrefix(groupId: string): string {
  return `${groupId}.state.`;
}

export class StateProducers {
  private readonly producers = new Map<number, Promise<Producer>>();

  constructor(
    private readonly groupId: string,
    /** A kafkajs producer with this transactional id (not yet connected). */
    private readonly create: (transactionalId: string) => Producer,
  ) {}

  /**
   * Fresh producers for `partitions`, connected and initialised: from here any other holder of
   * their ids is fenced and their transactions are settled. Call before reading their changelog.
   */
  async claim(partitions: number[]): Promise<void> {
    await Promise.all(partitions.map((p) => this.release(p)));
    await Promise.all(partitions.map((p) => this.open(p)));
  }

  /** The partition's producer, claimed earlier (or now, if it was released after a failure). */
  get(partition: number): Promise<Producer> {
    return this.producers.get(partition) ?? this.open(partition);
  }

  /** Closes the partition's producer: after a failed write (it may be fenced) or a revocation. */
  async release(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    if (producer === undefined) return;
    this.producers.delete(partition);
    await producer.then((p) => p.disconnect()).catch(() => {});
  }

  /** Releases every partition not in `keep`. */
  async retain(keep: number[]): Promise<void> {
    await Promise.all([...this.producers.keys()].filter((p) => !keep.includes(p)).map((p) => this.release(p)));
  }

  async closeAll(): Promise<void> {
    await this.retain([]);
  }

  private open(partition: number): Promise<Producer> {
    const producer = this.create(stateTransactionalId(this.groupId, partition));
    const ready = (async () => {
      try {
        await producer.connect();
        // kafkajs initialises the transactional id (InitProducerId: the fencing step) when the
        // first transaction begins; one that is ended at once sends nothing else.
        await (await producer.transaction()).abort();
        return producer;
      } catch (err) {
        await producer.disconnect().catch(() => {});
        throw err;
      }
    })();
    this.producers.set(partition, ready);
    ready.catch(() => {
      if (this.producers.get(partition) === ready) this.producers.delete(partition);
    });
    return ready;
  }
}
