// `demo`: the newcomer's first command. A local broker, the topics, the service in-process, a
// compressed generated workload with incidents of every type streamed in, the alerts shown live
// as they arrive, and a closing scorecard against the injected ground truth.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { configVersion } from '../config/version.js';
import { ALERT_TYPES, type Alert, type AlertType, type FlowRecord } from '../engine/types.js';
import { formatScorecard, scoreAlerts, type Scorecard } from '../eval/scorecard.js';
import { generateTraffic, resolveGenerateOptions, type GenerateOptions, type Incident } from '../generate/index.js';
import { tailFlow, tailTime } from '../generate/tail.js';
import { DialectStream } from '../io/encoders/dialect-stream.js';
import { writeEnrichConfig } from '../io/encoders/enrich-config.js';
import { packageRoot } from '../io/schemas.js';
import { shouldColor } from '../kafka/alert-view.js';
import { createKafka } from '../kafka/client.js';
import { produceFlows } from '../kafka/flow-producer.js';
import { startLocalBroker, stopLocalBroker } from '../kafka/local-broker.js';
import { createServiceLogger } from '../kafka/logger.js';
import { startService } from '../kafka/service.js';
import { UsageError } from './errors.js';
import { watchAlerts } from './alerts-command.js';

const HOUR = 3_600_000;
/** Alert types a single flow raises (no baseline needed): what `--quick` injects. */
export const PER_FLOW_TYPES: AlertType[] = ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS', 'NEW_DESTINATION'];
const DEMO_TOPIC_PREFIX = 'demo-';
/** Records that push event time past the last window, one per distinct key so every partition gets some. */
const TAIL_RECORDS = 16;

export interface DemoOptions {
  seed: number;
  /** A smaller workload (per-flow incident types only): for tests and slow machines. */
  quick?: boolean;
  /** Leave the broker running at the end (default true). */
  keepBroker?: boolean;
  /** Broker state folder; default EGRESS_WATCH_LOCAL_DIR, else ./.egress-watch/local. */
  dir?: string;
  /** Alert lines; default stdout. */
  write?: (line: string) => void;
  /** Progress and summary lines; default stderr. */
  say?: (line: string) => void;
  color?: boolean;
  signal?: AbortSignal;
  /** Give up waiting for the service after this long; default 10 minutes. */
  processTimeoutMs?: number;
  /** What the gateways write to the flows topic: flow records (Avro, default) or Zeek conn.log JSON. */
  format?: DemoFormat;
}

export const DEMO_FORMATS = ['flow', 'zeek'] as const;
export type DemoFormat = (typeof DEMO_FORMATS)[number];

export interface DemoResult {
  bootstrap: string;
  sent: number;
  alerts: Alert[];
  truth: Incident[];
  scorecard: Scorecard;
  brokerRunning: boolean;
}

/** The workload: 36 h of event time (room for a sustained increase after 26 h of learning). */
export function demoWorkload(seed: number, quick: boolean): GenerateOptions {
  return quick
    ? resolveGenerateOptions({ seed, duration_ms: 28 * HOUR, rate: 0.5, destinations: 40, incidents_per_type: 2, learning_ms: 26 * HOUR, types: PER_FLOW_TYPES })
    : resolveGenerateOptions({ seed, duration_ms: 36 * HOUR, rate: 3, destinations: 60, incidents_per_type: 2, learning_ms: 26 * HOUR });
}

/** The documented config (config/example.yaml) on the local broker, with this run's own topics and group. */
export function demoConfig(bootstrap: string, runId: string): Config {
  const base = loadConfig(join(packageRoot(), 'config', 'example.yaml'));
  const prefix = `${DEMO_TOPIC_PREFIX}${runId}.`;
  const { config_version: _old, ...rest } = {
    ...base,
    kafka: {
      ...base.kafka,
      brokers: [bootstrap],
      group_id: `egress-watch-demo-${runId}`,
      topics: {
        flows: `${prefix}${base.kafka.topics.flows}`,
        alerts: `${prefix}${base.kafka.topics.alerts}`,
        dead_letter: `${prefix}${base.kafka.topics.dead_letter}`,
        changelog: `${prefix}${base.kafka.topics.changelog}`,
        suppressions: `${prefix}${base.kafka.topics.suppressions}`,
        suppression_audit: `${prefix}${base.kafka.topics.suppression_audit}`,
        suppressed: `${prefix}${base.kafka.topics.suppressed}`,
      },
    },
    service: { ...base.service, http_host: '127.0.0.1', http_port: 0 },
  };
  return { ...rest, config_version: configVersion(rest) };
}

/**
 * The demo config for Zeek JSON on the flows topic: `input.format: zeek` and the enrich section
 * (written beside the broker state, with its files) that gives back what conn.log does not carry.
 * The stream must have placed every flow of the workload first (DialectStream.lines).
 */
