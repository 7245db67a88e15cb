// Prometheus metrics of one service instance (own Registry, so tests can run several services
// in one process), plus the same counts as plain numbers for tests and the demo.
import type { BatchFailureKind } from './batch-failure.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AlertType } from '../engine/types.js';
import type { NotEgressCounts, NotEgressKind } from './decoder.js';
import type { ReasonClass } from './dlq.js';

export interface ServiceCounters {
  /** Records read from the flows topic (each counted once, not when re-read after a crash). */
  recordsIn: number;
  /** Records re-keyed onto the repartition topic (repartition on). */
  repartitioned: number;
  /** Records the engines processed. */
  processed: number;
  deadLetters: number;
  /** Records skipped because the restored state already reflected them. */
  skipped: number;
  late: number;
  /** Earlier than an event time their gateway had already reported, but not late. */
  outOfOrder: number;
  /** The same flow_id at the same destination again within windows.dedup_horizon: counted once. */
  duplicates: number;
  /** Dead-lettered: event time further than windows.max_future ahead of the wall clock. */
  tooFarAhead: number;
  /** What a sensor's dialect (input.format) read that is not egress, by kind. */
  notEgress: Partial<Record<NotEgressKind, number>>;
  alerts: Partial<Record<AlertType, number>>;
  /** Alerts an analyst's suppression covered (published to the suppressed topic instead), by type. */
  suppressed: Partial<Record<AlertType, number>>;
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly counters: ServiceCounters = {
    recordsIn: 0,
    repartitioned: 0,
    processed: 0,
    deadLetters: 0,
    skipped: 0,
    late: 0,
    outOfOrder: 0,
    duplicates: 0,
    tooFarAhead: 0,
    notEgress: {},
    alerts: {},
    suppressed: {},
  };

  private readonly recordsIn: Counter<'topic'>;
  private readonly repartitioned: Counter;
  private readonly processed: Counter;
  private readonly deadLetters: Counter<'reason'>;
  private readonly skipped: Counter;
  private readonly late: Counter;
  private readonly outOfOrder: Counter;
  private readonly duplicates: Counter;
  private readonly tooFarAhead: Counter;
  private readonly notEgress: Counter<'kind'>;
  private readonly failedBatches: Counter<'reason'>;
  private readonly alerts: Counter<'type'>;
  private readonly suppressedAlerts: Counter<'type'>;
  private readonly lag: Gauge<'topic' | 'partition'>;
  private readonly destinations: Gauge<'partition'>;
  private readonly watermark: Gauge<'partition'>;
  private readonly assigned: Gauge<'topic'>;
  private readonly readyGauge: Gauge;
  readonly batchSeconds: Histogram<'stage'>;
  readonly restoreSeconds: Histogram;
  private readonly enginePartitionsShown = new Set<string>();

