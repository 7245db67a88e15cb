// `egress-watch report`: the audit report over flows from a file or the flows topic, as one
// self-contained HTML file and its JSON twin. The shell: it reads and hashes the inputs,
// runs the same engine as the service over the flows, and hands everything to the pure
// collector (src/report/collect.ts).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { readAlertFile } from '../audit/read-alerts.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { Pipeline } from '../engine/pipeline.js';
import type { Alert, FlowRecord } from '../engine/types.js';
import { openFlowInput } from '../io/input.js';
import { PartitionedPipelines, sortAlerts } from '../engine/partitioned-pipelines.js';
import { readFlowHistory } from '../kafka/flow-history.js';
import { ReportCollector } from '../report/collect.js';
import { renderReportHtml } from '../report/html.js';
import type { ReportData, ReportInput } from '../report/model.js';
import { UsageError } from './errors.js';
import type { DialectReading, InputFormatName } from '../io/dialects/dialect.js';
import { dialectReadingFor } from '../io/dialects/open-input.js';
import { formatDecodeCounts } from '../io/dialects/summary.js';
import { inputFormatOption } from './replay-command.js';

export interface ReportOptions {
  config: string;
  input?: string;
  /** Read the flows from this topic (true: kafka.topics.flows) instead of a file. */
  topic?: string | boolean;
  alerts?: string;
  from?: string;
  to?: string;
  out: string;
  json?: string;
  /** The dialect of `input` (default config `input.format`). */
  inputFormat?: InputFormatName;
  log?: (line: string) => void;
}

export async function runReport(opts: ReportOptions): Promise<ReportData> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  if (!opts.input === !opts.topic) throw new UsageError('report needs exactly one of --input FILE and --topic');
  const config = loadConfig(opts.config);
  const range = { from_ms: parseTime('--from', opts.from), to_ms: parseTime('--to', opts.to) };
  if (range.from_ms !== null && range.to_ms !== null && range.from_ms >= range.to_ms) {
    throw new UsageError(`--from ${opts.from} is not before --to ${opts.to}`);
  }
  const inputs: ReportInput[] = [await hashedFile('config', opts.config)];
  const collector = new ReportCollector(config, range);
  let malformed = 0;
  const bad = (where: string, reason: string) => {
    malformed++;
    if (malformed <= 20) log(`${where}: ${reason}`);
  };

  let engineAlerts: Alert[];
  if (opts.input) {
    inputs.push(await hashedFile('flows', opts.input));
    const dialect = dialectReadingFor(config, opts.inputFormat, opts.input, (d) => log(`--input-format auto: ${opts.input} is ${d.name}`));
    engineAlerts = await fromFile(config, opts.input, collector, bad, dialect);
    if (dialect) log(formatDecodeCounts(dialect.decoder.dialect, dialect.decoder.counts).trim());
  } else {
    const topic = typeof opts.topic === 'string' ? opts.topic : config.kafka.topics.flows;
    const read = await fromTopic(config, topic, collector, bad);
    inputs.push(read.input);
    engineAlerts = read.alerts;
  }
  let provided: Alert[] | null = null;
  if (opts.alerts) {
    if (!existsSync(opts.alerts)) throw new UsageError(`--alerts ${opts.alerts}: no such file`);
    inputs.push(await hashedFile('alerts', opts.alerts));
    provided = (await readAlertFile(opts.alerts, (where, reason) => log(`${where}: not an alert: ${reason}`))).map((l) => l.alert);
  }
  const data = collector.finish(inputs, engineAlerts, provided, malformed);
  const jsonPath = opts.json ?? opts.out.replace(/\.html?$/i, '') + '.json';
  await writeFile(opts.out, renderReportHtml(data));
  await writeFile(jsonPath, JSON.stringify(data, null, 1) + '\n');
  const t = data.totals;
  log(`report ${opts.out} (+ ${jsonPath}): ${t.flows} egress flows, ${t.outside_policy} outside policy (${t.unalerted_violations} without an alert), ${data.gateways.gaps.length} gateway gaps, ${t.alerts} alerts`);
  return data;
}

