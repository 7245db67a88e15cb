// When the engine state differs from the replay: where did it start? Walks one partition's
// changelog batch by batch (each batch ends with its progress marker) and replays the
// reference alongside, up to the same input position, comparing every value the batch wrote
// with the reference engine's value at that point. The first difference, with its offset and
// wall-clock timestamp, can then be matched with the fault log. Pure.
import type { Config } from '../config/types.js';
import { Pipeline } from '../engine/pipeline.js';
import type { FlowRecord } from '../engine/types.js';
import { parseProgress, PROGRESS_KEY } from '../kafka/progress.js';
import { repartitionEntries, type TopicRecord } from './read-back.js';

export interface Divergence {
  partition: number;
  changelogOffset: number;
  timestamp: number;
  /** The progress marker's next offset (engine input) of the batch. */
  next: number;
  what: string;
}

/**
 * @param flows the valid records of the partition, in order (the reference input)
 * @param repartition the partition's repartition-topic records (copies included), in offset order
 * @param changelog the partition's changelog records, in offset order
 */
export function firstDivergence(
  config: Config,
  partition: number,
  flows: readonly FlowRecord[],
  repartition: readonly TopicRecord[],
  changelog: readonly TopicRecord[],
): Divergence | null {
  // Engine-input offset -> how many distinct records lie below it (what the state holds at that marker).
  const seen = new Set<string>();
  const appliedBelow: number[] = [];
  let applied = 0;
  for (const r of repartitionEntries(repartition)) {
    appliedBelow[r.offset] ??= applied;
    if (!seen.has(r.source)) {
      seen.add(r.source);
      applied++;
    }
  }
  const appliedAt = (next: number) => (next >= appliedBelow.length ? applied : appliedBelow[next] ?? applied);

  const pipeline = new Pipeline(config);
  let fed = 0;
  let lastNext = 0;
  let batch: TopicRecord[] = [];
  for (const r of changelog) {
    if (r.key !== PROGRESS_KEY) {
      batch.push(r);
      continue;
    }
    const progress = r.value === null ? null : parseProgress(r.value.toString('utf8'));
    if (progress === null || typeof progress === 'string') {
      return { partition, changelogOffset: r.offset, timestamp: r.timestamp, next: -1, what: `unreadable progress marker: ${progress}` };
    }
    const at = { partition, changelogOffset: r.offset, timestamp: r.timestamp, next: progress.next };
    if (progress.next < lastNext) return { ...at, what: `progress marker went back from ${lastNext} to ${progress.next} (a stale writer)` };
    lastNext = progress.next;
    const target = appliedAt(progress.next);
    while (fed < target && fed < flows.length) pipeline.push(flows[fed++]);
    const expected = new Map(pipeline.engine.snapshot().map((c) => [c.key, c.value]));
    for (const w of batch) {
      const value = w.value === null ? null : w.value.toString('utf8');
      if (value !== (expected.get(w.key!) ?? null)) {
        return { ...at, what: `${w.key} written at offset ${w.offset} differs from the replay after ${target} records` };
      }
    }
    batch = [];
  }
  return null;
}
