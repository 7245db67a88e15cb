// Reads changelog partitions back from the beginning up to their end offset at the time of
// asking: the state the engine of each of those partitions continues from.
//
// How: read-to-end.ts, one throwaway consumer group per restore round, so one round
// restores every partition an assignment brings.
//
// The end is always reached: every state write is a transaction that ends with the progress
// marker (a live key compaction never removes) and the commit marker after it, and the reader
// sees the batch holding offset end-1 either way (read-to-end.ts).
import type { Kafka } from 'kafkajs';
import type { RestoredState } from './engine-task.js';
import { parseProgress, PROGRESS_KEY, type Progress } from './progress.js';
import { readToEnd } from './read-to-end.js';

export interface RestoreRequest {
  topic: string;
  partitions: number[];
  /** Prefix of the throwaway group id, e.g. `<group_id>.restore`. */
  groupPrefix: string;
  signal?: AbortSignal;
  warn?: (message: string, extra?: Record<string, unknown>) => void;
}

export async function readChangelog(kafka: Kafka, req: RestoreRequest): Promise<Map<number, RestoredState>> {
  const result = new Map<number, RestoredState>();
  for (const p of req.partitions) result.set(p, { entries: new Map(), progress: null, changelogEnd: 0 });
  const ends = await readToEnd(kafka, req, (partition, m, offset) => apply(result.get(partition)!, m.key, m.value, req, partition, offset));
  for (const e of ends) result.get(e.partition)!.changelogEnd = e.high;
  return result;
}

function apply(state: RestoredState, key: Buffer | null, value: Buffer | null, req: RestoreRequest, partition: number, offset: number): void {
  if (key === null) {
    req.warn?.(`changelog ${req.topic} partition ${partition} offset ${offset}: record without a key, ignored`);
    return;
  }
  const k = key.toString('utf8');
  const v = value === null ? null : value.toString('utf8');
  if (k === PROGRESS_KEY) {
    const progress: Progress | string | null = v === null ? null : parseProgress(v);
    if (typeof progress === 'string') {
      req.warn?.(`changelog ${req.topic} partition ${partition} offset ${offset}: ${progress}; ignored`);
      return;
    }
    state.progress = progress;
    return;
  }
  state.entries.set(k, v);
}

