// `replay --baseline-config CURRENT --config NEW`: both configs over the same traffic,
// then the difference. Each run is an ordinary replay (the same engine, the same
// malformed-record reporting), so what the flight shows is what each config would do.
import { AlertPath } from '../alerts/alert-path.js';
import type { Config } from '../config/types.js';
import { PartitionedPipelines, sortAlerts } from '../engine/partitioned-pipelines.js';
import type { Alert } from '../engine/types.js';
import { diffFlight, formatFlight, type FlightDiff } from '../eval/flight.js';
import { readTruth } from '../eval/scorecard.js';
import { JsonlWriter } from '../io/jsonl.js';
import { readFlowHistory } from '../kafka/flow-history.js';
import { SuppressionBook } from '../suppress/book.js';
import { replay } from './replay.js';
import type { InputFormatName } from '../io/dialects/dialect.js';

export interface FlightOptions {
  /** The candidate config. */
  config: Config;
  configPath: string;
  /** The config in force. */
  baselineConfig: Config;
  baselineConfigPath: string;
  /** Flow records from a file, or from a topic's retained history (one engine per partition). */
  input?: string;
  topic?: string;
  /** The candidate's alerts as JSON Lines ('-' for stdout); null: not written. */
  output: string | null;
  truth?: string;
  /** The difference as one JSON document. */
  diffJson?: string;
  progress?: boolean;
  /** The dialect of `input` (default config `input.format`). */
  inputFormat?: InputFormatName;
  log?: (line: string) => void;
  /** Where the difference report goes (stdout in the CLI). */
  print?: (line: string) => void;
}

export async function flight(opts: FlightOptions): Promise<FlightDiff> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const truth = opts.truth ? await readTruth(opts.truth) : null;
  let inForce: Alert[];
  let candidate: Alert[];
  if (opts.topic !== undefined) {
    [inForce, candidate] = await flyOverTopic(opts, opts.topic, log);
    if (opts.output) {
      const w = new JsonlWriter(opts.output);
      for (const a of candidate) if (!w.write(a)) await w.drain();
      await w.close();
    }
  } else {
    if (opts.input === undefined) throw new Error('flight needs an input file or a topic');
    const input = opts.input;
    const run = (config: Config, output: string | null, label: string) =>
      replay({ config, input, output, progress: opts.progress, inputFormat: opts.inputFormat, log: (line) => log(`[${label}] ${line}`) });
    inForce = (await run(opts.baselineConfig, null, 'in force')).alerts;
    candidate = (await run(opts.config, opts.output, 'candidate')).alerts;
  }
  const diff = diffFlight(inForce, candidate, truth);
  for (const line of formatFlight(diff, { baseline: opts.baselineConfigPath, candidate: opts.configPath })) print(line);
  if (opts.diffJson) {
    const w = new JsonlWriter(opts.diffJson);
    w.write(diff);
    await w.close();
  }
  return diff;
}

/** Both configs over one read of the topic: the same records, in the same order, for each. */
async function flyOverTopic(opts: FlightOptions, topic: string, log: (line: string) => void): Promise<[Alert[], Alert[]]> {
  const sides = [opts.baselineConfig, opts.config].map((config) => ({ pipelines: new PartitionedPipelines(config), alerts: [] as Alert[] }));
  let records = 0;
  let bad = 0;
  const ends = await readFlowHistory(opts.config, topic, 'flight', {
    flow(partition, flow) {
      records++;
      for (const side of sides) for (const a of side.pipelines.push(partition, flow)) side.alerts.push(a);
    },
    bad(where, reason) {
      bad++;
      if (bad <= 20) log(`${where}: ${reason}`);
    },
  });
  for (const side of sides) side.alerts.push(...side.pipelines.finish());
  // As replay and the service: what a config's suppressions cover is not an incident of it.
  const incidents = (config: Config, alerts: Alert[]) => {
    const kept: Alert[] = [];
    new AlertPath({ suppressions: new SuppressionBook(config.suppressions.entries) }).split(alerts, kept, []);
    return kept;
  };
  sides[0].alerts = incidents(opts.baselineConfig, sides[0].alerts);
  sides[1].alerts = incidents(opts.config, sides[1].alerts);
  log(`flight over ${topic} (${ends.map((e) => `${e.partition}:${e.low}-${e.high}`).join(' ')}): ${records} flows, ${bad} undecodable`);
  return [sortAlerts(sides[0].alerts), sortAlerts(sides[1].alerts)];
}
