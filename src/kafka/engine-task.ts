// The engine of one engine-input partition: decodes its records, skips those its state already
// reflects (see progress.ts), pushes the rest through the Pipeline and hands back alerts, dead
// letters and the state changes the changelog must receive. No I/O here: the batch handler
// does the producing and committing.
import { AlertPath } from '../alerts/alert-path.js';
import { newChainHead } from '../audit/chain.js';
import type { Config } from '../config/types.js';
import { Engine } from '../engine/engine.js';
import { checkFuture, type FutureBound } from '../engine/future-bound.js';
import { Pipeline } from '../engine/pipeline.js';
import type { Alert, StateChange } from '../engine/types.js';
import type { SuppressionBook } from '../suppress/book.js';
import { repartitionDecoder, type MessageInput, type NotEgressCounts, type PartitionReader } from './decoder.js';
import { DLQ_HEADERS, type DeadLetter, type InputMessage } from './dlq.js';
import { emptyProgress, progressEntry, type Progress } from './progress.js';
import { decodePack, isPack } from './repartition-pack.js';

/** A changelog partition read back (restore.ts). */
export interface RestoredState {
  /** Latest value per engine key (`d:` and `m:` keys); null: deleted. */
  entries: Map<string, string | null>;
  progress: Progress | null;
  /** The changelog partition's end offset when it was read. */
  changelogEnd: number;
}

export interface BatchOutput {
  alerts: Alert[];
  /** Alerts an analyst's suppression covered: for kafka.topics.suppressed, not the incident topic. */
  suppressed: Alert[];
  deadLetters: DeadLetter[];
  /** Messages read (not skipped): each gives zero or more flows, or a dead letter. */
  read: number;
  /** Flows processed by the engine. */
  processed: number;
  /** Records the state already reflected (re-read after a crash, or duplicated upstream). */
  skipped: number;
}

export function newBatchOutput(): BatchOutput {
  return { alerts: [], suppressed: [], deadLetters: [], read: 0, processed: 0, skipped: 0 };
}

export interface EngineTaskOptions {
  config: Config;
  topic: string;
  partition: number;
  /** The messages of the engine-input topic (its reader of this partition lives and dies with the task). */
  input: MessageInput;
  /** Records carry x-source-partition/x-source-offset of the flows topic (the repartition topic does). */
  dedupeBySource: boolean;
  restored?: RestoredState;
  warn?: (message: string) => void;
  /** The suppressions in force (shared by the tasks, kept current by the service); none when absent. */
  suppressions?: SuppressionBook;
}

export class EngineTask {
  readonly pipeline: Pipeline;
  readonly topic: string;
  readonly partition: number;
  /** End offset of the changelog partition after our last write: unchanged means nobody else wrote since. */
  changelogEnd: number;
  private readonly progress: Progress;
  private progressDirty = false;
  /** This partition's reader: a dialect's state (Zeek open connections) is dropped with the task and restored state. */
  private readonly reader: PartitionReader;
  private readonly dedupeBySource: boolean;
  private readonly alertPath: AlertPath;

