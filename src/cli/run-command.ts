// `egress-watch run --config F`: the Kafka service until SIGTERM or SIGINT; SIGHUP reloads the config.
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { parseDuration } from '../config/units.js';
import { saslPassword } from '../kafka/secret.js';
import { createServiceLogger } from '../kafka/logger.js';
import { reloadConfigFile } from '../kafka/reload.js';
import { defaultInstanceId, startService, type RunningService } from '../kafka/service.js';
import { UsageError } from './errors.js';

interface RunOptions {
  config: string;
  instanceId?: string;
  httpPort?: string;
  sessionTimeout?: string;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      'the service: consume flow records from Kafka, detect, publish alerts; logs as JSON lines on stderr, ' +
        'Prometheus /metrics and /healthz /readyz over HTTP; stops cleanly on SIGTERM or SIGINT (Ctrl-C); ' +
        'SIGHUP re-reads the config file and applies it without losing state (policy, detectors, overrides; ' +
        'a bad file or a change that needs a restart is logged and the old config stays)',
    )
    .requiredOption('-c, --config <file>', 'the YAML config (brokers, topics, policy, windows, thresholds)')
    .option('--instance-id <id>', 'name of this instance in logs, metrics and its Kafka client id (default: host name and process id)')
    .option('--http-port <port>', 'port of /metrics, /healthz and /readyz, overriding service.http_port (0: any free port, logged)')
    .option(
      '--session-timeout <duration>',
      'how long the consumer group waits for an instance that went silent before its partitions move to the others, e.g. 10s (default 30s)',
    )
    .option('--log-level <level>', `least severe log level written: ${LOG_LEVELS.join(', ')}`, 'info')
    .action(async (opts: RunOptions) => {
      const config = loadConfig(opts.config);
      const httpPort = opts.httpPort === undefined ? undefined : parsePort(opts.httpPort);
      const sessionTimeoutMs = opts.sessionTimeout === undefined ? undefined : parseSessionTimeout(opts.sessionTimeout);
      if (!LOG_LEVELS.includes(opts.logLevel)) {
        throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(opts.logLevel)}`);
      }
      // A missing password is the operator's to fix (exit 2), before anything starts.
      if (config.kafka.sasl !== null) {
        try {
          saslPassword(config.kafka.sasl);
        } catch (err) {
          throw new UsageError(`${opts.config}: ${(err as Error).message}`);
        }
      }
      const instanceId = opts.instanceId ?? defaultInstanceId();
      const log = createServiceLogger(instanceId, opts.logLevel);
      // A rejection nothing handles is a bug of ours: say so in the JSON log, where operators
      // look, then exit 1 as Node would (the group moves the partitions; state is in the changelog).
      process.on('unhandledRejection', (reason) => {
        log.fatal({ err: reason }, 'unhandled promise rejection (a bug: please report it with this line); exiting');
        process.exit(1);
      });
      let service: RunningService | undefined;
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals++;
        if (service === undefined) {
          // Still connecting: nothing has been consumed, so there is nothing to finish.
          log.info({ signal }, 'signal received while starting; exiting');
          process.exit(0);
        }
        if (signals > 1) {
          log.warn({ signal }, 'second signal: exiting without finishing the current batch');
          process.exit(1);
        }
        log.info({ signal }, 'signal received');
        void service.stop();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      // SIGHUP: reload the config file (reload.ts); registered now, as its default action ends the process.
      process.on('SIGHUP', () => {
        if (service === undefined) {
          log.warn({ signal: 'SIGHUP' }, 'SIGHUP while starting: ignored, the config read at start stays; send it again once running');
          return;
        }
        try {
          reloadConfigFile(opts.config, service, log);
        } catch (err) {
          log.error({ err }, 'config reload failed');
        }
      });
      service = await startService(config, { instanceId, log, httpPort, sessionTimeoutMs });
      try {
        await service.done;
      } catch (err) {
        log.fatal({ err }, 'the service stopped on an error');
        process.exit(1);
      }
      process.exit(0);
    });
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--http-port: expected a port 0-65535, got ${JSON.stringify(text)}`);
  return port;
}

function parseSessionTimeout(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw new UsageError(`--session-timeout: ${(err as Error).message}`);
  }
  // The broker's defaults: group.min.session.timeout.ms 6 s, group.max.session.timeout.ms 30 min.
  if (ms < 6_000 || ms > 1_800_000) throw new UsageError(`--session-timeout: expected 6s to 30m, got ${text}`);
  return ms;
}
