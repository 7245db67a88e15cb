// `generate --topic T --config F`: the generated flows go to a Kafka topic instead of a file.
// `--rate` already means the generator's event-time rate, so the wall-clock pace is `--send-rate`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { DialectStream } from '../io/encoders/dialect-stream.js';
import { writeEnrichConfig } from '../io/encoders/enrich-config.js';
import { ENCODED_DIALECTS, type EncodedDialect } from '../io/encoders/index.js';
import { packageRoot } from '../io/schemas.js';
import { writeTruth } from '../eval/scorecard.js';
import { GenerateOptionsError, generateTraffic } from '../generate/index.js';
import { FLOW_WIRE_FORMATS, produceFlows, type FlowWireFormat } from '../kafka/flow-producer.js';
import { UsageError } from './errors.js';
import { generateOptionsFrom, type GenerateCliOptions } from './generate-options.js';

export interface GenerateTopicCliOptions {
  topic?: string;
  config?: string;
  format?: string;
  enrichConfig?: string;
  sendRate?: string;
  schemaId?: string;
}

export function registerGenerateTopicOptions(cmd: Command): Command {
  return cmd
    .option('--topic <name>', 'produce the flows to this Kafka topic instead of --output (needs --config for the brokers)')
    .option('--config <file>', 'config file (YAML) whose kafka section names the brokers, TLS and SASL (with --topic); the base of --enrich-config')
    .option(
      '--format <f>',
      `how the flows are written: a sensor's format (${ENCODED_DIALECTS.join(', ')}), to the file or one line per message to the topic; ` +
        `or, with --topic, the flow record as ${FLOW_WIRE_FORMATS.join(', ')} (default avro; a file's flow format follows its extension)`,
    )
    .option(
      '--enrich-config <file>',
      'with a sensor --format: write a config that replays the lines with the alerts of the flow records: --config (default ' +
        'config/example.yaml) with input.format and an enrich section, and the files it names beside it (docs/enrichment.md)',
    )
    .option('--send-rate <n>', 'flows per second of wall-clock time (with --topic); default as fast as possible')
    .option('--schema-id <n>', 'schema id written in the Confluent wire format (with --format confluent)', '1');
}

/** A sensor format named by --format, or null for the flow record; `file` mode refuses the wire formats. */
export function dialectOf(format: string | undefined, mode: 'file' | 'topic'): EncodedDialect | null {
  if (format === undefined) return null;
  const lower = format.toLowerCase();
  if ((ENCODED_DIALECTS as readonly string[]).includes(lower)) return lower as EncodedDialect;
  if (mode === 'topic' && (FLOW_WIRE_FORMATS as readonly string[]).includes(lower)) return null;
  if (mode === 'file' && lower === 'flow') return null;
  const accepted = mode === 'topic' ? [...FLOW_WIRE_FORMATS, ...ENCODED_DIALECTS] : ['flow', ...ENCODED_DIALECTS];
  throw new UsageError(`--format: expected one of ${accepted.join(', ')}${mode === 'topic' ? '' : ' (without --topic)'}, got ${JSON.stringify(format)}`);
}

/** The config text --enrich-config starts from: --config, else config/example.yaml (whose policy the generator follows). */
export function baseConfigText(configFile: string | undefined): string {
  return readFileSync(configFile ?? join(packageRoot(), 'config', 'example.yaml'), 'utf8');
}

export interface TopicPlan {
  topic: string;
  configFile: string;
  format: FlowWireFormat;
  /** A sensor format: one line per message instead of the flow record. */
  dialect: EncodedDialect | null;
  rate?: number;
  schemaId: number;
}

/** Checks the --topic options; a bad or missing one is a UsageError naming it. */
export function topicPlanFrom(opts: GenerateTopicCliOptions & { output?: string }): TopicPlan {
  if (opts.topic === undefined) throw new UsageError('--topic: missing');
  if (opts.topic.trim() === '') throw new UsageError('--topic: expected a topic name, got an empty text');
  if (opts.config === undefined) throw new UsageError('--topic needs --config <file> for the brokers');
  if (opts.output !== undefined && opts.output !== '-') throw new UsageError('--topic and --output exclude each other: the flows go to one place');
  const dialect = dialectOf(opts.format, 'topic');
  const format = dialect === null ? (opts.format ?? 'avro').toLowerCase() : 'json';
  if (opts.enrichConfig !== undefined && dialect === null) throw new UsageError('--enrich-config needs a sensor --format (zeek, vpc, goflow2, suricata or ocsf)');
  const plan: TopicPlan = { topic: opts.topic, configFile: opts.config, format: format as FlowWireFormat, dialect, schemaId: 1 };
  if (opts.sendRate !== undefined) {
    const rate = Number(opts.sendRate);
    if (opts.sendRate.trim() === '' || !Number.isFinite(rate) || rate <= 0) {
      throw new UsageError(`--send-rate: expected a positive number of flows per second, got ${JSON.stringify(opts.sendRate)}`);
    }
    plan.rate = rate;
  }
  if (opts.schemaId !== undefined) {
    if (!/^\d+$/.test(opts.schemaId) || Number(opts.schemaId) > 0x7fffffff) {
      throw new UsageError(`--schema-id: expected a whole number below 2^31, got ${JSON.stringify(opts.schemaId)}`);
    }
    plan.schemaId = Number(opts.schemaId);
  }
  return plan;
}

/** The whole `generate --topic` action: generate, produce, write the truth file, summarise on stderr. */
export async function runGenerateToTopic(opts: GenerateCliOptions & GenerateTopicCliOptions): Promise<void> {
  const plan = topicPlanFrom(opts);
  const config = loadConfig(plan.configFile);
  let generated: ReturnType<typeof generateTraffic>;
  try {
    generated = generateTraffic(generateOptionsFrom(opts));
  } catch (err) {
    // The plan can still refuse the options (no room for an incident type): the user's to fix.
    if (err instanceof GenerateOptionsError) throw new UsageError(err.message);
    throw err;
  }
  const { flows, truth } = generated;
  const stream = plan.dialect === null ? null : new DialectStream(plan.dialect);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const result = await produceFlows(config, plan.topic, flows, {
      format: plan.format,
      rate: plan.rate,
      schemaId: plan.schemaId,
      signal: controller.signal,
      encode: stream === null ? undefined : (flow) => stream.lines(flow).map((line) => Buffer.from(line)),
    });
    if (opts.truth) await writeTruth(opts.truth, stream === null ? truth : stream.truth(truth));
    if (stream !== null && opts.enrichConfig !== undefined) writeEnrichConfig(opts.enrichConfig, baseConfigText(opts.config), stream);
    process.stderr.write(
      `generate: ${result.sent} ${stream === null ? `flow records (${plan.format})` : `${plan.dialect} lines`} to topic ${plan.topic}${controller.signal.aborted ? ' (interrupted)' : ''}, ` +
        `${truth.length} incidents${opts.truth ? ` to ${opts.truth}` : ''}\n`,
    );
  } finally {
    process.off('SIGINT', onSignal);
  }
}
