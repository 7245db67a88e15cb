// Reading partitions of a topic up to their ends (src/kafka/read-to-end.ts), on a real broker:
// what it delivers, and a stop that aborts it while its consumer is still connecting. That
// abort used to reject a promise nobody awaited yet; Node ended the stopping instance with exit
// code 1 (seen in the fault suite as "clean stops: b: 1": docs/reliability.md).
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToEnd } from '../../src/kafka/read-to-end.js';
import { startTestBroker, type TestBroker } from './helpers/broker.js';
import { createTopic, produce, testKafka } from './helpers/service-fixtures.js';

let broker: TestBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = testKafka(broker.bootstrap);
}, 180_000);
afterAll(async () => {
  await broker?.stop();
});

describe('readToEnd', () => {
  it('delivers the asked partitions in offset order, up to the ends it read first', async () => {
    const topic = `read-to-end-${Date.now().toString(36)}`;
    await createTopic(kafka, topic, 2);
    await produce(kafka, topic, [
      { partition: 0, value: 'a0' },
      { partition: 1, value: 'b0' },
      { partition: 1, value: 'b1' },
      { partition: 0, value: 'a1' },
      { partition: 1, value: 'b2' },
    ]);
    const got: string[] = [];
    const ends = await readToEnd(kafka, { topic, partitions: [1], groupPrefix: 'read-to-end-test' }, (partition, m, offset) =>
      got.push(`${partition}/${offset}/${m.value!.toString()}`),
    );
    expect(got).toEqual(['1/0/b0', '1/1/b1', '1/2/b2']);
    expect(ends).toEqual([{ partition: 1, low: 0, high: 3 }]);
  }, 60_000);

  it('rejects with "aborted" when stopped while its consumer connects, and leaves no rejection unhandled', async () => {
    const topic = `read-to-end-abort-${Date.now().toString(36)}`;
    await createTopic(kafka, topic, 1);
    await produce(kafka, topic, [{ partition: 0, value: 'x' }]);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const controller = new AbortController();
    // The real client, with the stop landing exactly while the reading consumer connects.
    const timed = Object.create(kafka) as Kafka;
    timed.consumer = (config) => {
      const consumer = kafka.consumer(config);
      const connect = consumer.connect.bind(consumer);
      consumer.connect = async () => {
        const connecting = connect();
        controller.abort();
        await new Promise((r) => setTimeout(r, 50)); // let Node look for unhandled rejections
        return connecting;
      };
      return consumer;
    };
    let delivered = 0;
    try {
      await expect(readToEnd(timed, { topic, groupPrefix: 'read-to-end-test', signal: controller.signal }, () => delivered++)).rejects.toThrow(
        `reading ${topic} aborted`,
      );
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(delivered).toBe(0);
  }, 60_000);
});
