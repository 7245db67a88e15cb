import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigResourceTypes, type Consumer, type IHeaders, Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureKafkaJars,
  kafkaVersion,
  type LocalBroker,
  localBrokerStatus,
  startLocalBroker,
  stopLocalBroker,
} from '../../src/kafka/local-broker.js';
import { portTakenAtBind } from '../../src/kafka/local/listener-ports.js';
import { renderServerProperties } from '../../src/kafka/local/server-properties.js';
import { startTestBroker } from './helpers/broker.js';

const KAFKA_VERSION = kafkaVersion();
const TOPIC = 'flows-test';
const COMPACTED_TOPIC = 'state-changelog-test';
const MESSAGE_COUNT = 1000;

describe('server.properties rendering', () => {
  const template = [
    '# {{NAME}} in a comment stays as it is',
    'listeners={{LISTENERS}}',
    'advertised.listeners={{ADVERTISED_LISTENERS}}',
    'listener.security.protocol.map={{SECURITY_PROTOCOL_MAP}}',
    'controller.quorum.voters=1@127.0.0.1:{{CONTROLLER_PORT}}',
    'log.dirs={{DATA_DIR}}',
    'num.partitions=1',
    '',
  ].join('\n');

  it('fills the listeners, replaces template keys in place and appends the other extra properties', () => {
    const text = renderServerProperties(
      {
        port: 9092,
        controllerPort: 9093,
        dataDir: '/state/data',
        extraListeners: [{ name: 'SASL_SSL', securityProtocol: 'SASL_SSL', port: 9094 }],
        extraProperties: { 'num.partitions': '3', 'sasl.enabled.mechanisms': 'SCRAM-SHA-512' },
      },
      template,
    );
    expect(text).toBe(
      [
        '# {{NAME}} in a comment stays as it is',
        'listeners=PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093',
        'advertised.listeners=PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
        'controller.quorum.voters=1@127.0.0.1:9093',
        'log.dirs=/state/data',
        'num.partitions=3',
        '',
        '# extra properties passed to startLocalBroker',
        'sasl.enabled.mechanisms=SCRAM-SHA-512',
        '',
      ].join('\n'),
    );
  });

  it('rejects a listener name that would clash with the built-in ones', () => {
    expect(() =>
      renderServerProperties(
        {
          port: 1,
          controllerPort: 2,
          dataDir: '/d',
          extraListeners: [{ name: 'CONTROLLER', securityProtocol: 'SSL', port: 3 }],
          extraProperties: {},
        },
        template,
      ),
    ).toThrow('extraListeners: listener name "CONTROLLER" must be upper case letters, digits and _ and not PLAINTEXT or CONTROLLER');
  });

  it('rejects a multi-line extra property value, naming the key', () => {
    expect(() =>
      renderServerProperties(
        { port: 1, controllerPort: 2, dataDir: '/d', extraListeners: [], extraProperties: { 'a.b': 'x\ny' } },
        template,
      ),
    ).toThrow('extraProperties.a.b: value must be a single line');
  });
});

describe('portTakenAtBind (reading why the broker exited from its log)', () => {
  it('finds the port of a bind that failed because the port was in use, and nothing for other failures', () => {
    // The cause line as Kafka 4.1.2 logged it when a test here held its port.
    const taken = [
      'starting broker',
      'Caused by: org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:36895: Address already in use.',
    ].join('\n');
    expect(portTakenAtBind(taken)).toBe(36895);
    expect(
      portTakenAtBind('KafkaException: Socket server failed to bind to 10.9.9.9:9092: Cannot assign requested address.'),
    ).toBeUndefined();
    expect(portTakenAtBind('starting broker\nbroker exited')).toBeUndefined();
  });
});

describe('kafkaVersion', () => {
  it('takes EGRESS_WATCH_KAFKA_VERSION when it is a release number and rejects anything else', () => {
    expect(kafkaVersion({ EGRESS_WATCH_KAFKA_VERSION: '3.9.1' })).toBe('3.9.1');
    expect(() => kafkaVersion({ EGRESS_WATCH_KAFKA_VERSION: '../4.1' })).toThrow(
      'EGRESS_WATCH_KAFKA_VERSION: "../4.1" is not a Kafka release version',
    );
  });
});

