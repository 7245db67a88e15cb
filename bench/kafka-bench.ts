// node dist/bench/kafka-bench.js: the Kafka path end to end on a fresh local broker —
// producing generated flows (Avro and JSON), then the service consuming, re-keying and
// detecting them. The machine is shared and noisy: the figures are indications.
// BENCH_KAFKA_RECORDS sets the number of flows (default 200000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { demoConfig, tailFlows } from '../src/cli/demo-command.js';
import type { Config } from '../src/config/types.js';
import type { FlowRecord } from '../src/engine/types.js';
import { generateTraffic, resolveGenerateOptions } from '../src/generate/index.js';
import { createKafka } from '../src/kafka/client.js';
import { produceFlows, type FlowWireFormat } from '../src/kafka/flow-producer.js';
import { startLocalBroker, stopLocalBroker } from '../src/kafka/local-broker.js';
import { createServiceLogger } from '../src/kafka/logger.js';
import { startService } from '../src/kafka/service.js';

const RECORDS = Number(process.env.BENCH_KAFKA_RECORDS ?? 200_000);
const DAY = 86_400_000;

function flows(): FlowRecord[] {
  // The generator's defaults (3 days at 5 flows/s); the first RECORDS of them.
  const options = resolveGenerateOptions({ seed: 42, duration_ms: Math.max(3 * DAY, Math.ceil(RECORDS / 5) * 1000) });
  const out: FlowRecord[] = [];
  for (const flow of generateTraffic(options).flows) {
    out.push(flow);
    if (out.length === RECORDS) break;
  }
  return out;
}

async function produceRate(config: Config, topic: string, records: FlowRecord[], format: FlowWireFormat): Promise<number> {
  const started = performance.now();
  await produceFlows(config, topic, records, { format, clientLog: () => {} });
  return records.length / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'egress-watch-kafka-bench-'));
  const records = flows();
  const broker = await startLocalBroker({ dir });
  try {
    const config = demoConfig(broker.bootstrap, 'bench');
    const admin = createKafka(config.kafka, { log: () => {} }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bench-json' }, { topic: 'bench-avro' }], waitForLeaders: true });
    await admin.disconnect();

    const json = await produceRate(config, 'bench-json', records, 'json');
    const avro = await produceRate(config, 'bench-avro', records, 'avro');
    console.log(`produce ${RECORDS} flows: json ${Math.round(json)} flows/s, avro ${Math.round(avro)} flows/s`);

    // The flows topic filled before the service starts: the service's catch-up rate.
    const service = await startService(config, { instanceId: 'bench', httpPort: 0, log: createServiceLogger('bench', 'warn') });
    await service.ready;
    const last = records.reduce((m, f) => Math.max(m, f.end_ms), 0);
    const tail = tailFlows(config, last);
    const started = performance.now();
    await produceFlows(config, config.kafka.topics.flows, records.concat(tail), { format: 'avro', clientLog: () => {} });
    const expected = records.length + tail.length;
    let failure: Error | undefined;
    service.done.catch((err: Error) => {
      failure = err;
    });
    for (;;) {
      if (failure !== undefined) throw new Error(`the service stopped: ${failure.message}`);
      const c = service.counters();
      if (c.processed + c.deadLetters + c.skipped >= expected) break;
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    const alerts = Object.values(service.counters().alerts).reduce((a, b) => a + (b ?? 0), 0);
    console.log(`service (produce + repartition + detect) ${expected} flows: ${Math.round(expected / seconds)} flows/s, ${alerts} alerts`);
    await service.stop();
  } finally {
    await stopLocalBroker({ dir });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
