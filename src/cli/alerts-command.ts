// `alerts`: subscribe to the incident topic and show alerts to an analyst, filtered;
// `--json` for pipes. The core (watchAlerts) is also what `demo` uses to show alerts live.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Consumer } from 'kafkajs';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { parseDuration } from '../config/units.js';
import type { Alert } from '../engine/types.js';
import { decodeAlert } from '../io/wire.js';
import {
  alertPredicate,
  formatAlertJson,
  formatAlertLine,
  parseAlertFilter,
  shouldColor,
  type AlertFilter,
} from '../kafka/alert-view.js';
import { createKafka, type ClientOptions } from '../kafka/client.js';
import { consoleAcls, consoleGroupPrefix } from '../kafka/acls.js';
import { explainAccessError } from '../kafka/access-errors.js';
import { UsageError } from './errors.js';
import { deleteThrowawayGroup } from '../kafka/throwaway-group.js';

export interface WatchAlertsOptions {
  filter?: AlertFilter;
  /** One JSON line per alert instead of the readable line. */
  json?: boolean;
  color?: boolean;
  /** Read the topic from its start rather than only alerts published from now on. */
  fromBeginning?: boolean;
  /** Stop after this many matching alerts. */
  max?: number;
  /** Stop after this long (ms). */
  timeoutMs?: number;
  /** Stop when aborted (Ctrl-C). */
  signal?: AbortSignal;
  /** Where lines go; default stdout. */
  write?: (line: string) => void;
  /** Problems (an undecodable message); default stderr. */
  warn?: (line: string) => void;
  /** Called with every matching alert, after it is written. */
  onAlert?: (alert: Alert) => void;
  /** kafkajs's own log lines; default kafkajs's console logger. */
  clientLog?: ClientOptions['log'];
  /** Resolved once the consumer has joined its group and been given partitions. */
  onReady?: () => void;
}

export interface WatchAlertsResult {
  shown: number;
  /** Decoded alerts the filter left out. */
  filteredOut: number;
  undecodable: number;
  stoppedBy: 'max' | 'timeout' | 'signal';
}

/** The console's own consumer group: never shares partitions with another analyst. */
export function consoleGroupId(config: Config): string {
  return `${consoleGroupPrefix(config.kafka.group_id)}.${randomUUID().slice(0, 8)}`;
}

export async function watchAlerts(config: Config, options: WatchAlertsOptions = {}): Promise<WatchAlertsResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const warn = options.warn ?? ((line: string) => process.stderr.write(`egress-watch alerts: ${line}\n`));
  const matches = alertPredicate(options.filter ?? {});
  const topic = config.kafka.topics.alerts;
  const groupId = consoleGroupId(config);
  const kafka = createKafka(config.kafka, { clientId: `${config.kafka.client_id}-alerts`, log: options.clientLog });
  // A short fetch wait: disconnecting (Ctrl-C, --max) waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 1000 });
  const result: WatchAlertsResult = { shown: 0, filteredOut: 0, undecodable: 0, stoppedBy: 'signal' };

  let finish!: (why: WatchAlertsResult['stoppedBy']) => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<WatchAlertsResult['stoppedBy']>((resolve, reject) => {
    let done = false;
    finish = (why) => {
      if (done) return;
      done = true;
      resolve(why);
    };
    fail = (err) => {
      if (done) return;
      done = true;
      reject(err);
    };
  });
  finished.catch(() => {}); // awaited once the consumer runs; a crash before that is not unhandled
  let stopped = false;
  const onAbort = () => finish('signal');
  if (options.signal?.aborted) finish('signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => finish('timeout'), options.timeoutMs);
  if (options.max === 0) finish('max');

  try {
    await requireTopic(kafka, topic, config.kafka.brokers);
  } catch (err) {
    throw explainConsoleAccess(err, config);
  }
  const readyListener = consumer.on(consumer.events.GROUP_JOIN, () => options.onReady?.());
  // A crash kafkajs does not restart (e.g. a refused read) ends the watch with its error, not a silent wait.
  const crashListener = consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fail(explainConsoleAccess(payload.error, config));
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        if (stopped) return;
        if (message.value === null) {
          result.undecodable++;
          warn(`${topic}/${partition}@${message.offset}: empty message (tombstone), not an alert`);
          return;
        }
        const decoded = decodeAlert(message.value, 'auto');
        if (!decoded.ok) {
          result.undecodable++;
          warn(`${topic}/${partition}@${message.offset}: not an alert: ${decoded.reason}`);
          return;
        }
        if (!matches(decoded.alert)) {
          result.filteredOut++;
          return;
        }
        result.shown++;
        write(options.json ? formatAlertJson(decoded.alert) : formatAlertLine(decoded.alert, options.color ?? false));
        options.onAlert?.(decoded.alert);
        if (options.max !== undefined && result.shown >= options.max) {
          stopped = true; // the rest of this batch is not shown
          finish('max');
        }
      },
    });
    result.stoppedBy = await finished;
    stopped = true;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    readyListener();
    crashListener();
    // Disconnect outside eachMessage: kafkajs waits for the running handler to finish.
    await disconnectQuietly(consumer);
    await deleteThrowawayGroup(kafka, groupId);
  }
  return result;
}

