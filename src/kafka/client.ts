// A kafkajs client from the config: brokers, TLS files, SASL with the password taken
// from the environment variable or the file the config names (never from the config
// itself, never logged, never part of an error message).
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig as KafkajsConfig, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/types.js';
import { saslPassword } from './secret.js';

export { SecretError, saslPassword } from './secret.js';

export interface ClientOptions {
  /** Overrides config.kafka.client_id (e.g. a per-instance suffix). */
  clientId?: string;
  /** kafkajs's own log level; its lines go to `log`. Default WARN. */
  level?: logLevel;
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
  env?: NodeJS.ProcessEnv;
}

export function createKafka(config: KafkaConfig, options: ClientOptions = {}): Kafka {
  const env = options.env ?? process.env;
  const kc: KafkajsConfig = {
    clientId: options.clientId ?? config.client_id,
    brokers: config.brokers,
    logLevel: options.level ?? logLevel.WARN,
    // Broker away: back off and retry rather than die; the service's health says not ready.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 12 },
    connectionTimeout: 5_000,
  };
  if (config.ssl !== false) {
    kc.ssl = {
      rejectUnauthorized: config.ssl.reject_unauthorized,
      ca: config.ssl.ca ? [readFileSync(config.ssl.ca, 'utf8')] : undefined,
      cert: config.ssl.cert ? readFileSync(config.ssl.cert, 'utf8') : undefined,
      key: config.ssl.key ? readFileSync(config.ssl.key, 'utf8') : undefined,
    };
  }
  if (config.sasl !== null) {
    const password = saslPassword(config.sasl, env);
    kc.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password } as SASLOptions;
  }
  if (options.log) {
    const sink = options.log;
    kc.logCreator = () => ({ level, log }) => {
      const { message, ...extra } = log;
      const name = level <= logLevel.ERROR ? 'error' : level <= logLevel.WARN ? 'warn' : level <= logLevel.INFO ? 'info' : 'debug';
      sink(name, message, extra);
    };
  }
  return new Kafka(kc);
}

