// Logs: pino JSON lines on stderr (stdout stays free for data), kafkajs's own lines routed
// into the same stream. Written synchronously so the last lines before a crash are not lost.
import { pino, type Logger } from 'pino';
import type { ClientOptions } from './client.js';
import { KafkajsLevels } from './kafkajs-levels.js';

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

/** The `log` option of createKafka: kafkajs lines as pino lines of component kafkajs, at the level each deserves (kafkajs-levels.ts). */
export function kafkajsSink(log: Logger): NonNullable<ClientOptions['log']> {
  const child = log.child({ component: 'kafkajs' });
  const levels = new KafkajsLevels();
  return (level, message, extra) => {
    const { timestamp: _timestamp, logger: _logger, ...rest } = extra;
    child[levels.level(level, message, rest)](rest, message);
  };
}
