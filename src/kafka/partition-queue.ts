// Work for one partition, one piece after another: each piece starts once the one before it has
// settled (either way), and pieces for different partitions run side by side. A partition with
// nothing queued or running has no entry, so `busy` and `partitions` tell what is in progress.
export class PartitionQueue {
  private readonly tails = new Map<number, Promise<void>>();

  /** Runs `work` after whatever is queued for the partition; its outcome is the returned promise's. */
  run<T>(partition: number, work: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(partition) ?? Promise.resolve()).then(work);
    const tail = next.then(
      () => {},
      () => {},
    );
    this.tails.set(partition, tail);
    void tail.then(() => {
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    });
    return next;
  }

  /** Whether work is queued or running for the partition. */
  busy(partition: number): boolean {
    return this.tails.has(partition);
  }

  /** The partitions with work queued or running. */
  get partitions(): number[] {
    return [...this.tails.keys()];
  }
}
