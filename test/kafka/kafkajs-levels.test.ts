// kafkajs's own log lines, as the service's log shows them: broker answers kafkajs retries are
// not errors (debug for the raw answer, info for the retried step), a real failure stays one.
// The lines go in through kafkajs's own logger (kafka.logger(), what its connection, producer
// and consumer call) into the service's sink, and come out as pino JSON lines.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createKafka } from '../../src/kafka/client.js';
import { RETRIED_ANSWERS } from '../../src/kafka/kafkajs-levels.js';
import { kafkajsSink } from '../../src/kafka/logger.js';

const config = parseConfig('kafka: {brokers: ["127.0.0.1:9"], client_id: ew-test, group_id: g, topics: {flows: f, alerts: a}}\n', 'levels.yaml');

/** The pino lines (level, msg, error) that kafkajs's logger entries become in the service's log. */
function serviceLines(feed: (kafkajsLog: ReturnType<ReturnType<typeof createKafka>['logger']>) => void): Array<{ level: number; msg: string; error?: string }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const kafka = createKafka(config.kafka, { clientId: 'ew-test-timer', log: kafkajsSink(pino({ level: 'debug' }, sink)) });
  feed(kafka.logger());
  return lines.map((l) => JSON.parse(l) as { level: number; msg: string; error?: string; component: string }).map(({ level, msg, error }) => ({ level, msg, error }));
}

const broker = { broker: '127.0.0.1:41551', clientId: 'ew-test-timer' };

describe('kafkajs log lines in the service log', () => {
  it('shows retried broker answers at debug, retried steps at info, failures as errors', () => {
    const got = serviceLines((log) => {
      const connection = log.namespace('Connection');
      // Seen at every start while the broker loads its coordinators (level 50 before).
      connection.error('Response InitProducerId(key: 22, version: 1)', { ...broker, error: "The coordinator is loading and hence can't process requests for this group", correlationId: 4, size: 20 });
      connection.error('Response Metadata(key: 3, version: 6)', { ...broker, error: 'This server does not host this topic-partition', correlationId: 23, size: 101 });
      connection.error('Response GroupCoordinator(key: 10, version: 2)', { ...broker, error: 'The group coordinator is not available', correlationId: 2, size: 55 });
      connection.error('Response AddPartitionsToTxn(key: 24, version: 1)', { ...broker, error: 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing', correlationId: 9, size: 40 });
      log.namespace('Runner').warn('The group is rebalancing, re-joining', { groupId: 'g', memberId: 'm', error: 'The group is rebalancing, so a rejoin is needed' });
      log.namespace('Producer').error('Failed to send messages: This server is not the leader for that topic-partition', { retryCount: 0, retryTime: 300 });
      // The suppression follower's first join on a fresh broker: kafkajs crashes the consumer on the answer and restarts it.
      log.namespace('Consumer').error("Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group", { groupId: 'g.suppressions.1', retryCount: 0 });
      log.namespace('Consumer').error('Restarting the consumer in 300ms', { retryTime: 300, groupId: 'g.suppressions.1' });
      // Real failures: not retriable, or retries exhausted.
      connection.error('Response Produce(key: 0, version: 7)', { ...broker, error: "Producer attempted an operation with an old epoch. Either there is a newer producer with the same transactionalId, or the producer's transaction has been expired by the broker", correlationId: 31, size: 60 });
      connection.error('Response Metadata(key: 3, version: 6)', { ...broker, error: 'Not authorized to access topics: [Topic authorization failed]', correlationId: 5, size: 70 });
      log.namespace('Consumer').error("Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is loading and hence can't process requests for this group", { groupId: 'g', retryCount: 8 });
      log.namespace('Consumer').error('Restarting the consumer in 300ms', { retryCount: 8, retryTime: 300, groupId: 'g' });
      log.namespace('Consumer').warn('Consumer group received unsubscribed topics', { groupId: 'g' });
    });
    expect(got.map((l) => [l.level, l.msg])).toEqual([
      [20, 'Response InitProducerId(key: 22, version: 1)'],
      [20, 'Response Metadata(key: 3, version: 6)'],
      [20, 'Response GroupCoordinator(key: 10, version: 2)'],
      [20, 'Response AddPartitionsToTxn(key: 24, version: 1)'],
      [30, 'The group is rebalancing, re-joining'],
      [30, 'Failed to send messages: This server is not the leader for that topic-partition'],
      [30, "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group"],
      [30, 'Restarting the consumer in 300ms'],
      [50, 'Response Produce(key: 0, version: 7)'],
      [50, 'Response Metadata(key: 3, version: 6)'],
      [50, "Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is loading and hence can't process requests for this group"],
      [50, 'Restarting the consumer in 300ms'],
      [40, 'Consumer group received unsubscribed topics'],
    ]);
    // The answer itself is kept on the line.
    expect(got[0].error).toBe("The coordinator is loading and hence can't process requests for this group");
  });

  it('takes the retried answers from kafkajs\'s error table: coordinator and leader answers in, fencing and authorisation out', () => {
    const types = new Set(RETRIED_ANSWERS.values());
    for (const t of ['GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION', 'CONCURRENT_TRANSACTIONS', 'REBALANCE_IN_PROGRESS']) {
      expect(types.has(t), t).toBe(true);
    }
    for (const t of ['INVALID_PRODUCER_EPOCH', 'TOPIC_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']) {
      expect(types.has(t), t).toBe(false);
    }
  });
});