describe(`kafkajs 2.2.4 against Apache Kafka ${KAFKA_VERSION} (KRaft, single node, from Maven jars)`, () => {
  let dir: string;
  let broker: LocalBroker;
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'egress-watch-local-test-'));
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await stopLocalBroker({ dir });
    rmSync(dir, { recursive: true, force: true });
  });

  function newConsumer(groupId: string): Consumer {
    // Short fetch waits: kafkajs heartbeats (and so notices a rebalance) only between fetches.
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      rebalanceTimeout: 20_000,
      maxWaitTimeInMs: 250,
    });
    consumers.push(consumer);
    return consumer;
  }

  it('resolves the broker jars into the cache', async () => {
    const libs = await ensureKafkaJars();
    expect(existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))).toBe(true);
    expect(existsSync(join(libs, `kafka-clients-${KAFKA_VERSION}.jar`))).toBe(true);
    expect(existsSync(join(libs, 'slf4j-simple-1.7.36.jar'))).toBe(true);
    expect(existsSync(join(libs, 'slf4j-api-1.7.36.jar'))).toBe(true);
  });

  it('starts, and a second start finds the same broker', async () => {
    broker = await startLocalBroker({ dir });
    expect(broker.alreadyRunning).toBe(false);
    expect(broker.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dir, 'bootstrap'), 'utf8').trim()).toBe(broker.bootstrap);
    expect(readFileSync(join(dir, 'broker.pid'), 'utf8').trim()).toBe(String(broker.pid));
    const properties = readFileSync(join(dir, 'server.properties'), 'utf8');
    expect(properties).toContain('process.roles=broker,controller\n');
    expect(properties).toContain(`advertised.listeners=PLAINTEXT://${broker.bootstrap}\n`);
    expect(properties).toContain(`log.dirs=${join(dir, 'data')}\n`);

    const again = await startLocalBroker({ dir });
    expect(again.alreadyRunning).toBe(true);
    expect(again.pid).toBe(broker.pid);
    expect(again.bootstrap).toBe(broker.bootstrap);

    const status = await localBrokerStatus({ dir });
    expect(status).toEqual({ running: true, dir, pid: broker.pid, bootstrap: broker.bootstrap, listening: true });

    // kafkajs logs retriable conditions (coordinator not yet available, rebalancing) as ERROR;
    // the assertions below are what tells success from failure.
    kafka = new Kafka({ clientId: 'local-broker-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });

  it('admin: creates a 3-partition topic and a compacted topic', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: TOPIC, numPartitions: 3, replicationFactor: 1 },
          {
            topic: COMPACTED_TOPIC,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
      expect(created).toBe(true);
      expect((await admin.listTopics()).filter((t) => !t.startsWith('__')).sort()).toEqual([TOPIC, COMPACTED_TOPIC].sort());

      const metadata = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);

      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: COMPACTED_TOPIC, configNames: ['cleanup.policy'] }],
      });
      expect(configs.resources[0].configEntries.map((e) => [e.configName, e.configValue])).toEqual([
        ['cleanup.policy', 'compact'],
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it(`produces ${MESSAGE_COUNT} keyed messages with headers and a consumer group reads them all exactly once`, async () => {
    await produce(0, MESSAGE_COUNT);
    const admin = kafka.admin();
    await admin.connect();
    const endOffsets = await admin.fetchTopicOffsets(TOPIC);
    expect(endOffsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(MESSAGE_COUNT);

    const received = await consumeUntil(newConsumer('group-a'), MESSAGE_COUNT);
    expect(received.length).toBe(MESSAGE_COUNT);
    expect(new Set(received.map((m) => m.key)).size).toBe(MESSAGE_COUNT);
    for (const message of received) {
      const i = Number(message.key.slice('key-'.length));
      expect(message).toEqual(expectedMessage(i));
    }

    const committed = await admin.fetchOffsets({ groupId: 'group-a', topics: [TOPIC] });
    const byPartition = Object.fromEntries(committed[0].partitions.map((p) => [p.partition, Number(p.offset)]));
    expect(byPartition).toEqual(Object.fromEntries(endOffsets.map((p) => [p.partition, Number(p.high)])));
    expect(Object.values(byPartition).reduce((a, b) => a + b, 0)).toBe(MESSAGE_COUNT);
    await admin.disconnect();
  });

  it('keeps data, offsets and address across a broker restart; the group resumes from its committed offsets', async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    expect(await stopLocalBroker({ dir })).toBe(true);
    const restarted = await startLocalBroker({ dir });
    expect(restarted.alreadyRunning).toBe(false);
    expect(restarted.pid).not.toBe(broker.pid);
    expect(restarted.bootstrap).toBe(broker.bootstrap); // the previous port was free, so it is reused
    broker = restarted;

    await produce(MESSAGE_COUNT, 10);
    const resumed = await consumeUntil(newConsumer('group-a'), 10);
    expect(resumed.map((m) => m.key).sort()).toEqual(
      Array.from({ length: 10 }, (_, n) => `key-${MESSAGE_COUNT + n}`).sort(),
    );
    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: 'group-a', topics: [TOPIC] });
    expect(committed[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(MESSAGE_COUNT + 10);
    await admin.disconnect();
  });

  it('splits the 3 partitions between two consumers of one group', async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    const assignments = new Map<string, number[]>();
    const members = [newConsumer('group-b'), newConsumer('group-b')];
    for (const [index, consumer] of members.entries()) {
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignments.set(`member-${index}`, [...(event.payload.memberAssignment[TOPIC] ?? [])].sort());
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
      await consumer.run({ eachBatch: async () => undefined });
    }
    const deadline = Date.now() + 60_000;
    const split = () => {
      const a = assignments.get('member-0') ?? [];
      const b = assignments.get('member-1') ?? [];
      return a.length > 0 && b.length > 0 && [...a, ...b].sort().join(',') === '0,1,2';
    };
    while (!split() && Date.now() < deadline) await sleep(200);
    const a = assignments.get('member-0') ?? [];
    const b = assignments.get('member-1') ?? [];
    expect([a.length, b.length].sort()).toEqual([1, 2]);
    expect([...a, ...b].sort()).toEqual([0, 1, 2]);
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  it('stops: status reports stopped and the port is closed', async () => {
    expect(await stopLocalBroker({ dir })).toBe(true);
    expect(existsSync(join(dir, 'broker.pid'))).toBe(false);
    const status = await localBrokerStatus({ dir });
    expect(status).toEqual({ running: false, dir, bootstrap: broker.bootstrap });
    expect(await portAcceptsConnections(Number(broker.bootstrap.split(':')[1]))).toBe(false);
    expect(await stopLocalBroker({ dir })).toBe(false);
  });

  // --- helpers ---

  interface ReceivedMessage {
    key: string;
    value: string;
    headers: Record<string, string>;
  }

  function expectedMessage(i: number): ReceivedMessage {
    return {
      key: `key-${i}`,
      value: JSON.stringify({ seq: i, bytes: i * 17 }),
      headers: { 'x-seq': String(i), 'x-source': 'local-broker-test' },
    };
  }

  async function produce(from: number, count: number): Promise<void> {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (let start = from; start < from + count; start += 250) {
        const end = Math.min(start + 250, from + count);
        await producer.send({
          topic: TOPIC,
          acks: -1,
          messages: Array.from({ length: end - start }, (_, n) => {
            const m = expectedMessage(start + n);
            return { key: m.key, value: m.value, headers: m.headers };
          }),
        });
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Runs the consumer with eachBatch and explicit commits until `count` messages arrived. */
  async function consumeUntil(consumer: Consumer, count: number): Promise<ReceivedMessage[]> {
    const received: ReceivedMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        for (const message of batch.messages) {
          received.push({
            key: message.key?.toString('utf8') ?? '',
            value: message.value?.toString('utf8') ?? '',
            headers: headersToStrings(message.headers),
          });
          resolveOffset(message.offset);
        }
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
        ]);
        await heartbeat();
      },
    });
    const deadline = Date.now() + 60_000;
    while (received.length < count && Date.now() < deadline) await sleep(100);
    await sleep(500); // a duplicate delivery, if any, would arrive now and fail the exact count
    await consumer.disconnect();
    return received;
  }
});

