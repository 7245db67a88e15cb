// `egress-watch suppress add|remove|list|prune`: an analyst marks alerts of one exact scope as
// benign until an expiry. The suppression goes to kafka.topics.suppressions (compacted, keyed by
// id) and every change also to kafka.topics.suppression_audit. This is the shell: it reads the
// clock for the creation time and for "7d from now"; validation and matching are pure
// (src/suppress/).
//
// Order of writes: the audit event first, then the change itself, both acknowledged by all
// replicas. A failure in between leaves an audit event for a change that did not happen (the
// command fails and can be repeated), never a change the audit trail does not show.
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '../config/load.js';
import { suppressionRules } from '../config/suppression-checks.js';
import type { Config } from '../config/types.js';
import { parseDuration } from '../config/units.js';
import { createKafka } from '../kafka/client.js';
import { readToEnd } from '../kafka/read-to-end.js';
import { ensureSuppressionTopics } from '../kafka/topics.js';
import { isActive } from '../suppress/match.js';
import { decodeSuppression, encodeAuditEvent, encodeSuppression } from '../suppress/records.js';
import type { AuditAction, Suppression, SuppressionAuditEvent } from '../suppress/types.js';
import { validateSuppression, type SuppressionField } from '../suppress/validate.js';
import { formatInstant as iso } from '../values/units.js';
import { UsageError } from './errors.js';
import { DefaultPartitioner } from '../kafka/murmur2.js';


export interface SuppressAddOptions {
  destination?: string;
  type?: string;
  dataClass?: string;
  principal?: string;
  reason?: string;
  owner?: string;
  /** ISO 8601 time, or a duration from now such as 7d. */
  expires?: string;
  id?: string;
  actor?: string;
}

/** The CLI flag that sets each field, for messages. */
const FLAG: Record<SuppressionField, string> = {
  id: '--id',
  type: '--type',
  destination: '--destination',
  data_class: '--data-class',
  principal: '--principal',
  reason: '--reason',
  owner: '--owner',
  created_at: '(creation time)',
  expires_at: '--expires',
};

/** `--expires`: an ISO 8601 time, or a duration counted from `nowMs`. */
export function parseExpiry(text: string | undefined, nowMs: number): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  } else {
    try {
      return nowMs + parseDuration(text);
    } catch {
      // said below
    }
  }
  throw new UsageError(`--expires: expected an ISO 8601 time such as 2026-02-01T00:00:00Z or a duration from now such as 7d, got ${JSON.stringify(text)}`);
}

/** The suppression `suppress add` would write, or a UsageError naming every problem with its flag. */
export function suppressionFromOptions(config: Config, o: SuppressAddOptions, nowMs: number, newId: () => string = defaultId): Suppression {
  const checked = validateSuppression(
    {
      id: o.id ?? newId(),
      scope: { type: o.type, destination: o.destination, data_class: o.dataClass, principal: o.principal },
      reason: o.reason,
      owner: o.owner,
      created_at_ms: nowMs,
      expires_at_ms: parseExpiry(o.expires, nowMs),
    },
    suppressionRules(config),
  );
  if (checked.ok) return checked.suppression;
  throw new UsageError(`suppress add refused: ${checked.problems.map((p) => `${FLAG[p.field]}: ${p.message}`).join('; ')}`);
}

function defaultId(): string {
  return `s-${randomUUID().slice(0, 8)}`;
}

export function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** `VOLUME_SPIKE alerts to backup.example.com of data class x by principal y`. */
export function describeScope(s: Suppression): string {
  const { type, destination, data_class, principal } = s.scope;
  return [
    `${type ?? 'all'} alerts to ${destination}`,
    ...(data_class === null ? [] : [`of data class ${data_class}`]),
    ...(principal === null ? [] : [`by principal ${principal}`]),
  ].join(' ');
}

/** One line of `suppress list`. */
export function describeSuppression(s: Suppression, source: 'topic' | 'config', nowMs: number): string {
  const state = isActive(s, nowMs) ? `until ${iso(s.expires_at_ms)}` : `EXPIRED ${iso(s.expires_at_ms)}`;
  return `${s.id}  ${describeScope(s)}  ${state}  owner ${s.owner}  (${source})  ${s.reason}`;
}