/** A refusal in words naming what `alerts` needs; any other error as it came. */
function explainConsoleAccess(err: unknown, config: Config): Error {
  const see = 'docs/operations.md, section "Security", lists what each command needs';
  return explainAccessError(err, config, { name: '`egress-watch alerts`', rules: consoleAcls(config), see }) ?? (err instanceof Error ? err : new Error(String(err)));
}

/** A missing incident topic is a config mistake (or the service never ran): say so plainly. */
async function requireTopic(kafka: ReturnType<typeof createKafka>, topic: string, brokers: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      throw new UsageError(
        `kafka.topics.alerts: topic ${topic} does not exist on ${brokers.join(',')}; ` +
          'check the config, or start the service (egress-watch run), which creates it',
      );
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function disconnectQuietly(consumer: Consumer): Promise<void> {
  try {
    await consumer.disconnect();
  } catch {
    // leaving anyway
  }
}


interface AlertsCliOptions {
  config: string;
  fromBeginning?: boolean;
  json?: boolean;
  type?: string;
  minSeverity?: string;
  destination?: string;
  since?: string;
  state?: string;
  max?: string;
  timeout?: string;
}

/** Command-line texts to watchAlerts options; bad values are UsageErrors naming the option. */
export function alertsOptionsFrom(opts: Omit<AlertsCliOptions, 'config'>, nowMs: number): WatchAlertsOptions {
  let filter: AlertFilter;
  try {
    filter = parseAlertFilter(opts, nowMs);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const out: WatchAlertsOptions = {
    filter,
    json: opts.json ?? false,
    // --since looks back: the alerts it asks for were published before we started.
    fromBeginning: (opts.fromBeginning ?? false) || opts.since !== undefined,
  };
  if (opts.max !== undefined) {
    if (!/^\d+$/.test(opts.max) || Number(opts.max) < 1) throw new UsageError(`--max: expected a whole number of at least 1, got ${JSON.stringify(opts.max)}`);
    out.max = Number(opts.max);
  }
  if (opts.timeout !== undefined) {
    try {
      out.timeoutMs = parseDuration(opts.timeout);
    } catch (err) {
      throw new UsageError(`--timeout: ${(err as Error).message}`);
    }
  }
  return out;
}

export function registerAlertsCommand(program: Command): void {
  program
    .command('alerts')
    .description('subscribe to the incident topic (kafka.topics.alerts) and show alerts as they arrive; Ctrl-C to stop')
    .requiredOption('-c, --config <file>', 'config file (YAML): brokers, topics, alert format')
    .option('--from-beginning', 'show the alerts already on the topic too, not only new ones')
    .option('--json', 'one JSON object per alert per line (the alert schema fields), for pipes')
    .option('--type <list>', 'only these comma-separated alert types, e.g. RESIDENCY_VIOLATION,GATEWAY_BYPASS')
    .option('--min-severity <s>', 'only alerts of this severity or above: LOW, MEDIUM, HIGH, CRITICAL')
    .option('--destination <glob>', 'only destinations matching this glob, e.g. "*.example.com"')
    .option('--state <list>', 'only incident records in these comma-separated states: OPEN, ESCALATED, CLOSED (alerts of no incident are left out)')
    .option('--since <when>', 'only alerts detected at or after this: a duration before now (1h, 2d) or an ISO 8601 time; implies --from-beginning')
    .option('--max <n>', 'exit after showing this many alerts')
    .option('--timeout <d>', 'exit after this long, e.g. 30s, 5m')
    .action(async (opts: AlertsCliOptions) => {
      const config = loadConfig(opts.config);
      const options = alertsOptionsFrom(opts, Date.now());
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const result = await watchAlerts(config, {
          ...options,
          color: shouldColor(process.stdout, process.env),
          signal: controller.signal,
        });
        process.stderr.write(
          `egress-watch alerts: ${result.shown} shown, ${result.filteredOut} filtered out` +
            `${result.undecodable > 0 ? `, ${result.undecodable} undecodable` : ''}\n`,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