describe('start when another process takes a chosen port before Kafka binds it', () => {
  let dir: string;
  const held: Server[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'egress-watch-port-race-test-'));
  });

  afterAll(async () => {
    await Promise.all(held.map((server) => new Promise((done) => server.close(done))));
    await stopLocalBroker({ dir });
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts again on other ports, rewriting listeners and quorum voters on the same storage, and answers', async () => {
    const attempts: Array<{ ports: Record<string, number>; meta: string }> = [];
    const broker = await startLocalBroker({
      dir,
      onPortsChosen: async (ports) => {
        attempts.push({ ports, meta: readFileSync(join(dir, 'data', 'meta.properties'), 'utf8') });
        // Attempt 1 loses its controller port, attempt 2 its PLAINTEXT port, attempt 3 keeps both.
        if (attempts.length === 1) held.push(await holdPort(ports.CONTROLLER));
        if (attempts.length === 2) held.push(await holdPort(ports.PLAINTEXT));
      },
    });
    expect(attempts.length).toBe(3);
    const [first, second, third] = attempts.map((a) => a.ports);
    expect(second.CONTROLLER).not.toBe(first.CONTROLLER);
    expect(second.PLAINTEXT).toBe(first.PLAINTEXT); // still free, so kept
    expect(third.PLAINTEXT).not.toBe(second.PLAINTEXT);
    expect(third.CONTROLLER).toBe(second.CONTROLLER);
    expect(broker.alreadyRunning).toBe(false);
    expect(broker.bootstrap).toBe(`127.0.0.1:${third.PLAINTEXT}`);
    expect(broker.listeners).toEqual({ PLAINTEXT: `127.0.0.1:${third.PLAINTEXT}` });
    expect(readFileSync(join(dir, 'bootstrap'), 'utf8')).toBe(`127.0.0.1:${third.PLAINTEXT}\n`);

    const properties = readFileSync(join(dir, 'server.properties'), 'utf8');
    expect(properties).toContain(
      `\nlisteners=PLAINTEXT://127.0.0.1:${third.PLAINTEXT},CONTROLLER://127.0.0.1:${third.CONTROLLER}\n`,
    );
    expect(properties).toContain(`\ncontroller.quorum.voters=1@127.0.0.1:${third.CONTROLLER}\n`);
    // Formatted once, before the first attempt; every attempt and the running broker use that storage.
    const meta = readFileSync(join(dir, 'data', 'meta.properties'), 'utf8');
    expect(attempts.map((a) => a.meta)).toEqual([meta, meta, meta]);

    const log = readFileSync(broker.logFile, 'utf8');
    expect(log).toContain(`Socket server failed to bind to 127.0.0.1:${first.CONTROLLER}: Address already in use`);
    expect(log).toContain(`Socket server failed to bind to 127.0.0.1:${second.PLAINTEXT}: Address already in use`);

    const kafka = new Kafka({ clientId: 'port-race-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'after-retry', numPartitions: 2 }] })).toBe(true);
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([broker.bootstrap]);
      const metadata = await admin.fetchTopicMetadata({ topics: ['after-retry'] });
      expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1]);
    } finally {
      await admin.disconnect();
    }
    expect(await stopLocalBroker({ dir })).toBe(true);
  });

  it('an explicitly pinned port taken before start, or between the check and the bind, fails with one exact message', async () => {
    const pinnedDir = join(dir, 'pinned');
    const blocker = await holdPort(0);
    const port = (blocker.address() as { port: number }).port;
    let calls = 0;
    const start = () =>
      startLocalBroker({
        dir: pinnedDir,
        port,
        onPortsChosen: async (ports) => {
          calls += 1;
          held.push(await holdPort(ports.PLAINTEXT));
        },
      });
    const message = `--port: port ${port} on 127.0.0.1 is already in use`;

    expect(await startError(start())).toBe(message);
    expect(calls).toBe(0); // refused before any JVM started
    await new Promise((done) => blocker.close(done));

    expect(await startError(start())).toBe(message);
    expect(calls).toBe(1); // no retry on other ports for a pinned one
    expect(readFileSync(join(pinnedDir, 'broker.log'), 'utf8')).toContain(
      `Socket server failed to bind to 127.0.0.1:${port}: Address already in use`,
    );
    expect(existsSync(join(pinnedDir, 'broker.pid'))).toBe(false);
    expect(await localBrokerStatus({ dir: pinnedDir })).toMatchObject({ running: false });
  });
});

describe('startTestBroker (helper for the other integration tests)', () => {
  it('shares one broker per test file and stops it and deletes its folder after the last stop()', async () => {
    const first = await startTestBroker();
    const second = await startTestBroker();
    expect(second.bootstrap).toBe(first.bootstrap);
    expect(second.pid).toBe(first.pid);
    expect(await localBrokerStatus({ dir: first.dir })).toMatchObject({ running: true, pid: first.pid });

    await first.stop();
    expect(await localBrokerStatus({ dir: first.dir })).toMatchObject({ running: true, pid: first.pid });
    await second.stop();
    expect(existsSync(first.dir)).toBe(false);
    expect(await portAcceptsConnections(Number(first.bootstrap.split(':')[1]))).toBe(false);
  });
});

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    result[name] = Array.isArray(value) ? value.map(String).join(',') : String(value ?? '');
  }
  return result;
}

/** Listens on 127.0.0.1:port (0: any free port) the way another process on the machine would. */
function holdPort(port: number): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePromise(server));
  });
}

async function startError(start: Promise<unknown>): Promise<string> {
  try {
    await start;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('startLocalBroker succeeded where it should have failed');
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}