  constructor(o: EngineTaskOptions) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.reader = o.input.reader(o.partition);
    this.dedupeBySource = o.dedupeBySource;
    const engine = new Engine(o.config);
    if (o.restored !== undefined && o.restored.entries.size > 0) {
      engine.restore(changesOf(o.restored.entries));
    }
    this.pipeline = Pipeline.resume(o.config, engine);
    this.changelogEnd = o.restored?.changelogEnd ?? 0;
    const saved = o.restored?.progress ?? null;
    if (saved !== null && saved.topic !== o.topic) {
      // kafka.repartition was switched: offsets of the other topic mean nothing here.
      o.warn?.(`changelog partition ${o.partition} was written while reading ${saved.topic}; its input offsets are not used for ${o.topic}`);
    }
    this.progress = saved !== null && saved.topic === o.topic ? saved : emptyProgress(o.topic);
    // The chain heads live in the progress marker: they advance with the state they came from.
    const progress = this.progress;
    this.alertPath = new AlertPath({
      suppressions: o.suppressions,
      chains: { id: this.chainId, incidents: progress.chain, suppressed: () => (progress.suppressed ??= newChainHead()) },
    });
  }

  /** The alert hash chain of this partition (see src/audit/chain.ts). */
  get chainId(): string {
    return `${this.topic}/${this.partition}`;
  }

  get engine(): Engine {
    return this.pipeline.engine;
  }

  /** Next engine-input offset the state does not reflect yet. */
  get nextOffset(): number {
    return this.progress.next;
  }

  /** One record: skipped if already reflected, dead-lettered if bad, else into the pipeline. */
  accept(m: InputMessage, out: BatchOutput, bound?: FutureBound): void {
    const offset = Number(m.offset);
    if (offset < this.progress.next) {
      out.skipped++;
      return;
    }
    this.progress.next = offset + 1;
    this.progressDirty = true;
    if (this.dedupeBySource && isPack(m.value)) return this.acceptPack(m, out);
    if (this.dedupeBySource && this.isDuplicate(m)) {
      out.skipped++;
      return;
    }
    out.read++;
    const result = this.reader.read(m.value);
    if (!result.ok) {
      out.deadLetters.push({ message: m, reason: result.reason, topic: this.topic, partition: this.partition });
      return;
    }
    // A message whose flows cannot all go in is dead-lettered whole.
    for (const flow of result.flows) {
      const ahead = checkFuture(flow, bound);
      if (ahead !== null) {
        out.deadLetters.push({ message: m, reason: ahead, topic: this.topic, partition: this.partition });
        return;
      }
    }
    for (const flow of result.flows) {
      out.processed++;
      for (const alert of this.pipeline.push(flow)) this.route(alert, out);
    }
  }

  /** What the partition's dialect read that is not egress since the last call (internal, transit, ...). */
  takeNotEgress(): NotEgressCounts {
    return this.reader.takeNotEgress();
  }

  /** Incident or suppressed, then chained (src/alerts/alert-path.ts), into the batch's output. */
  private route(alert: Alert, out: BatchOutput): void {
    if (this.alertPath.route(alert) === 'incident') out.alerts.push(alert);
    else out.suppressed.push(alert);
  }

  /** After a batch: offsets up to its end are done (covers offsets of records never delivered, like control records). */
  finishBatch(lastOffset: number): void {
    if (lastOffset + 1 > this.progress.next) {
      this.progress.next = lastOffset + 1;
      this.progressDirty = true;
    }
  }

  /** State changes since the last call, progress marker last; empty when nothing changed. */
  commit(): StateChange[] {
    const changes = this.engine.commit();
    if (this.progressDirty || changes.length > 0) {
      changes.push(progressEntry(this.progress));
      this.progressDirty = false;
    }
    return changes;
  }

  /** A repartition pack: each flow, unless its source offset says it was applied already. */
  private acceptPack(m: InputMessage, out: BatchOutput): void {
    const pack = decodePack(m.value!);
    if (typeof pack === 'string') {
      out.deadLetters.push({ message: m, reason: pack, topic: this.topic, partition: this.partition });
      return;
    }
    const key = String(pack.sourcePartition);
    // A message in a dialect may give several flows, all with its offset and in one pack: those
    // after the first continue what was just applied; the same offset in a later pack is a copy.
    let previous = -1;
    let previousApplied = false;
    for (const f of pack.flows) {
      const seen = this.progress.sources[key];
      const continues = previousApplied && f.offset === previous;
      previous = f.offset;
      if (seen !== undefined && f.offset <= seen && !continues) {
        previousApplied = false;
        out.skipped++;
        continue;
      }
      previousApplied = true;
      this.progress.sources[key] = f.offset;
      const result = repartitionDecoder.decode(f.value);
      if (!result.ok) {
        // The forwarder wrote it from a validated flow: a damaged pack, kept with the reason.
        out.deadLetters.push({ message: { ...m, value: f.value }, reason: `flow at ${key}@${f.offset} in the pack: ${result.reason}`, topic: this.topic, partition: this.partition });
        continue;
      }
      out.processed++;
      for (const alert of this.pipeline.push(result.flow)) this.route(alert, out);
    }
  }

  /**
   * The forwarder re-produces records after a crash between its produce and its commit; per
   * flows partition its records arrive in offset order, so one at or below the highest source
   * offset applied is a copy.
   */
  private isDuplicate(m: InputMessage): boolean {
    const sourcePartition = headerText(m, DLQ_HEADERS.partition);
    const sourceOffset = Number(headerText(m, DLQ_HEADERS.offset));
    if (sourcePartition === undefined || !Number.isSafeInteger(sourceOffset)) return false;
    const seen = this.progress.sources[sourcePartition];
    if (seen !== undefined && sourceOffset <= seen) return true;
    this.progress.sources[sourcePartition] = sourceOffset;
    return false;
  }
}

function* changesOf(entries: Map<string, string | null>): Iterable<StateChange> {
  for (const [key, value] of entries) yield { key, value };
}

export function headerText(m: InputMessage, name: string): string | undefined {
  const raw = m.headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}
