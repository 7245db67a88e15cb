// The batches the service's eachBatch is still running. kafkajs restarts a crashed consumer
// (e.g. "no broker available" while the broker restarts) without waiting for batches that are
// still sending: such a batch keeps retrying its produce. Found by the fault suite (src/faults):
// before state writes were transactions, such a batch landed stale state after a broker
// restart; now a new owner's claim fences its state write (state-producers.ts), but its alerts
// and dead letters would still overlap the new run's. The service lets the restarted consumer
// join only once these have settled (service.ts restartOnFailure).
export class InFlightBatches {
  private readonly running = new Set<Promise<unknown>>();

  /** Runs `batch` and remembers it until it settles. */
  track<T>(batch: Promise<T>): Promise<T> {
    this.running.add(batch);
    const forget = () => this.running.delete(batch);
    batch.then(forget, forget);
    return batch;
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves when every batch running now has finished or failed, or after `timeoutMs` (false then). */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([Promise.allSettled([...this.running]).then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
