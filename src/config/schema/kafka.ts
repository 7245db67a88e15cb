// kafka: brokers, ids, topics, record format, TLS, SASL, re-keying and the schema registry. The SASL password is never in
// the file: only the name of the environment variable, or the path of the file, that holds it.
import { z } from 'zod';
import { describeValue } from '../describe.js';
import { duration, nonEmptyString, section, strict } from './fields.js';

// host:port, or [IPv6]:port.
const BROKER_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

const broker = z.string().superRefine((text, ctx) => {
  const match = BROKER_PATTERN.exec(text);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `expected host:port such as 127.0.0.1:9092, got ${describeValue(text)}` });
  }
});

const topics = strict({
  flows: nonEmptyString.default('gateway.flows'),
  alerts: nonEmptyString.default('egress.alerts'),
  dead_letter: nonEmptyString.default('gateway.flows.dlq'),
  changelog: nonEmptyString.default('egress-watch.state'),
  // The suppression topics default to names beside the incident topic they concern.
  suppressions: nonEmptyString.optional(),
  suppression_audit: nonEmptyString.optional(),
  suppressed: nonEmptyString.optional(),
}).transform((t) => ({
  ...t,
  suppressions: t.suppressions ?? `${t.alerts}.suppressions`,
  suppression_audit: t.suppression_audit ?? `${t.alerts}.suppressions.audit`,
  suppressed: t.suppressed ?? `${t.alerts}.suppressed`,
}));

// Relative file paths are resolved against the config file's folder later (load.ts),
// where the folder is known.
const sslFiles = strict({
  ca: nonEmptyString.optional(),
  cert: nonEmptyString.optional(),
  key: nonEmptyString.optional(),
  reject_unauthorized: z.boolean().default(true),
});

// `ssl: true` is TLS with the system's CAs, the same as an empty mapping.
const ssl = z.union([z.literal(false), z.literal(true).transform(() => sslFiles.parse({})), sslFiles]);

const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

// The value is never quoted back: a password pasted here by mistake must not reach a log.
const passwordEnv = z.unknown().transform((name, ctx): string => {
  if (typeof name !== 'string' || !ENV_NAME_PATTERN.test(name)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'expected the name of an environment variable (letters, digits, _), such as EGRESS_WATCH_KAFKA_PASSWORD; ' +
        'the value is not shown in case it is the password itself',
    });
    return z.NEVER;
  }
  return name;
});

// The password comes from an environment variable or a file (a mounted secret), never from
// the config itself: exactly one of the two.
const sasl = strict({
  mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
  username: nonEmptyString,
  password_env: passwordEnv.optional(),
  password_file: nonEmptyString.optional(),
}).superRefine((value, ctx) => {
  const given = [value.password_env, value.password_file].filter((v) => v !== undefined).length;
  if (given !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        given === 0
          ? 'expected password_env (the name of an environment variable holding the password) or password_file (a file holding it)'
          : 'expected password_env or password_file, not both',
    });
  }
});

const schemaRegistry = strict({
  url: z.string().superRefine((text, ctx) => {
    let protocol = '';
    try {
      protocol = new URL(text).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      const message = `expected an http(s) URL such as http://127.0.0.1:8081, got ${describeValue(text)}`;
      ctx.addIssue({ code: 'custom', message });
    }
  }),
});

export const kafkaSection = section(
  strict({
    brokers: z.array(broker).min(1).default(['127.0.0.1:9092']),
    client_id: nonEmptyString.default('egress-watch'),
    group_id: nonEmptyString.default('egress-watch'),
    topics: section(topics),
    format: z.enum(['avro', 'json', 'auto']).default('auto'),
    ssl: ssl.default(false),
    sasl: z.union([z.null(), sasl]).default(null),
    repartition: z.boolean().default(true),
    commit_interval: duration('zero').prefault('1s'),
    schema_registry: z.union([z.null(), schemaRegistry]).default(null),
  }),
);
