// Which failed engine batches restart the consumer (batch-failure.ts), on kafkajs's own error
// objects as its protocol layer makes them from Kafka's error codes.
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { failureKind, restartable } from '../../src/kafka/batch-failure.js';

const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode: (code: number) => Error & { type: string; retriable: boolean } };
// The constructors as kafkajs's JavaScript has them (its type definitions leave out the options).
type ErrorClass = new (e: Error | string, options?: Record<string, unknown>) => Error;
const KafkaJSNonRetriableError = kafkajs.KafkaJSNonRetriableError as unknown as ErrorClass;
const KafkaJSGroupCoordinatorNotFound = kafkajs.KafkaJSGroupCoordinatorNotFound as unknown as ErrorClass;
const KafkaJSNumberOfRetriesExceeded = kafkajs.KafkaJSNumberOfRetriesExceeded as unknown as ErrorClass;

describe('restartable', () => {
  it('makes a fenced state write retriable, naming the partition and the original error', () => {
    const fenced = createErrorFromCode(47);
    expect(fenced.type).toBe('INVALID_PRODUCER_EPOCH');
    expect(fenced.retriable).toBe(false);
    const out = restartable(fenced, 2) as Error & { retriable: boolean };
    expect(out).not.toBe(fenced);
    expect(out.retriable).toBe(true);
    expect(out.message).toBe(
      `engine partition 2: batch not completed (KafkaJSProtocolError: ${fenced.message}); restarting from the last commit`,
    );
  });

  it('makes a broker away for longer than the retries retriable, found through the causes kafkajs wraps it in', () => {
    // What a state write threw in the fault suite while the broker restarted, wrapped as kafkajs's retrier wraps it.
    const notFound = new KafkaJSGroupCoordinatorNotFound('Failed to find group coordinator');
    const away = new KafkaJSNonRetriableError(notFound, { cause: notFound });
    expect((restartable(away, 1) as { retriable: boolean }).retriable).toBe(true);
    const refused = new Error('Connection error: connect ECONNREFUSED');
    const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 8000, cause: refused });
    expect((restartable(exhausted, 1) as { retriable: boolean }).retriable).toBe(true);
  });

  it('passes every other error on unchanged: refusals, membership errors and bugs', () => {
    for (const code of [53, 29, 25, 22]) {
      // TRANSACTIONAL_ID_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION
      const err = createErrorFromCode(code);
      expect(restartable(err, 0)).toBe(err);
    }
    const bug = new TypeError("Cannot read properties of undefined (reading 'offset')");
    expect(restartable(bug, 0)).toBe(bug);
    expect(restartable('a string', 0)).toBe('a string');
  });

  it('names the reason the metric counts: fenced, broker_away or other', () => {
    const notFound = new KafkaJSGroupCoordinatorNotFound('Failed to find group coordinator');
    expect(failureKind(createErrorFromCode(47))).toBe('fenced');
    expect(failureKind(new KafkaJSNonRetriableError(notFound, { cause: notFound }))).toBe('broker_away');
    expect(failureKind(createErrorFromCode(29))).toBe('other');
    expect(failureKind(new RangeError('x'))).toBe('other');
    expect(failureKind(undefined)).toBe('other');
  });
});
