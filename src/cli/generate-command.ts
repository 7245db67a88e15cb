// `generate`: synthetic gateway traffic with injected incidents, and their ground truth.
import type { Command } from 'commander';
import { ALERT_TYPES } from '../engine/types.js';
import { writeTruth } from '../eval/scorecard.js';
import { generateTraffic } from '../generate/index.js';
import { DialectStream } from '../io/encoders/dialect-stream.js';
import { writeEnrichConfig } from '../io/encoders/enrich-config.js';
import { LineOutput } from '../io/encoders/line-output.js';
import { openFlowOutput } from '../io/flow-output.js';
import type { FlowRecord } from '../engine/types.js';
import { generateOptionsFrom, type GenerateCliOptions } from './generate-options.js';
import { baseConfigText, dialectOf, registerGenerateTopicOptions, runGenerateToTopic, type GenerateTopicCliOptions } from './generate-topic.js';
import { UsageError } from './errors.js';

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
    .option('-o, --output <file>', 'flow records: .jsonl, .jsonl.gz, .avro, or - for stdout; with a sensor --format, its lines (.gz: compressed)', '-')
    .action(async (opts: GenerateCliOptions & GenerateTopicCliOptions & { output: string }) => {
      if (opts.topic !== undefined) return runGenerateToTopic(opts);
      const dialect = dialectOf(opts.format, 'file');
      if (opts.enrichConfig !== undefined && dialect === null) throw new UsageError('--enrich-config needs a sensor --format (zeek, vpc, goflow2, suricata or ocsf)');
      const options = generateOptionsFrom(opts);
      const { flows, truth } = generateTraffic(options);
      const stream = dialect === null ? null : new DialectStream(dialect);
      const written = stream === null ? await writeFlows(flows, opts.output) : await writeDialect(flows, opts, stream);
      if (opts.truth) await writeTruth(opts.truth, stream === null ? truth : stream.truth(truth));
      process.stderr.write(
        `generate: ${written.flows} flow records to ${opts.output}${stream === null ? '' : ` as ${dialect} (${written.lines} lines)`}, ` +
          `${truth.length} incidents${opts.truth ? ` to ${opts.truth}` : ''}${written.config ? `; replay config ${written.config}` : ''}\n`,
      );
    });
}

interface Written {
  flows: number;
  lines: number;
  config?: string;
}

async function writeFlows(flows: Iterable<FlowRecord>, output: string): Promise<Written> {
  const out = openFlowOutput(output);
  let n = 0;
  for (const flow of flows) {
    n++;
    if (!out.write(flow)) await out.drain();
  }
  await out.close();
  return { flows: n, lines: n };
}

/** The flows as a sensor writes them, and (--enrich-config) the config that replays them. */
async function writeDialect(flows: Iterable<FlowRecord>, opts: GenerateTopicCliOptions & { output: string }, stream: DialectStream): Promise<Written> {
  const out = new LineOutput(opts.output);
  const written: Written = { flows: 0, lines: 0 };
  const put = async (line: string) => {
    written.lines++;
    if (!out.write(line)) await out.drain();
  };
  for (const line of stream.header()) await put(line);
  for (const flow of flows) {
    written.flows++;
    for (const line of stream.lines(flow)) await put(line);
  }
  await out.close();
  if (opts.enrichConfig !== undefined) written.config = writeEnrichConfig(opts.enrichConfig, baseConfigText(opts.config), stream).config;
  return written;
}