async function fromFile(config: Config, path: string, collector: ReportCollector, bad: (where: string, reason: string) => void, dialect: DialectReading | null): Promise<Alert[]> {
  const pipeline = new Pipeline(config, { onWindowScore: (s) => collector.observeWindow(s) });
  const alerts: Alert[] = [];
  for await (const batch of openFlowInput(path, { dialect })) {
    for (const item of batch) {
      if (!item.ok) {
        bad(item.where, item.reason);
        continue;
      }
      collector.observe(item.flow);
      for (const a of pipeline.push(item.flow)) alerts.push(a);
    }
  }
  for (const a of pipeline.finish()) alerts.push(a);
  return alerts;
}

/**
 * The topic's retained flows, one engine per partition as the service runs them with
 * kafka.repartition off (records of one destination in one partition). The input's hash
 * covers every record value in partition and offset order.
 */
async function fromTopic(
  config: Config,
  topic: string,
  collector: ReportCollector,
  bad: (where: string, reason: string) => void,
): Promise<{ alerts: Alert[]; input: ReportInput }> {
  const pipelines = new PartitionedPipelines(config, { onWindowScore: (s) => collector.observeWindow(s) });
  const hashes = new Map<number, ReturnType<typeof createHash>>();
  const alerts: Alert[] = [];
  let bytes = 0;
  const ends = await readFlowHistory(config, topic, 'report', {
    raw(partition, value) {
      let hash = hashes.get(partition);
      if (!hash) hashes.set(partition, (hash = createHash('sha256')));
      const v = value ?? Buffer.alloc(0);
      bytes += v.length;
      hash.update(`${v.length}:`).update(v);
    },
    flow(partition, flow) {
      collector.observe(flow);
      for (const a of pipelines.push(partition, flow)) alerts.push(a);
    },
    bad,
  });
  alerts.push(...pipelines.finish());
  const all = createHash('sha256');
  for (const e of ends) all.update(`${e.partition}@${e.low}-${e.high}:`).update(hashes.get(e.partition)?.digest('hex') ?? '');
  const name = `${topic} (${ends.map((e) => `${e.partition}:${e.low}-${e.high}`).join(' ')})`;
  return { alerts: sortAlerts(alerts), input: { kind: 'flows', name, sha256: all.digest('hex'), bytes } };
}

async function hashedFile(kind: ReportInput['kind'], path: string): Promise<ReportInput> {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { kind, name: path, sha256: hash.digest('hex'), bytes: statSync(path).size };
}

export function parseTime(option: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  if (/^\d+$/.test(text)) return Number(text);
  // A time of day without a zone would be read in the machine's zone: the same command would
  // give other figures elsewhere, so the zone must be said.
  if (/T\d\d:\d\d/.test(text) && !/(Z|[+-]\d\d:?\d\d)$/i.test(text)) {
    throw new UsageError(`${option} ${text}: give the time zone (e.g. ${text}Z or ${text}+01:00)`);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${option} ${text}: not a time (ISO 8601 like 2026-01-05T00:00:00Z, or epoch milliseconds)`);
  return ms;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('audit report: flows by data class, country and principal, every flow outside policy tied to its alert, gateway coverage, alert timeline, volume against baseline; one self-contained HTML file and a JSON twin')
    .requiredOption('-c, --config <file>', 'the YAML config (the policy the flows are judged by)')
    .option('-i, --input <file>', 'flow records: .jsonl, .jsonl.gz or Avro container .avro')
    .addOption(inputFormatOption())
    .option('--topic [name]', 'read the flows from Kafka instead (default: kafka.topics.flows), everything retained')
    .option('--alerts <file>', 'the published alerts (JSON Lines) to tie violations to and reconcile with the engine; default: the engine computes them')
    .option('--from <time>', 'start of the period (ISO 8601 or epoch ms, inclusive)')
    .option('--to <time>', 'end of the period (exclusive)')
    .requiredOption('-o, --out <file>', 'the HTML report')
    .option('--json <file>', 'the JSON twin (default: --out with .json)')
    .action(async (opts: ReportOptions) => {
      await runReport(opts);
    });
}
