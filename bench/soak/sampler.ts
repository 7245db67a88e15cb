// One soak sample: what the service reports on /metrics, and the consumer lag as the broker
// sees it (topic end offsets minus the group's committed offsets), so the lag does not rest
// on the service's own account of itself.
import type { Admin } from 'kafkajs';
import { groupProgress, lagOf } from '../../src/kafka/group-progress.js';
import { parseMetricsText, sumMetric, type MetricSample } from './metrics-text.js';

export type Phase = 'capacity' | 'drain-capacity' | 'soak' | 'drain';

export interface Sample {
  /** Seconds since the service was ready. */
  t_s: number;
  phase: Phase;
  /** Flows the soak has sent (latency probes included). */
  produced: number;
  /** Service counters (cumulative). */
  records_in: number;
  processed: number;
  dead_letters: number;
  late: number;
  alerts: number;
  /** Flows per second over the interval since the previous sample. */
  produced_per_s: number;
  processed_per_s: number;
  /** Committed-offset lag of the service's group: flows topic, repartition topic. */
  lag_flows: number;
  lag_repartition: number;
  /** The service's own egress_watch_consumer_lag, summed (after its last batch per partition). */
  lag_reported: number;
  heap_used_bytes: number;
  heap_total_bytes: number;
  rss_bytes: number;
  /** Destinations in the engines' state, all partitions. */
  destinations: number;
  /** The least event-time watermark over the engine partitions, epoch ms (NaN before any). */
  watermark_ms: number;
}

export interface SamplerTarget {
  metricsUrl: string;
  admin: Admin;
  groupId: string;
  flowsTopic: string;
  repartitionTopic: string;
}

const P = 'egress_watch_';

export async function scrape(metricsUrl: string): Promise<MetricSample[]> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`${metricsUrl}: HTTP ${response.status}`);
  return parseMetricsText(await response.text());
}

/** Records behind the end of `topic` for the group (a partition never committed counts from its low offset). */
export async function committedLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  return lagOf(await groupProgress(admin, groupId, topic));
}

export async function takeSample(
  target: SamplerTarget,
  at: { t_s: number; phase: Phase; produced: number },
  previous: Sample | undefined,
): Promise<Sample> {
  const [m, lagFlows, lagRepartition] = await Promise.all([
    scrape(target.metricsUrl),
    committedLag(target.admin, target.groupId, target.flowsTopic),
    committedLag(target.admin, target.groupId, target.repartitionTopic),
  ]);
  const processed = sumMetric(m, `${P}records_processed_total`);
  const watermarks = m.filter((s) => s.name === `${P}watermark_seconds`).map((s) => s.value * 1000);
  const dt = previous === undefined ? NaN : at.t_s - previous.t_s;
  return {
    ...at,
    records_in: sumMetric(m, `${P}records_in_total`),
    processed,
    dead_letters: sumMetric(m, `${P}dead_letters_total`),
    late: sumMetric(m, `${P}late_records_total`),
    alerts: sumMetric(m, `${P}alerts_total`),
    produced_per_s: previous === undefined ? NaN : (at.produced - previous.produced) / dt,
    processed_per_s: previous === undefined ? NaN : (processed - previous.processed) / dt,
    lag_flows: lagFlows,
    lag_repartition: lagRepartition,
    lag_reported: sumMetric(m, `${P}consumer_lag`),
    heap_used_bytes: sumMetric(m, `${P}nodejs_heap_size_used_bytes`),
    heap_total_bytes: sumMetric(m, `${P}nodejs_heap_size_total_bytes`),
    rss_bytes: sumMetric(m, `${P}process_resident_memory_bytes`),
    destinations: sumMetric(m, `${P}state_destinations`),
    watermark_ms: watermarks.length === 0 ? NaN : Math.min(...watermarks),
  };
}

export const SAMPLE_COLUMNS: (keyof Sample)[] = [
  't_s', 'phase', 'produced', 'records_in', 'processed', 'dead_letters', 'late', 'alerts', 'produced_per_s', 'processed_per_s',
  'lag_flows', 'lag_repartition', 'lag_reported', 'heap_used_bytes', 'heap_total_bytes', 'rss_bytes', 'destinations', 'watermark_ms',
];

export function samplesCsv(samples: Sample[]): string {
  const rows = samples.map((s) => SAMPLE_COLUMNS.map((c) => (typeof s[c] === 'number' ? round(s[c] as number) : s[c])).join(','));
  return [SAMPLE_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

function round(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '';
}
