// `generate`: synthetic gateway traffic with injected incidents, and their ground truth.
import type { Command } from 'commander';
import { parseDuration } from '../config/units.js';
import { ALERT_TYPES, type AlertType } from '../engine/types.js';
import { writeTruth } from '../eval/scorecard.js';
import { SCENARIOS, generateTraffic, resolveGenerateOptions, type GenerateOptions, type ScenarioName } from '../generate/index.js';
import { openFlowOutput } from '../io/flow-output.js';
import { UsageError } from './errors.js';
import { registerGenerateTopicOptions, runGenerateToTopic, type GenerateTopicCliOptions } from './generate-topic.js';

export interface GenerateCliOptions {
  seed: string;
  output?: string;
  truth?: string;
  start?: string;
  duration?: string;
  rate?: string;
  destinations?: string;
  incidents?: string;
  types?: string;
  learning?: string;
  scenario?: string;
}

export function generateOptionsFrom(opts: GenerateCliOptions): GenerateOptions {
  const int = (name: string, text: string): number => {
    if (!/^\d+$/.test(text)) throw new UsageError(`--${name}: expected a whole number, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  const num = (name: string, text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got ${JSON.stringify(text)}`);
    return n;
  };
  const dur = (name: string, text: string): number => {
    try {
      return parseDuration(text);
    } catch (err) {
      throw new UsageError(`--${name}: ${(err as Error).message}`);
    }
  };
  let start_ms: number | undefined;
  if (opts.start !== undefined) {
    start_ms = Date.parse(opts.start);
    if (Number.isNaN(start_ms)) throw new UsageError(`--start: expected an ISO 8601 time such as 2026-01-05T00:00:00Z, got ${JSON.stringify(opts.start)}`);
  }
  let types: AlertType[] | undefined;
  if (opts.types !== undefined) {
    types = opts.types.split(',').map((t) => t.trim().toUpperCase()) as AlertType[];
    const bad = types.filter((t) => !(ALERT_TYPES as readonly string[]).includes(t));
    if (bad.length > 0) throw new UsageError(`--types: unknown alert type ${bad.join(', ')}; expected some of ${ALERT_TYPES.join(', ')}`);
  }
  let scenario: ScenarioName | undefined;
  if (opts.scenario !== undefined) {
    if (!(SCENARIOS as readonly string[]).includes(opts.scenario)) {
      throw new UsageError(`--scenario: expected one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(opts.scenario)}`);
    }
    scenario = opts.scenario as ScenarioName;
  }
  // Options not given take the scenario's defaults (resolveGenerateOptions).
  const given = <T>(text: string | undefined, parse: (text: string) => T): T | undefined => (text === undefined ? undefined : parse(text));
  try {
    return resolveGenerateOptions({
      seed: int('seed', opts.seed),
      start_ms,
      duration_ms: given(opts.duration, (t) => dur('duration', t)),
      rate: given(opts.rate, (t) => num('rate', t)),
      destinations: given(opts.destinations, (t) => int('destinations', t)),
      incidents_per_type: given(opts.incidents, (t) => int('incidents', t)),
      learning_ms: given(opts.learning, (t) => dur('learning', t)),
      types,
      scenario,
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}

export function addGenerateOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--seed <n>', 'seed of the pseudo-random generator: the same options give the same records')
    .option(
      '--scenario <name>',
      'standard (default): the original traffic and incident shapes; volume: the shapes volume detection must survive ' +
        '(compounding creeps of +25 %/h for 8h and +50 %/h for 6h that plateau 6h, lasting legitimate 3x steps that stay to the end, ' +
        'night bursts of 10x the night level for 1h, 1-3 minute bursts) over deep rhythms (nights at 0.1 of the mean, ' +
        'weekends a quarter of a weekday); it changes the defaults below to 11 days from Friday 2026-01-02 (two weekends, each with its Monday), 7d learning, ' +
        '2 incidents per shape, VOLUME_SPIKE and SUSTAINED_INCREASE only',
    )
    .option('--start <iso>', 'first instant of the traffic (default 2026-01-05T00:00:00Z, a Monday)')
    .option('--duration <d>', 'how much event time to generate, e.g. 6h, 3d (default 3d)')
    .option('--rate <n>', 'mean flows per second over all destinations (default 5)')
    .option('--destinations <n>', 'number of external destinations (default 200)')
    .option('--incidents <n>', 'incidents injected per alert type, or per shape of a type in the volume scenario (default 3)')
    .option('--types <list>', `comma-separated alert types to inject (default all: ${ALERT_TYPES.join(',')})`)
    .option('--learning <d>', 'no incident before this much event time has passed (default 26h: past a 1d new-destination learning period)')
    .option('--truth <file>', 'write the injected incidents (ground truth) as JSON Lines');
}

export function registerGenerateCommand(program: Command): void {
  registerGenerateTopicOptions(
    addGenerateOptions(
      program
        .command('generate')
        .description('synthetic gateway traffic with injected incidents of every alert type, deterministic by --seed; to a file or, with --topic, to Kafka'),
    ),
  )
    .option('-o, --output <file>', 'flow records: .jsonl, .jsonl.gz, .avro, or - for stdout', '-')
    .action(async (opts: GenerateCliOptions & GenerateTopicCliOptions & { output: string }) => {
      if (opts.topic !== undefined) return runGenerateToTopic(opts);
      const options = generateOptionsFrom(opts);
      const { flows, truth } = generateTraffic(options);
      const out = openFlowOutput(opts.output);
      let n = 0;
      for (const flow of flows) {
        n++;
        if (!out.write(flow)) await out.drain();
      }
      await out.close();
      if (opts.truth) await writeTruth(opts.truth, truth);
      process.stderr.write(
        `generate: ${n} flow records to ${opts.output}, ${truth.length} incidents${opts.truth ? ` to ${opts.truth}` : ''}\n`,
      );
    });
}
