// `generate --topic T --config F`: the generated flows go to a Kafka topic instead of a file.
// `--rate` already means the generator's event-time rate, so the wall-clock pace is `--send-rate`.
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { writeTruth } from '../eval/scorecard.js';
import { GenerateOptionsError, generateTraffic } from '../generate/index.js';
import { FLOW_WIRE_FORMATS, produceFlows, type FlowWireFormat } from '../kafka/flow-producer.js';
import { UsageError } from './errors.js';
import { generateOptionsFrom, type GenerateCliOptions } from './generate-command.js';

export interface GenerateTopicCliOptions {
  topic?: string;
  config?: string;
  format?: string;
  sendRate?: string;
  schemaId?: string;
}

export function registerGenerateTopicOptions(cmd: Command): Command {
  return cmd
    .option('--topic <name>', 'produce the flows to this Kafka topic instead of --output (needs --config for the brokers)')
    .option('--config <file>', 'config file (YAML) whose kafka section names the brokers, TLS and SASL (with --topic)')
    .option('--format <f>', `encoding on the topic: ${FLOW_WIRE_FORMATS.join(', ')} (with --topic)`, 'avro')
    .option('--send-rate <n>', 'flows per second of wall-clock time (with --topic); default as fast as possible')
    .option('--schema-id <n>', 'schema id written in the Confluent wire format (with --format confluent)', '1');
}

export interface TopicPlan {
  topic: string;
  configFile: string;
  format: FlowWireFormat;
  rate?: number;
  schemaId: number;
}

/** Checks the --topic options; a bad or missing one is a UsageError naming it. */
export function topicPlanFrom(opts: GenerateTopicCliOptions & { output?: string }): TopicPlan {
  if (opts.topic === undefined) throw new UsageError('--topic: missing');
  if (opts.topic.trim() === '') throw new UsageError('--topic: expected a topic name, got an empty text');
  if (opts.config === undefined) throw new UsageError('--topic needs --config <file> for the brokers');
  if (opts.output !== undefined && opts.output !== '-') throw new UsageError('--topic and --output exclude each other: the flows go to one place');
  const format = (opts.format ?? 'avro').toLowerCase();
  if (!(FLOW_WIRE_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: expected one of ${FLOW_WIRE_FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`);
  }
  const plan: TopicPlan = { topic: opts.topic, configFile: opts.config, format: format as FlowWireFormat, schemaId: 1 };
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
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const result = await produceFlows(config, plan.topic, flows, {
      format: plan.format,
      rate: plan.rate,
      schemaId: plan.schemaId,
      signal: controller.signal,
    });
    if (opts.truth) await writeTruth(opts.truth, truth);
    process.stderr.write(
      `generate: ${result.sent} flow records (${plan.format}) to topic ${plan.topic}${controller.signal.aborted ? ' (interrupted)' : ''}, ` +
        `${truth.length} incidents${opts.truth ? ` to ${opts.truth}` : ''}\n`,
    );
  } finally {
    process.off('SIGINT', onSignal);
  }
}
