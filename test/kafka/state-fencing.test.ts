// The fence against a stalled former owner (state-producers.ts), against the real broker: an
// instance that passed its heartbeat check and then stalled while the group gave its partition
// to another cannot land its state write after the new owner's, and a restore never sees what
// a fenced owner left uncommitted.
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineTask } from '../../src/kafka/engine-task.js';
import { readChangelog } from '../../src/kafka/restore.js';
import { StateProducers } from '../../src/kafka/state-producers.js';
import { topicOffsets } from '../../src/kafka/topic-offsets.js';
import { writeState } from '../../src/kafka/state-writes.js';
import type { TaskRegistry } from '../../src/kafka/task-registry.js';
import type { TopicLayout } from '../../src/kafka/topics.js';
import { startTestBroker, type TestBroker } from './helpers/broker.js';
import { testKafka } from './helpers/service-fixtures.js';

let broker: TestBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = testKafka(broker.bootstrap);
});

afterAll(async () => {
  await broker?.stop();
});

async function topics(changelog: string, input: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: changelog, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: input, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
}

/** What writeState uses of an engine task: partition 0, these changes, input read up to `nextOffset`. */
function task(changes: Record<string, string>, nextOffset: number): EngineTask {
  return {
    partition: 0,
    nextOffset,
    changelogEnd: 0,
    commit: () => Object.entries(changes).map(([key, value]) => ({ key, value })),
  } as unknown as EngineTask;
}

/** One instance's side: its own state producers, as the service's task registry holds them. */
function instance(groupId: string, changelog: string, input: string) {
  const producers = new StateProducers(groupId, (transactionalId) => kafka.producer({ transactionalId, maxInFlightRequests: 1 }));
  const deps = {
    groupId,
    layout: { changelog, engineInput: input } as TopicLayout,
    registry: {
      stateProducer: (p: number) => producers.get(p),
      releaseStateProducer: (p: number, producer: Producer) => producers.release(p, producer),
    } as unknown as TaskRegistry,
  };
  return { producers, deps };
}

async function restore(changelog: string) {
  const state = await readChangelog(kafka, { topic: changelog, partitions: [0], groupPrefix: 'fence-test.restore' });
  return state.get(0)!;
}

/**
 * Waits until a read_committed reader of `topic` (partition 0) sees up to `end`. A producer's
 * commit returns once the transaction coordinator has decided it; the commit markers are then
 * written to the changelog and to the group's offsets asynchronously (Kafka's transaction
 * protocol, KIP-98), and a read_committed ListOffsets answers the last stable offset, which
 * moves past a transaction only when its marker is in. A restore asked for at once can so end
 * before the write just committed (seen once in CI: dst-1 still old@10). The service does not
 * meet this: a new owner initialises the partition's transactional id before it restores, and
 * that waits for a transaction being committed; a plain read right after a commit, as below,
 * must wait for the markers itself.
 */
async function untilStable(topic: string, end: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const started = Date.now();
    for (let tries = 0; ; tries++) {
      const [p] = await topicOffsets(admin, topic);
      if (Number(p.high) >= end) return;
      // 100 pauses of 100 ms, and however long the leader took to answer each ask.
      if (tries === 100) throw new Error(`${topic}: last stable offset ${p.high} after ${((Date.now() - started) / 1000).toFixed(1)} s, not ${end}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

async function committedOffset(groupId: string, input: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [input] });
    return t.partitions[0].offset;
  } finally {
    await admin.disconnect();
  }
}

describe('state writes are fenced per engine partition', () => {
  it('rejects the write of an owner that stalled after its check while another claimed the partition', async () => {
    const [changelog, input] = ['fence-a.state', 'fence-a.input'];
    await topics(changelog, input);
    const old = instance('fence-a', changelog, input);
    const next = instance('fence-a', changelog, input);
    await old.producers.claim([0]);

    const first = task({ 'dst-1': 'old@10', 'dst-2': 'old@10' }, 10);
    expect(await writeState(old.deps, first, async () => {})).toBe(true);
    // Two records and the commit marker: where a restore will find the end.
    expect(first.changelogEnd).toBe(3);

    // The stall: the old owner's check passed; before its write goes out, the partition moves.
    const stale = writeState(old.deps, task({ 'dst-1': 'old@20' }, 20), () => next.producers.claim([0]));
    await expect(stale).rejects.toMatchObject({ type: expect.stringMatching(/^(INVALID_PRODUCER_EPOCH|PRODUCER_FENCED)$/) });
    expect(() => old.producers.get(0)).toThrow('no state producer for engine partition 0'); // the fenced one is closed

    // The new owner restores what the old one committed, and goes on from there.
    const restored = await restore(changelog);
    expect(Object.fromEntries(restored.entries)).toEqual({ 'dst-1': 'old@10', 'dst-2': 'old@10' });
    expect(restored.changelogEnd).toBe(3);
    expect(await committedOffset('fence-a', input)).toBe('10');
    const second = task({ 'dst-1': 'new@15' }, 15);
    expect(await writeState(next.deps, second, async () => {})).toBe(true);
    expect(second.changelogEnd).toBe(5);

    await untilStable(changelog, second.changelogEnd);
    const after = await restore(changelog);
    expect(Object.fromEntries(after.entries)).toEqual({ 'dst-1': 'new@15', 'dst-2': 'old@10' });
    expect(after.changelogEnd).toBe(5);
    // The offsets committed in the transaction become visible with its marker in the group's log.
    await expect.poll(() => committedOffset('fence-a', input), { timeout: 10_000 }).toBe('15');
    await old.producers.closeAll();
    await next.producers.closeAll();
  });

  it('aborts what a fenced owner had sent but not committed: a restore neither sees it nor waits for it', async () => {
    const [changelog, input] = ['fence-b.state', 'fence-b.input'];
    await topics(changelog, input);
    const old = instance('fence-b', changelog, input);
    const next = instance('fence-b', changelog, input);
    await old.producers.claim([0]);
    // The old owner stalls inside its transaction, its records already on the broker.
    const txn = await (await old.producers.get(0)).transaction();
    await txn.send({ topic: changelog, messages: [{ key: 'dst-1', value: 'old@20', partition: 0 }] });

    await next.producers.claim([0]); // aborts the open transaction: an abort marker follows the record
    await expect(txn.commit()).rejects.toMatchObject({ type: expect.stringMatching(/^(INVALID_PRODUCER_EPOCH|PRODUCER_FENCED)$/) });

    // The partition holds only the aborted record and the abort marker: nothing to deliver,
    // and the reader must still find its end (offset 2) rather than wait for a record there.
    const restored = await restore(changelog);
    expect(restored.entries.size).toBe(0);
    expect(restored.progress).toBeNull();
    expect(restored.changelogEnd).toBe(2);
    expect(await committedOffset('fence-b', input)).toBe('-1');
    await old.producers.closeAll();
    await next.producers.closeAll();
  });
});
