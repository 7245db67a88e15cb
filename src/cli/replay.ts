// `replay`: the engine over a file of flow records. The imperative shell around the
// same Pipeline the service uses: read, push, write alerts, report what was bad.
import { once } from 'node:events';
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { AlertPath } from '../alerts/alert-path.js';
import { newChainHead } from '../audit/chain.js';
import { UsageError } from './errors.js';
import type { Config } from '../config/types.js';
import { tooFarAhead } from '../engine/future-bound.js';
import { Pipeline } from '../engine/pipeline.js';
import { SEVERITIES, ALERT_TYPES, type Alert, type WindowScore } from '../engine/types.js';
import { formatScorecard, readTruth, scoreAlerts, type Scorecard } from '../eval/scorecard.js';
import { countBytes, InputError, openFlowInput } from '../io/input.js';
import { isFileUnreadable } from '../io/input-item.js';
import { JsonlWriter } from '../io/jsonl.js';
import { openAlertOutput } from '../io/alert-output.js';
import type { AlertFormat } from '../io/siem/index.js';
import type { DecodeCounts, DialectName, InputFormatName } from '../io/dialects/dialect.js';
import { dialectReadingFor } from '../io/dialects/open-input.js';
import { formatDecodeCounts } from '../io/dialects/summary.js';
import { SuppressionBook } from '../suppress/book.js';
import { progressBar } from './progress.js';

export interface ReplayOptions {
  config: Config;
  input: string;
  /** Alerts as JSON Lines; '-' for stdout; null to keep them only in the result. */
  output: string | null;
  /** How `output` is written: json (default), ocsf or ecs as JSON Lines, avro as a container file. */
  format?: AlertFormat;
  scores?: string;
  truth?: string;
  /** Every malformed record with its reason, as JSON Lines. */
  rejects?: string;
  progress?: boolean;
  /** Where messages go (stderr in the CLI). */
  log?: (line: string) => void;
  /** How many malformed records are printed before the rest are only counted. */
  maxReported?: number;
  /** Processing time for windows.max_future, Unix ms; default the wall clock at the start. */
  processingTimeMs?: number;
  /** Alerts a suppression of the config covered, each with it, as JSON Lines (same format as `output`); null or absent: counted only. */
  suppressed?: string | null;
  /** The input dialect (src/io/dialects); default config `input.format`. */
  inputFormat?: InputFormatName;
}

export interface ReplaySummary {
  records: number;
  malformed: number;
  /** Rejected: event time further than windows.max_future ahead of processing time. */
  tooFarAhead: number;
  processed: number;
  internal: number;
  late: number;
  outOfOrder: number;
  duplicates: number;
  destinations: number;
  /** The incidents: alerts no suppression covered. */
  alerts: Alert[];
  /** Alerts a suppression of the config covered (suppressed_by set); not in `alerts`. */
  suppressed: Alert[];
  byType: Record<string, number>;
  bySeverity: Record<string, number>;
  scorecard: Scorecard | null;
  seconds: number;
  /** Read in an input dialect: which, and what its decoder counted. */
  dialect?: { name: DialectName; picked: boolean; counts: DecodeCounts };
}

export const SCORES_HEADER = 'destination,window_start_ms,window_end_ms,detector,observed,expected,score,threshold,alerted';

/** The chain id of a replay's alerts. */
export const REPLAY_CHAIN = 'replay';

