// What kafkajs is told when an engine batch fails (batch-handler.ts).
/**
 * How kafkajs must see a failed engine batch. kafkajs stops for good on a non-retriable
 * error, but two failures of a state write are transient and must restart the consumer, which
 * rejoins and re-reads the partition from its last commit into an engine restored from the
 * changelog: a fenced state producer (the partition moved on while this instance stalled) and a
 * broker away for longer than the producer's retries (no coordinator, no connection). Every
 * other error goes to kafkajs as it is and kafkajs's own rules apply: a membership error makes
 * it rejoin at once; a refusal (a missing ACL), a non-retriable protocol error or a programming
 * error (TypeError and the like) stops the service with its message rather than restarting it
 * forever.
 */
export function restartable(err: unknown, partition: number): unknown {
  if (failureKind(err) === 'other') return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : 'Error';
  // kafkajs decides on the innermost `cause`, so the original is named in the message, not chained.
  return Object.assign(new Error(`engine partition ${partition}: batch not completed (${name}: ${message}); restarting from the last commit`), { retriable: true });
}

const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const BROKER_AWAY = new Set([
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
]);

export type BatchFailureKind = 'fenced' | 'broker_away' | 'other';

/** Why an engine batch failed, as the metric egress_watch_batches_failed_total{reason} counts it. */
export function failureKind(err: unknown, depth = 0): BatchFailureKind {
  if (err === null || typeof err !== 'object' || depth > 5) return 'other';
  const e = err as { type?: unknown; name?: unknown; cause?: unknown; originalError?: unknown };
  if (typeof e.type === 'string' && FENCED.has(e.type)) return 'fenced';
  if (typeof e.name === 'string' && BROKER_AWAY.has(e.name)) return 'broker_away';
  const inner = failureKind(e.cause, depth + 1);
  return inner !== 'other' ? inner : failureKind(e.originalError, depth + 1);
}