  constructor(labels: { instance: string }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, prefix: 'egress_watch_' });
    this.recordsIn = new Counter({ name: 'egress_watch_records_in_total', help: 'Records read from the flows topic', labelNames: ['topic'], registers });
    this.repartitioned = new Counter({ name: 'egress_watch_records_repartitioned_total', help: 'Records re-keyed by destination onto the repartition topic', registers });
    this.processed = new Counter({ name: 'egress_watch_records_processed_total', help: 'Records processed by the detection engines', registers });
    this.deadLetters = new Counter({ name: 'egress_watch_dead_letters_total', help: 'Records sent to the dead-letter topic, by reason class', labelNames: ['reason'], registers });
    this.skipped = new Counter({ name: 'egress_watch_records_skipped_total', help: 'Records re-read after a restart whose effect the restored state already held', registers });
    this.late = new Counter({ name: 'egress_watch_late_records_total', help: 'Records whose window had closed (policy checks ran, the volume baseline did not see them)', registers });
    this.outOfOrder = new Counter({ name: 'egress_watch_out_of_order_records_total', help: 'Records earlier than an event time their gateway had already reported, but within allowed lateness', registers });
    this.duplicates = new Counter({ name: 'egress_watch_duplicate_records_total', help: 'Records whose flow_id the destination had seen within windows.dedup_horizon (counted once, otherwise ignored)', registers });
    this.tooFarAhead = new Counter({ name: 'egress_watch_too_far_ahead_records_total', help: 'Records dead-lettered because their event time was more than windows.max_future ahead of the wall clock', registers });
    this.notEgress = new Counter({
      name: 'egress_watch_input_not_egress_total',
      help:
        'Records read in a sensor dialect (input.format) that are not egress, by kind: internal (both ends inside; still processed), ' +
        'transit (both outside), inbound_one_way, nodata and skipdata (VPC), other_kind (other logs or event types, multicast or broadcast ' +
        'addresses, non-IP samples, denied or refused connections, a middlebox\'s ingress: the skipped kinds of docs/input-formats.md)',
      labelNames: ['kind'],
      registers,
    });
    this.failedBatches = new Counter({
      name: 'egress_watch_batches_failed_total',
      help: 'Engine batches abandoned and re-read from the last commit, by reason: fenced (the partition moved on while this instance stalled), broker_away, other',
      labelNames: ['reason'],
      registers,
    });
    this.alerts = new Counter({ name: 'egress_watch_alerts_total', help: 'Alerts published, by type', labelNames: ['type'], registers });
    this.suppressedAlerts = new Counter({ name: 'egress_watch_alerts_suppressed_total', help: "Alerts an analyst's suppression covered, published to the suppressed topic instead, by type", labelNames: ['type'], registers });
    this.lag = new Gauge({ name: 'egress_watch_consumer_lag', help: 'Records behind the partition end after the last batch', labelNames: ['topic', 'partition'], registers });
    this.destinations = new Gauge({ name: 'egress_watch_state_destinations', help: 'Destinations held in state, per engine partition', labelNames: ['partition'], registers });
    this.watermark = new Gauge({ name: 'egress_watch_watermark_seconds', help: 'Event-time watermark per engine partition (Unix seconds)', labelNames: ['partition'], registers });
    this.assigned = new Gauge({ name: 'egress_watch_assigned_partitions', help: 'Partitions assigned to this instance, per topic', labelNames: ['topic'], registers });
    this.readyGauge = new Gauge({ name: 'egress_watch_ready', help: '1 when the assigned partitions are restored and the consumer runs', registers });
    this.batchSeconds = new Histogram({
      name: 'egress_watch_batch_duration_seconds',
      help: 'Time to process one batch including producing and committing, by stage (forward, engine)',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.restoreSeconds = new Histogram({
      name: 'egress_watch_restore_duration_seconds',
      help: 'Time to restore engine partitions from the changelog',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
  }

  addRecordsIn(topic: string, n: number): void {
    this.counters.recordsIn += n;
    this.recordsIn.inc({ topic }, n);
  }

  addRepartitioned(n: number): void {
    this.counters.repartitioned += n;
    this.repartitioned.inc(n);
  }

  addProcessed(n: number): void {
    this.counters.processed += n;
    this.processed.inc(n);
  }

  addDeadLetter(reason: ReasonClass): void {
    this.counters.deadLetters++;
    this.deadLetters.inc({ reason });
    if (reason === 'too_far_ahead') {
      this.counters.tooFarAhead++;
      this.tooFarAhead.inc();
    }
  }

  addNotEgress(counts: NotEgressCounts): void {
    for (const [kind, n] of Object.entries(counts) as [NotEgressKind, number][]) {
      this.counters.notEgress[kind] = (this.counters.notEgress[kind] ?? 0) + n;
      this.notEgress.inc({ kind }, n);
    }
  }

  addFailedBatch(reason: BatchFailureKind): void {
    this.failedBatches.inc({ reason });
  }

  addSkipped(n: number): void {
    this.counters.skipped += n;
    this.skipped.inc(n);
  }

  addLate(n: number): void {
    this.counters.late += n;
    this.late.inc(n);
  }

  addOutOfOrder(n: number): void {
    this.counters.outOfOrder += n;
    this.outOfOrder.inc(n);
  }

  addDuplicates(n: number): void {
    this.counters.duplicates += n;
    this.duplicates.inc(n);
  }

  addAlert(type: AlertType): void {
    this.counters.alerts[type] = (this.counters.alerts[type] ?? 0) + 1;
    this.alerts.inc({ type });
  }

  addSuppressed(type: AlertType): void {
    this.counters.suppressed[type] = (this.counters.suppressed[type] ?? 0) + 1;
    this.suppressedAlerts.inc({ type });
  }

  setLag(topic: string, partition: number, lag: number): void {
    this.lag.set({ topic, partition: String(partition) }, Math.max(0, lag));
  }

  setEngineState(partition: number, destinations: number, watermarkMs: number): void {
    const labels = { partition: String(partition) };
    this.enginePartitionsShown.add(labels.partition);
    this.destinations.set(labels, destinations);
    if (Number.isFinite(watermarkMs)) this.watermark.set(labels, watermarkMs / 1000);
  }

  /** A new assignment: per-partition series of partitions no longer ours disappear. */
  setAssignment(assignment: Record<string, number[]>, enginePartitions: number[]): void {
    this.lag.reset();
    this.assigned.reset();
    for (const [topic, partitions] of Object.entries(assignment)) this.assigned.set({ topic }, partitions.length);
    const keep = new Set(enginePartitions.map(String));
    for (const partition of this.enginePartitionsShown) {
      if (keep.has(partition)) continue;
      this.destinations.remove({ partition });
      this.watermark.remove({ partition });
      this.enginePartitionsShown.delete(partition);
    }
  }

  setReady(ready: boolean): void {
    this.readyGauge.set(ready ? 1 : 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
