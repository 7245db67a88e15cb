// Waiting out a partition leader that is still settling (src/kafka/topic-offsets.ts): kafkajs's
// admin.fetchTopicOffsets throws NOT_LEADER_FOR_PARTITION at once, and a restarting instance
// died of it at start-up. The helper is given the request as a function, so these run without
// a broker; the service's own use of it runs against one in the fault suite.
import { describe, expect, it } from 'vitest';
import { stillSettling, whileSettling } from '../../src/kafka/topic-offsets.js';

/** An error as kafkajs makes it for a protocol answer (KafkaJSProtocolError: message and type). */
const answer = (type: string): Error => Object.assign(new Error(`broker said ${type}`), { type });

describe('whileSettling', () => {
  it('asks again while the leader is settling, and returns the first answer', async () => {
    const errors = [answer('NOT_LEADER_FOR_PARTITION'), answer('LEADER_NOT_AVAILABLE'), answer('UNKNOWN_TOPIC_OR_PARTITION')];
    let calls = 0;
    const got = await whileSettling(async () => {
      calls += 1;
      const err = errors.shift();
      if (err !== undefined) throw err;
      return [{ partition: 0, offset: '7', high: '7', low: '0' }];
    }, 30_000, 1);
    expect(calls).toBe(4);
    expect(got).toEqual([{ partition: 0, offset: '7', high: '7', low: '0' }]);
  });

  it('throws any other error at once, as it came', async () => {
    const refused = answer('TOPIC_AUTHORIZATION_FAILED');
    let calls = 0;
    await expect(
      whileSettling(async () => {
        calls += 1;
        throw refused;
      }, 30_000, 1),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('gives up with the settling error once its time is up', async () => {
    const settling = answer('NOT_LEADER_FOR_PARTITION');
    await expect(
      whileSettling(async () => {
        throw settling;
      }, -1, 1),
    ).rejects.toBe(settling);
  });

  it('tells the settling answers by their kafkajs type', () => {
    expect(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'REQUEST_TIMED_OUT'].map((t) => stillSettling(answer(t)))).toEqual([true, true, true, false]);
    expect([new Error('plain'), null, undefined, 'text'].map(stillSettling)).toEqual([false, false, false, false]);
  });
});