/** The suppressions on the topic now, by id; records that do not check are reported through `warn`. */
export async function readSuppressionTopic(kafka: Kafka, config: Config, warn: (line: string) => void): Promise<Map<string, Suppression>> {
  const topic = config.kafka.topics.suppressions;
  const rules = suppressionRules(config);
  const state = new Map<string, Suppression>();
  await readToEnd(kafka, { topic, groupPrefix: `${config.kafka.group_id}.suppress` }, (partition, m, offset) => {
    const id = m.key?.toString('utf8') ?? null;
    const where = `${topic}/${partition}@${offset}`;
    if (id === null) return warn(`${where}: a record without a key (the suppression id); ignored`);
    if (m.value === null) return void state.delete(id);
    const decoded = decodeSuppression(id, m.value, rules);
    if (decoded.ok) state.set(id, decoded.value);
    else {
      state.delete(id);
      warn(`${where}: suppression ${id} not in force: ${decoded.reason}`);
    }
  });
  return state;
}

/** Connected Kafka with both suppression topics present, for one command. */
async function withKafka<T>(config: Config, work: (kafka: Kafka) => Promise<T>): Promise<T> {
  const kafka = createKafka(config.kafka, { clientId: `${config.kafka.client_id}-suppress` });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureSuppressionTopics(admin, config);
  } finally {
    await admin.disconnect();
  }
  return work(kafka);
}

/** The audit event, then the change (the record, or the tombstone when `record` is null). */
async function writeChange(kafka: Kafka, config: Config, event: SuppressionAuditEvent, record: Suppression | null): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: DefaultPartitioner });
  await producer.connect();
  try {
    const id = event.suppression.id;
    await producer.send({ topic: config.kafka.topics.suppression_audit, acks: -1, messages: [{ key: id, value: encodeAuditEvent(event) }] });
    await producer.send({ topic: config.kafka.topics.suppressions, acks: -1, messages: [{ key: id, value: record === null ? null : encodeSuppression(record) }] });
  } finally {
    await producer.disconnect();
  }
}

export interface SuppressResult {
  lines: string[];
}

export async function suppressAdd(config: Config, o: SuppressAddOptions, nowMs = Date.now()): Promise<{ suppression: Suppression; lines: string[] }> {
  const suppression = suppressionFromOptions(config, o, nowMs); // refused before any connection
  if (config.suppressions.entries.some((s) => s.id === suppression.id)) {
    throw new UsageError(`suppress add refused: --id ${suppression.id} is a suppression of the config file (suppressions.entries)`);
  }
  const warnings: string[] = [];
  await withKafka(config, async (kafka) => {
    const current = await readSuppressionTopic(kafka, config, (w) => warnings.push(w));
    if (current.has(suppression.id)) {
      throw new UsageError(`suppress add refused: --id ${suppression.id} is in use on ${config.kafka.topics.suppressions}; remove it first or choose another id`);
    }
    await writeChange(kafka, config, auditEvent('add', suppression, o.actor, nowMs), suppression);
  });
  return {
    suppression,
    lines: [...warnings, `suppression ${suppression.id} added: ${describeScope(suppression)} until ${iso(suppression.expires_at_ms)}, owner ${suppression.owner}`],
  };
}

export async function suppressRemove(config: Config, id: string, actor: string | undefined, nowMs = Date.now()): Promise<SuppressResult> {
  if (config.suppressions.entries.some((s) => s.id === id)) {
    throw new UsageError(`suppress remove: ${id} is a suppression of the config file (suppressions.entries); remove it there`);
  }
  const warnings: string[] = [];
  const removed = await withKafka(config, async (kafka) => {
    const current = await readSuppressionTopic(kafka, config, (w) => warnings.push(w));
    const found = current.get(id);
    if (found === undefined) throw new UsageError(`suppress remove: no suppression with id ${id} on ${config.kafka.topics.suppressions}`);
    await writeChange(kafka, config, auditEvent('remove', found, actor, nowMs), null);
    return found;
  });
  return { lines: [...warnings, `suppression ${id} removed: ${describeScope(removed)}`] };
}