export function zeekDemoConfig(base: Config, stream: DialectStream, folder: string): Config {
  mkdirSync(folder, { recursive: true });
  const written = loadConfig(writeEnrichConfig(join(folder, 'demo-zeek.yaml'), readFileSync(join(packageRoot(), 'config', 'example.yaml'), 'utf8'), stream).config);
  const { config_version: _old, ...rest } = { ...base, input: written.input, enrich: written.enrich, enrich_files: written.enrich_files };
  return { ...rest, config_version: configVersion(rest) };
}

/** The demo's closing records: TAIL_RECORDS internal flows on distinct addresses, so every partition gets some (see generate/tail.ts). */
export function tailFlows(config: Config, lastEventMs: number): FlowRecord[] {
  const endMs = tailTime(config, lastEventMs);
  return Array.from({ length: TAIL_RECORDS }, (_, i) => tailFlow(`demo-tail-${i}`, `10.255.0.${i + 1}`, null, 40000 + i, endMs));
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = options.dir ?? process.env.EGRESS_WATCH_LOCAL_DIR ?? join('.egress-watch', 'local');
  const keepBroker = options.keepBroker ?? true;
  const quiet = () => {}; // kafkajs retries transient errors itself; real failures are thrown

  // Planned first: a workload the generator refuses fails before any broker starts.
  const workload = demoWorkload(options.seed, options.quick ?? false);
  const generated = generateTraffic(workload);
  const truth = generated.truth;

  say('demo: starting the local Kafka broker ...');
  const broker = await startLocalBroker({ dir, log: (line) => say(`demo: ${line}`) });
  say(`demo: Kafka ${broker.kafkaVersion} on ${broker.bootstrap} (state in ${broker.dir})`);
  let brokerRunning = true;
  try {
    const runId = Date.now().toString(36);
    // Zeek: every flow placed once first, so the enrich config is whole before the service starts.
    const zeek = options.format === 'zeek' ? new DialectStream('zeek') : null;
    if (zeek !== null) for (const flow of generated.flows) zeek.lines(flow);
    const config = zeek === null ? demoConfig(broker.bootstrap, runId) : zeekDemoConfig(demoConfig(broker.bootstrap, runId), zeek, join(dir, 'demo-zeek'));
    await removeEarlierDemoTopics(config, runId);

    const service = await startService(config, {
      instanceId: 'demo',
      httpPort: 0,
      // Quiet unless asked (EGRESS_WATCH_LOG_LEVEL): a failure of the service still ends the demo with its message.
      log: createServiceLogger('demo', process.env.EGRESS_WATCH_LOG_LEVEL ?? 'fatal'),
    });
    const alerts: Alert[] = [];
    const seen = new Set<string>();
    const stopWatching = new AbortController();
    let watcher: Promise<unknown> | undefined;
    let watchFailed: Error | undefined;
    const watching = () => {
      if (watchFailed !== undefined) throw new Error(`demo: the alert watcher failed: ${watchFailed.message}`);
    };
    let sent = 0;
    try {
      await withTimeout(service.ready, 120_000, `the service was not ready after 120 s (readiness: ${service.httpUrl}/readyz)`);
      say(`demo: service ready (metrics ${service.metricsUrl}); topics ${config.kafka.topics.flows} -> ${config.kafka.topics.alerts}`);

      watcher = watchAlerts(config, {
        fromBeginning: true,
        color: options.color ?? false,
        write: options.write,
        signal: stopWatching.signal,
        clientLog: quiet,
        onAlert: (alert) => {
          // At-least-once delivery: a redelivered alert has the same id.
          if (seen.has(alert.alert_id)) return;
          seen.add(alert.alert_id);
          alerts.push(alert);
        },
      });
      // Handled here, not only in the finally below: it may fail while flows are still being sent.
      watcher.catch((err: Error) => {
        watchFailed = err;
      });

      say(
        `demo: streaming ${workload.duration_ms / HOUR} h of gateway traffic${zeek === null ? '' : ' as Zeek conn.log JSON'} (${workload.destinations} destinations, ` +
          `${truth.length} injected incidents) into ${config.kafka.topics.flows} ...`,
      );
      let lastEventMs = -Infinity;
      const tracked = (function* () {
        for (const flow of generated.flows) {
          if (flow.end_ms > lastEventMs) lastEventMs = flow.end_ms;
          yield flow;
        }
      })();
      const encode = zeek === null ? undefined : (flow: FlowRecord) => zeek.lines(flow).map((line) => Buffer.from(line));
      const produced = await produceFlows(config, config.kafka.topics.flows, tracked, {
        format: 'avro',
        encode,
        signal: options.signal,
        clientLog: quiet,
      });
      sent = produced.sent;
      watching();
      const tail = await produceFlows(config, config.kafka.topics.flows, tailFlows(config, lastEventMs), { format: 'avro', encode, clientLog: quiet });
      say(`demo: ${sent} flow records sent; waiting for the service to process them ...`);

      await waitForService(service, sent + tail.sent, options.processTimeoutMs ?? 10 * 60_000, say, options.signal);
      // The alerts the service published have to reach the console too.
      const published = () => Object.values(service.counters().alerts).reduce((a, b) => a + (b ?? 0), 0);
      const deadline = Date.now() + 30_000;
      while (alerts.length < published() && Date.now() < deadline && !options.signal?.aborted) {
        watching();
        await sleep(200);
      }
      await sleep(2_000);
      watching();
    } finally {
      stopWatching.abort();
      await watcher?.catch(() => {});
      await service.stop();
    }

    const scorecard = scoreAlerts(alerts, truth);
    say('');
    say(summary(sent, alerts, scorecard));
    if (!keepBroker) {
      await stopLocalBroker({ dir });
      brokerRunning = false;
      say('demo: local broker stopped');
    } else {
      say(`demo: the local broker keeps running on ${broker.bootstrap}; stop it with: egress-watch local stop${options.dir ? ` --dir ${options.dir}` : ''}`);
    }
    return { bootstrap: broker.bootstrap, sent, alerts, truth, scorecard, brokerRunning };
  } catch (err) {
    if (!keepBroker && brokerRunning) await stopLocalBroker({ dir }).catch(() => {});
    throw err;
  }
}

