// Logs: pino JSON lines on stderr (stdout stays free for data), kafkajs's own lines routed
// into the same stream. Written synchronously so the last lines before a crash are not lost.
import { pino, type Logger } from 'pino';
import type { ClientOptions } from './client.js';

export type { Logger } from 'pino';

export function createServiceLogger(instance: string, level: string = process.env.EGRESS_WATCH_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'egress-watch', instance },
      // A config mistake must never put a secret into a log line.
      redact: { paths: ['password', '*.password', 'sasl.password', '*.sasl.password'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/**
 * Broker answers kafkajs logs as errors although they are part of normal operation (a group
 * rebalancing, a coordinator still being elected) and are retried; if they persist, the retries
 * run out and that failure is logged as an error by the service.
 */
const ROUTINE_ERRORS = /rebalancing|coordinator is not available|not the correct coordinator|leadership election|not the leader/i;

/** The `log` option of createKafka: kafkajs lines as pino lines of component kafkajs. */
export function kafkajsSink(log: Logger): NonNullable<ClientOptions['log']> {
  const child = log.child({ component: 'kafkajs' });
  return (level, message, extra) => {
    const { timestamp: _timestamp, logger: _logger, ...rest } = extra;
    const routine = (level === 'error' || level === 'warn') && typeof rest.error === 'string' && ROUTINE_ERRORS.test(rest.error);
    child[routine ? 'info' : level](rest, message);
  };
}
