// `replay --baseline-config CURRENT --config NEW`: both configs over the same traffic,
// then the difference. Each run is an ordinary replay (the same engine, the same
// malformed-record reporting), so what the flight shows is what each config would do.
import type { Config } from '../config/types.js';
import { diffFlight, formatFlight, type FlightDiff } from '../eval/flight.js';
import { readTruth } from '../eval/scorecard.js';
import { JsonlWriter } from '../io/jsonl.js';
import { replay } from './replay.js';

export interface FlightOptions {
  /** The candidate config. */
  config: Config;
  configPath: string;
  /** The config in force. */
  baselineConfig: Config;
  baselineConfigPath: string;
  input: string;
  /** The candidate's alerts as JSON Lines ('-' for stdout); null: not written. */
  output: string | null;
  truth?: string;
  /** The difference as one JSON document. */
  diffJson?: string;
  progress?: boolean;
  log?: (line: string) => void;
  /** Where the difference report goes (stdout in the CLI). */
  print?: (line: string) => void;
}

export async function flight(opts: FlightOptions): Promise<FlightDiff> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const truth = opts.truth ? await readTruth(opts.truth) : null;
  const run = (config: Config, output: string | null, label: string) =>
    replay({ config, input: opts.input, output, progress: opts.progress, log: (line) => log(`[${label}] ${line}`) });
  const inForce = await run(opts.baselineConfig, null, 'in force');
  const candidate = await run(opts.config, opts.output, 'candidate');
  const diff = diffFlight(inForce.alerts, candidate.alerts, truth);
  for (const line of formatFlight(diff, { baseline: opts.baselineConfigPath, candidate: opts.configPath })) print(line);
  if (opts.diffJson) {
    const w = new JsonlWriter(opts.diffJson);
    w.write(diff);
    await w.close();
  }
  return diff;
}