export async function replay(opts: ReplayOptions): Promise<ReplaySummary> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const maxReported = opts.maxReported ?? 20;
  const truth = opts.truth ? await readTruth(opts.truth) : null; // fail before the long part
  const total = countBytes(opts.input);
  const scores = opts.scores ? new CsvOut(opts.scores, SCORES_HEADER) : null;
  const pipeline = new Pipeline(opts.config, scores ? { onWindowScore: (s) => scores.row(scoreRow(s)) } : {});
  const out = opts.output ? openAlertOutput(opts.output, opts.format ?? 'json') : null;
  const rejects = opts.rejects ? new JsonlWriter(opts.rejects) : null;
  const suppressions = new SuppressionBook(opts.config.suppressions.entries);
  const suppressedOut = opts.suppressed ? openAlertOutput(opts.suppressed, opts.format ?? 'json') : null;
  const suppressed: Alert[] = [];
  const bar = progressBar(opts.progress ?? true, 'replay');
  const alerts: Alert[] = [];
  let records = 0;
  let malformed = 0;
  let tooFar = 0;
  // Read once: the bound is about clocks that are wrong by far more than a replay lasts.
  const processingMs = opts.processingTimeMs ?? Date.now();
  const maxFuture = opts.config.windows.max_future;
  const reject = (where: string, reason: string): void => {
    const rejected = malformed + tooFar;
    if (rejected <= maxReported) log(`${where}: ${reason}`);
    else if (rejected === maxReported + 1) log(`further rejected records are counted, not shown${opts.rejects ? ` (all are in ${opts.rejects})` : ''}`);
    rejects?.write({ where, reason });
  };
  const started = process.hrtime.bigint();

  // The output is a tamper-evident log like the service's: one chain for the alerts, one for
  // the suppressed ones (`egress-watch verify --input` checks either file).
  const suppressedChain = newChainHead();
  const path = new AlertPath({
    suppressions,
    chains: { id: REPLAY_CHAIN, incidents: newChainHead(), suppressed: () => suppressedChain },
  });
  const emit = async (batch: Alert[]): Promise<void> => {
    for (const a of batch) {
      // As the service does: a covered alert is set aside with its suppression, not published.
      if (path.route(a) === 'suppressed') {
        suppressed.push(a);
        if (suppressedOut && !suppressedOut.write(a)) await suppressedOut.drain();
      } else {
        alerts.push(a);
        if (out && !out.write(a)) await out.drain();
      }
    }
  };

  let bytesRead = 0;
  let picked = false;
  const dialect = dialectReadingFor(opts.config, opts.inputFormat, opts.input, (d) => {
    picked = true;
    log(`--input-format auto: ${opts.input} is ${d.name} (${d.describe})`);
  });
  const input = openFlowInput(opts.input, { onProgress: (done) => (bytesRead = done), dialect });
  /** The first item, when it says the file itself could not be read. */
  let unreadable: string | null = null;
  for await (const batch of input) {
    for (const item of batch) {
      records++;
      if (item.ok) {
        const ahead = item.flow.end_ms - processingMs > maxFuture ? tooFarAhead(item.flow, processingMs, maxFuture) : null;
        if (ahead !== null) {
          tooFar++;
          reject(item.where, ahead);
          continue;
        }
        const produced = pipeline.push(item.flow);
        if (produced.length > 0) await emit(produced);
      } else {
        malformed++;
        if (records === 1 && unreadable === null && isFileUnreadable(item)) unreadable = `${item.where}: ${item.reason}`;
        reject(item.where, item.reason);
      }
    }
    bar.update(bytesRead, total, records);
    await scores?.drain();
  }
  await emit(pipeline.finish());
  bar.stop();
  await out?.close();
  await suppressedOut?.close();
  await rejects?.close();
  await scores?.close();

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const c = pipeline.engine.counters;
  const summary: ReplaySummary = {
    records,
    malformed,
    tooFarAhead: tooFar,
    processed: records - malformed - tooFar,
    internal: c.internal,
    late: c.late,
    outOfOrder: c.outOfOrder,
    duplicates: c.duplicates,
    destinations: pipeline.engine.destinationCount,
    alerts,
    suppressed,
    byType: tally(alerts, 'type', ALERT_TYPES),
    bySeverity: tally(alerts, 'severity', SEVERITIES),
    scorecard: truth ? scoreAlerts(alerts, truth) : null,
    seconds,
  };
  if (dialect) summary.dialect = { name: dialect.decoder.dialect, picked, counts: dialect.decoder.counts };
  for (const line of formatSummary(summary, opts.input)) log(line);
  // A file none of which could be read (not the container its name says, a header that does
  // not parse, a read that failed at once) cannot go on: exit 2 with the reason, as for a missing file.
  if (unreadable !== null && summary.processed === 0 && summary.tooFarAhead === 0) throw new InputError(`nothing could be read from ${opts.input}: ${unreadable}`);
  return summary;
}

function countBy(alerts: Alert[], key: (a: Alert) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of alerts) counts[key(a)] = (counts[key(a)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function tally(alerts: Alert[], field: 'type' | 'severity', names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of names) counts[n] = 0;
  for (const a of alerts) counts[a[field]]++;
  return counts;
}

export function formatSummary(s: ReplaySummary, input: string): string[] {
  const rate = s.seconds > 0 ? Math.round(s.records / s.seconds) : 0;
  const nonZero = (m: Record<string, number>) =>
    Object.entries(m)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none';
  const lines = [
    `replay ${input}: ${s.records} records in ${s.seconds.toFixed(2)} s (${rate}/s)`,
    `  processed ${s.processed}, malformed ${s.malformed}, too far ahead ${s.tooFarAhead}, internal (not egress) ${s.internal}, destinations ${s.destinations}`,
    `  event time: duplicates ${s.duplicates}, late ${s.late}, out of order ${s.outOfOrder}`,
    `  alerts ${s.alerts.length}: ${nonZero(s.byType)}`,
    `  by severity: ${nonZero(s.bySeverity)}`,
  ];
  if (s.dialect) lines.push(formatDecodeCounts(s.dialect.name, s.dialect.counts));
  if (s.suppressed.length > 0) lines.push(`  suppressed ${s.suppressed.length} (not in the alerts): ${nonZero(countBy(s.suppressed, (a) => a.suppressed_by!.id))}`);
  if (s.scorecard) lines.push('', formatScorecard(s.scorecard));
  return lines;
}

function scoreRow(s: WindowScore): string {
  return [
    csvField(s.destination),
    s.window_start_ms,
    s.window_end_ms,
    s.detector,
    s.observed,
    s.expected,
    s.score,
    s.threshold,
    s.alerted,
  ].join(',');
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Buffered CSV lines; the engine's callback is synchronous, so rows queue until flushed. */
class CsvOut {
  private readonly stream: WriteStream;
  private pending: string;
  constructor(path: string, header: string) {
    let fd: number;
    try {
      fd = openSync(path, 'w'); // fail now, with the path, rather than as a stream error later
    } catch (err) {
      throw new UsageError(`--scores ${path}: ${(err as Error).message}`);
    }
    this.stream = createWriteStream('', { fd });
    this.pending = header + '\n';
  }
  row(line: string): void {
    this.pending += line + '\n';
    if (this.pending.length > 1 << 16) {
      this.stream.write(this.pending);
      this.pending = '';
    }
  }
  async drain(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.on('error', reject);
      this.stream.end(this.pending, () => resolve());
    });
  }
}
