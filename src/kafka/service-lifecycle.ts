// Where one service instance is in its life, and the two promises its callers wait on.
// Ready means: the consumer runs (it has joined the group and no rebalance is under way), the
// service is not stopping, and every assigned engine partition has its state restored. Each
// change of that goes to the ready gauge and refreshes the engines' gauges; /readyz reads it.
import type { ServiceMetrics } from './metrics.js';
import type { TaskRegistry } from './task-registry.js';

export class ServiceLifecycle {
  /** Resolves the first time the service is ready; rejects if it fails or stops before. */
  readonly ready: Promise<void>;
  /** Resolves after a stop; rejects when the consumer failed for good. */
  readonly done: Promise<void>;
  private consumerRunning = false;
  private stopping = false;
  private registry: TaskRegistry | undefined;
  private markReady!: () => void;
  private failReady!: (err: Error) => void;
  private finish!: () => void;
  private fail!: (err: Error) => void;

  constructor(private readonly metrics: ServiceMetrics) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => {}); // a caller may only watch `done`
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
    });
    this.done.catch(() => {});
  }

  /** The engine partitions whose restores readiness waits for (known once connected). */
  watch(registry: TaskRegistry): void {
    this.registry = registry;
  }

  get consumerIsRunning(): boolean {
    return this.consumerRunning;
  }

  isReady(): boolean {
    return this.consumerRunning && !this.stopping && this.registry !== undefined && this.registry.isRestored();
  }

  /** What /readyz shows besides ready or not. */
  detail(): Record<string, unknown> {
    return {
      consumer: this.stopping ? 'stopping' : this.consumerRunning ? 'running' : 'joining',
      assigned: this.registry?.assignedPartitions ?? [],
      restored: this.registry?.restoredTasks.map((t) => t.partition).sort((a, b) => a - b) ?? [],
    };
  }

  /** The consumer joined the group (running) or left it for a rebalance or a crash (not). */
  setConsumerRunning(running: boolean): void {
    this.consumerRunning = running;
  }

  /** Re-evaluates readiness (gauge, `ready`) and the engines' gauges. */
  refresh(): void {
    const now = this.isReady();
    this.metrics.setReady(now);
    if (now) this.markReady();
    for (const task of this.registry?.restoredTasks ?? []) {
      this.metrics.setEngineState(task.partition, task.engine.destinationCount, task.engine.currentWatermark);
    }
  }

  /** A stop began: not ready from now on. */
  beginStop(): void {
    this.stopping = true;
    this.refresh();
  }

  /** Stopped on request: `ready` rejects if it never came, `done` resolves. */
  stopped(): void {
    this.failReady(new Error('stopped before ready'));
    this.finish();
  }

  /** The consumer failed for good: `ready` rejects with `err` now, `done` once everything is closed (`closedAfter`). */
  failed(err: Error): void {
    this.failReady(err);
  }

  closedAfter(err: Error): void {
    this.fail(err);
  }
}
