// Integration tests that run the service in the test's own process: one real test broker for
// the file, a kafkajs client for it, and start() for services that are all stopped at the end.
import type { Kafka } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { startService, type RunningService } from '../../../src/kafka/service.js';
import { startTestBroker, type TestBroker } from './broker.js';
import { testKafka } from './service-fixtures.js';

export interface InProcessHarness {
  /** Set in beforeAll. */
  broker: TestBroker;
  kafka: Kafka;
  /** Starts a service on `config` (logging to `log`, else silently) and waits until it is ready; stopped after the file's tests. */
  start(config: Parameters<typeof startService>[0], instanceId?: string, log?: Logger): Promise<RunningService>;
}

export function useInProcessServices(): InProcessHarness {
  const running: RunningService[] = [];
  const quiet = pino({ level: process.env.EW_TEST_LOG ?? 'silent' });
  const h: InProcessHarness = {
    broker: undefined as unknown as TestBroker,
    kafka: undefined as unknown as Kafka,
    async start(config, instanceId = 'in-process', log = quiet) {
      const service = await startService(config, { log, instanceId, sessionTimeoutMs: 10_000 });
      running.push(service);
      await service.ready;
      return service;
    },
  };
  beforeAll(async () => {
    h.broker = await startTestBroker();
    h.kafka = testKafka(h.broker.bootstrap);
  });
  afterAll(async () => {
    for (const s of running) await s.stop();
    await h.broker?.stop();
  });
  return h;
}