/** Tombstones every suppression on the topic expired at `nowMs`, each with an `expire` audit event. */
export async function suppressPrune(config: Config, actor: string | undefined, nowMs = Date.now()): Promise<SuppressResult> {
  const lines: string[] = [];
  await withKafka(config, async (kafka) => {
    const current = await readSuppressionTopic(kafka, config, (w) => lines.push(w));
    for (const s of [...current.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (isActive(s, nowMs)) continue;
      await writeChange(kafka, config, auditEvent('expire', s, actor, nowMs), null);
      lines.push(`suppression ${s.id} expired at ${iso(s.expires_at_ms)}: removed`);
    }
  });
  if (lines.length === 0) lines.push('no expired suppression on the topic');
  return { lines };
}

export async function suppressList(config: Config, o: { all?: boolean; json?: boolean }, nowMs = Date.now()): Promise<SuppressResult> {
  const warnings: string[] = [];
  const fromTopic = await withKafka(config, (kafka) => readSuppressionTopic(kafka, config, (w) => warnings.push(w)));
  const rows: Array<{ s: Suppression; source: 'topic' | 'config' }> = [
    ...config.suppressions.entries.map((s) => ({ s, source: 'config' as const })),
    ...[...fromTopic.values()].map((s) => ({ s, source: 'topic' as const })),
  ]
    .filter((r) => o.all || isActive(r.s, nowMs))
    .sort((a, b) => (a.s.id < b.s.id ? -1 : a.s.id > b.s.id ? 1 : 0));
  const lines = rows.map((r) => (o.json ? JSON.stringify({ ...r.s, source: r.source, active: isActive(r.s, nowMs) }) : describeSuppression(r.s, r.source, nowMs)));
  if (!o.json && lines.length === 0) lines.push(o.all ? 'no suppressions' : 'no active suppressions');
  return { lines: [...warnings, ...lines] };
}

function auditEvent(action: AuditAction, suppression: Suppression, actor: string | undefined, nowMs: number): SuppressionAuditEvent {
  return { action, suppression, actor: actor ?? defaultActor(), at_ms: nowMs };
}

function print(lines: string[]): void {
  for (const line of lines) process.stdout.write(line + '\n');
}

export function registerSuppressCommand(program: Command): void {
  const suppress = program
    .command('suppress')
    .description("mark alerts of one exact scope as benign until an expiry (kept on kafka.topics.suppressions, every change audited on kafka.topics.suppression_audit)");
  suppress
    .command('add')
    .description('add a suppression: covered alerts go to kafka.topics.suppressed with it instead of the incident topic')
    .requiredOption('-c, --config <file>', 'the YAML config (brokers, topics, suppressions.max_duration)')
    .option('--destination <key>', 'the exact destination (baseline key) covered; required: no pattern, network, country or region')
    .option('--type <type>', 'only alerts of this type (default: every type)')
    .option('--data-class <class>', 'only alerts of this data class (default: any)')
    .option('--principal <name>', 'only alerts of this principal (default: any)')
    .option('--reason <text>', 'why these alerts are benign (required)')
    .option('--owner <name>', 'who answers for the suppression (required)')
    .option('--expires <time>', 'an ISO 8601 time or a duration from now such as 7d; at most suppressions.max_duration (required)')
    .option('--id <id>', 'the suppression id (default: s-<random>)')
    .option('--actor <name>', 'who makes the change, for the audit trail (default: the OS user)')
    .action(async (opts: SuppressAddOptions & { config: string }) => {
      print((await suppressAdd(loadConfig(opts.config), opts)).lines);
    });
  suppress
    .command('remove')
    .description('remove a suppression from the topic (a tombstone), with an audit event')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .requiredOption('--id <id>', 'the suppression to remove')
    .option('--actor <name>', 'who makes the change, for the audit trail (default: the OS user)')
    .action(async (opts: { config: string; id: string; actor?: string }) => {
      print((await suppressRemove(loadConfig(opts.config), opts.id, opts.actor)).lines);
    });
  suppress
    .command('list')
    .description('print the suppressions in force (config and topic)')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .option('--all', 'also those already expired')
    .option('--json', 'one JSON object a line')
    .action(async (opts: { config: string; all?: boolean; json?: boolean }) => {
      print((await suppressList(loadConfig(opts.config), opts)).lines);
    });
  suppress
    .command('prune')
    .description('remove the expired suppressions from the topic, each with an "expire" audit event')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .option('--actor <name>', 'who makes the change, for the audit trail (default: the OS user)')
    .action(async (opts: { config: string; actor?: string }) => {
      print((await suppressPrune(loadConfig(opts.config), opts.actor)).lines);
    });
}
