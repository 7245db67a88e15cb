// Catching up on a backlog against the real broker: one flows partition holds an hour of a
// sparse gateway in a few KB, the other the same hour of a dense gateway in about 8 MB, so one
// fetch (1 MB a partition) reads the sparse hour whole beside the dense one's first minutes.
// Without kafka.max_read_skew the engine sees the sparse gateway an hour ahead and most of the
// dense gateway's records arrive late; with it, the sparse partition waits and none do.
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { FlowRecord } from '../../src/engine/types.js';
import { encodeFlowJson } from '../../src/io/wire.js';
import { startService, type RunningService } from '../../src/kafka/service.js';
import { startTestBroker, type TestBroker } from './helpers/broker.js';
import { createTopic, flow, produceBulk, scrape, SEC, serviceYaml, T0, testKafka, uniqueTopics, waitFor, type TopicNames } from './helpers/service-fixtures.js';

const SPARSE = 60; // gw-a: one flow a minute for an hour, partition 0
const DENSE = 20_000; // gw-b: one flow every 180 ms for the same hour, partition 1

let broker: TestBroker;
let kafka: Kafka;
const services: RunningService[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = testKafka(broker.bootstrap);
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await broker?.stop();
});

function backlog(): Array<{ partition: number; value: Buffer }> {
  const sparse: FlowRecord[] = Array.from({ length: SPARSE }, (_, i) =>
    flow({ gateway_id: 'gw-a', dst_host: `sparse-${i % 5}.example`, end_ms: T0 + i * 60 * SEC + 30 * SEC, data_class: null }),
  );
  const dense: FlowRecord[] = Array.from({ length: DENSE }, (_, i) =>
    flow({ gateway_id: 'gw-b', dst_host: `dense-${i % 50}.example`, end_ms: T0 + i * 180, data_class: null }),
  );
  return [...sparse.map((f) => ({ partition: 0, value: encodeFlowJson(f) })), ...dense.map((f) => ({ partition: 1, value: encodeFlowJson(f) }))];
}

/** Reads the backlog with its own group; returns the late records it counted. */
async function catchUp(flows: string, label: string, maxReadSkew: string): Promise<{ late: number; processed: number; pausedAtEnd: number | undefined }> {
  const topics: TopicNames = { ...uniqueTopics(label), flows };
  const yaml = serviceYaml(broker.bootstrap, topics, { kafka: `  max_read_skew: ${maxReadSkew}` }).replace(
    /^windows: .*$/m,
    'windows: {size: 1m, allowed_lateness: 30s, idle_timeout: 5m}',
  );
  const service = await startService(parseConfig(yaml, `${label}.yaml`), { log: pino({ level: 'silent' }), instanceId: label, sessionTimeoutMs: 10_000 });
  services.push(service);
  await service.ready;
  await waitFor(`${label}: the backlog processed`, () => service.counters().processed === SPARSE + DENSE, 120_000);
  const metrics = await scrape(service.metricsUrl);
  const c = service.counters();
  return { late: c.late, processed: c.processed, pausedAtEnd: metrics.get(`egress_watch_flows_partitions_paused{instance="${label}"}`) };
}

describe('egress-watch run: reading a backlog aligned in event time', () => {
  it('keeps a sparse partition from running ahead, so no record of the dense one turns late', async () => {
    const flows = uniqueTopics('alignment').flows;
    await createTopic(kafka, flows, 2);
    await produceBulk(kafka, flows, backlog());

    const aligned = await catchUp(flows, 'aligned', '15s');
    expect(aligned).toEqual({ late: 0, processed: SPARSE + DENSE, pausedAtEnd: 0 });

    // The same backlog without alignment: the first fetch forwards the sparse hour whole and
    // at most the first 1 MB of the dense one (each JSON flow is over 200 bytes: at most 5,000
    // flows, 15 minutes). Then the sparse gateway is at 59:30 and the dense one, 44 minutes
    // behind, idle (idle_timeout 5m): its records from minute 15 to 59 land in closed windows,
    // more than half of them.
    const unaligned = await catchUp(flows, 'unaligned', '0s');
    expect(unaligned.processed).toBe(SPARSE + DENSE);
    expect(unaligned.late).toBeGreaterThan(0.5 * DENSE);
  });
});
