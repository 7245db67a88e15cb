// `egress-watch console`: a local web page for SOC analysts. It follows the incident topic
// (alerts, newest first, filters, evidence on a click) and the flows topic (each
// destination's recent bytes per minute for the evidence chart), in its own throwaway
// consumer group so it never takes partitions from the service.
import type { Command } from 'commander';
import { AlertFeed } from '../console/alert-feed.js';
import { RecentVolume } from '../console/recent-volume.js';
import { startConsoleServer } from '../console/server.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { DestinationKeyer, InternalNetworks } from '../engine/keys.js';
import { decodeAlert, decodeFlowMessage } from '../io/wire.js';
import { createKafka } from '../kafka/client.js';
import { deleteThrowawayGroup } from '../kafka/throwaway-group.js';
import { consoleGroupId } from './alerts-command.js';
import { UsageError } from './errors.js';

export interface ConsoleOptions {
  host?: string;
  port?: number;
  /** Also read the flows topic from its beginning (default: from now on). */
  flowsFromBeginning?: boolean;
  log?: (line: string) => void;
}

export interface RunningConsole {
  url: string;
  /** Resolves once both topics are being fetched: alerts and flows from then on are shown. */
  ready: Promise<void>;
  counters(): { alerts: number; flows: number; undecodable: number };
  stop(): Promise<void>;
}

export async function startConsole(config: Config, o: ConsoleOptions = {}): Promise<RunningConsole> {
  const log = o.log ?? ((line: string) => process.stderr.write(`egress-watch console: ${line}\n`));
  const feed = new AlertFeed();
  const volume = new RecentVolume();
  const keyer = new DestinationKeyer(config.baseline.key);
  const internal = new InternalNetworks(config.policy.internal_networks);
  const counts = { alerts: 0, flows: 0, undecodable: 0 };
  const { alerts: alertTopic, flows: flowTopic } = config.kafka.topics;

  const kafka = createKafka(config.kafka, { clientId: `${config.kafka.client_id}-console` });
  const groupId = consoleGroupId(config);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  consumer.on(consumer.events.FETCH_START, () => markReady());
  const bad = (where: string, reason: string) => {
    counts.undecodable++;
    if (counts.undecodable <= 20) log(`${where}: ${reason} (shown nowhere; the service dead-letters bad flows)`);
  };

  await consumer.connect();
  // Alerts from the beginning (the feed keeps the newest 1000), flows from now on.
  await consumer.subscribe({ topics: [alertTopic], fromBeginning: true });
  await consumer.subscribe({ topics: [flowTopic], fromBeginning: o.flowsFromBeginning ?? false });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const where = `${topic}/${partition}@${message.offset}`;
      if (message.value === null) return bad(where, 'empty message');
      if (topic === alertTopic) {
        const d = decodeAlert(message.value, 'auto');
        if (!d.ok) return bad(where, `not an alert: ${d.reason}`);
        counts.alerts++;
        feed.push(d.alert);
      } else {
        const d = decodeFlowMessage(message.value, config.kafka.format);
        if (!d.ok) return bad(where, d.reason);
        counts.flows++;
        if (!internal.contains(d.flow.dst_ip)) volume.add(keyer.keyOf(d.flow), d.flow.end_ms, d.flow.bytes_out);
      }
    },
  });
  const server = await startConsoleServer({ feed, volume, title: `egress-watch · ${alertTopic}`, host: o.host ?? '127.0.0.1', port: o.port ?? 9465 });
  return {
    url: server.url,
    ready,
    counters: () => ({ ...counts }),
    async stop() {
      await server.close();
      await consumer.disconnect().catch(() => {});
      await deleteThrowawayGroup(kafka, groupId);
    },
  };
}

export function registerConsoleCommand(program: Command): void {
  program
    .command('console')
    .description('live alert console in the browser: alerts as they arrive, filters, evidence with the destination\'s recent volume')
    .requiredOption('-c, --config <file>', 'config whose kafka section names the brokers and topics')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '9465')
    .option('--flows-from-beginning', 'also read the retained flows for the volume charts (default: from now on)')
    .action(async (opts: { config: string; host: string; port: string; flowsFromBeginning?: boolean }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${opts.port}: not a port number`);
      const running = await startConsole(loadConfig(opts.config), { host: opts.host, port, flowsFromBeginning: opts.flowsFromBeginning });
      process.stderr.write(`egress-watch console: open ${running.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.stop();
    });
}