async function waitForService(
  service: Awaited<ReturnType<typeof startService>>,
  expected: number,
  timeoutMs: number,
  say: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const started = Date.now();
  let nextReport = started + 10_000;
  let failure: Error | undefined;
  // A service that gave up (its consumer crashed for good) will never catch up: stop waiting.
  service.done.catch((err: Error) => {
    failure = err;
  });
  for (;;) {
    if (failure !== undefined) throw new Error(`demo: the service stopped: ${failure.message}`);
    const c = service.counters();
    // Skipped records were processed before a consumer restart: they count as done.
    const done = c.processed + c.deadLetters + c.skipped;
    if (done >= expected || signal?.aborted) return;
    const now = Date.now();
    if (now - started > timeoutMs) {
      throw new Error(
        `demo: the service processed ${done} of ${expected} records in ${Math.round(timeoutMs / 1000)} s ` +
          `(counters ${JSON.stringify(c)}); see its log lines above`,
      );
    }
    if (now >= nextReport) {
      say(`demo: ${done} of ${expected} records processed, ${Object.values(c.alerts).reduce((a, b) => a + (b ?? 0), 0)} alerts so far`);
      nextReport = now + 10_000;
    }
    await sleep(250);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`demo: ${message}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Topics of earlier demo runs: the demo starts from empty topics every time. */
async function removeEarlierDemoTopics(config: Config, runId: string): Promise<void> {
  const admin = createKafka(config.kafka, { log: () => {} }).admin();
  try {
    await admin.connect();
    const old = (await admin.listTopics()).filter((t) => t.startsWith(DEMO_TOPIC_PREFIX) && !t.startsWith(`${DEMO_TOPIC_PREFIX}${runId}.`));
    if (old.length > 0) await admin.deleteTopics({ topics: old });
  } catch {
    // leftovers only cost disk space
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function summary(sent: number, alerts: Alert[], scorecard: Scorecard): string {
  const byType = ALERT_TYPES.map((t) => `${t} ${alerts.filter((a) => a.type === t).length}`).join(', ');
  return [
    `demo: ${sent} flow records sent, ${alerts.length} alerts (${byType})`,
    'demo: alerts against the injected incidents (ground truth):',
    formatScorecard(scorecard),
  ].join('\n');
}

interface DemoCliOptions {
  seed: string;
  format: string;
  quick?: boolean;
  keepBroker: boolean;
  dir?: string;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'try egress-watch in a minute: starts a local Kafka (as `local start`), the service, streams generated traffic ' +
        'with incidents of every alert type, shows the alerts live and scores them against the injected incidents',
    )
    .option('--seed <n>', 'seed of the generated traffic', '1')
    .option('--quick', 'a smaller workload with the per-flow alert types only')
    .option('--format <f>', 'what the gateways write to the flows topic: flow (flow records, Avro) or zeek (Zeek conn.log JSON, read with input.format zeek and enrichment)', 'flow')
    .option('--no-keep-broker', 'stop the local broker at the end (default: leave it running for the next try)')
    .option('--dir <path>', 'state folder of the local broker; default $EGRESS_WATCH_LOCAL_DIR, else ./.egress-watch/local')
    .action(async (opts: DemoCliOptions) => {
      if (!/^\d+$/.test(opts.seed)) throw new UsageError(`--seed: expected a whole number, got ${JSON.stringify(opts.seed)}`);
      if (!(DEMO_FORMATS as readonly string[]).includes(opts.format)) {
        throw new UsageError(`--format: expected one of ${DEMO_FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`);
      }
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        await runDemo({
          seed: Number(opts.seed),
          quick: opts.quick ?? false,
          format: opts.format as DemoFormat,
          keepBroker: opts.keepBroker,
          dir: opts.dir,
          color: shouldColor(process.stdout, process.env),
          signal: controller.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
