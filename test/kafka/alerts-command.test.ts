// `alerts` against a real broker: what the analyst sees for alerts on the incident topic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsOptionsFrom, watchAlerts } from '../../src/cli/alerts-command.js';
import { defaultConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { Alert } from '../../src/engine/types.js';
import { encodeAlert } from '../../src/io/wire.js';
import { createKafka } from '../../src/kafka/client.js';
import { startTestBroker, type TestBroker } from './helpers/broker.js';

const T = Date.UTC(2026, 0, 6, 3, 4);

function alert(id: string, over: Partial<Alert>): Alert {
  return {
    alert_id: id,
    type: 'RESIDENCY_VIOLATION',
    severity: 'CRITICAL',
    destination: 'api.example.com',
    dst_country: 'US',
    data_class: 'eu_user_data',
    principal: 'svc-eu-billing',
    gateway_id: 'gw-1',
    window_start_ms: T - 60_000,
    window_end_ms: T,
    flow_count: 1,
    bytes: 1000,
    observed: 1000,
    expected: 0,
    score: 1,
    threshold: 1,
    reason: `reason ${id}.`,
    sample_flow_ids: ['f1'],
    config_version: 'v1',
    detected_at_ms: T,
    ...over,
  };
}

const A = alert('A', {});
const B = alert('B', { type: 'VOLUME_SPIKE', severity: 'HIGH', destination: 'backup.example.org', detected_at_ms: T + 60_000 });
const C = alert('C', { type: 'SUSTAINED_INCREASE', severity: 'MEDIUM', destination: 'cdn.example.com', detected_at_ms: T + 120_000 });
const D = alert('D', { type: 'NEW_DESTINATION', severity: 'LOW', destination: 'new.example.net', detected_at_ms: T + 180_000 });

describe('watchAlerts against a real broker', () => {
  let broker: TestBroker;
  let config: Config;

  beforeAll(async () => {
    broker = await startTestBroker();
    const base = defaultConfig();
    config = { ...base, kafka: { ...base.kafka, brokers: [broker.bootstrap], topics: { ...base.kafka.topics, alerts: 'alerts-test' } } };
    const kafka = createKafka(config.kafka);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'alerts-test', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    // JSON, Avro, OCSF and ECS alerts on one topic (alerts.format may change between service versions), and junk.
    await producer.send({
      topic: 'alerts-test',
      messages: [
        { key: 'A', value: encodeAlert(A, 'json') },
        { key: 'B', value: encodeAlert(B, 'avro') },
        { key: 'C', value: encodeAlert(C, 'ocsf') },
        { key: 'junk', value: Buffer.from('{"type":"nope"}') },
        { key: 'D', value: encodeAlert(D, 'ecs') },
      ],
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('--destination "*.example.com" --max 2 shows A and C as readable lines and stops', async () => {
    const lines: string[] = [];
    const options = alertsOptionsFrom({ destination: '*.example.com', max: '2', fromBeginning: true }, Date.now());
    const result = await watchAlerts(config, { ...options, write: (l) => lines.push(l) });
    expect(lines).toEqual([
      'CRITICAL 2026-01-06T03:04:00.000Z RESIDENCY_VIOLATION    api.example.com  reason A.',
      'MEDIUM   2026-01-06T03:06:00.000Z SUSTAINED_INCREASE     cdn.example.com  reason C.',
    ]);
    expect(result).toEqual({ shown: 2, filteredOut: 1, undecodable: 0, stoppedBy: 'max' });
  });

  it('--json --max 2 prints the first two alerts, the Avro one too, as JSON lines', async () => {
    const lines: string[] = [];
    const options = alertsOptionsFrom({ json: true, max: '2', fromBeginning: true }, Date.now());
    const result = await watchAlerts(config, { ...options, write: (l) => lines.push(l) });
    expect(lines.map((l) => JSON.parse(l))).toEqual([A, B]);
    expect(result.stoppedBy).toBe('max');
  });

  it('--min-severity HIGH --timeout reads everything, shows A and B and names the undecodable message', async () => {
    const lines: string[] = [];
    const warnings: string[] = [];
    const options = alertsOptionsFrom({ minSeverity: 'HIGH', timeout: '4s', fromBeginning: true }, Date.now());
    const result = await watchAlerts(config, { ...options, write: (l) => lines.push(l), warn: (l) => warnings.push(l) });
    expect(lines).toEqual([
      'CRITICAL 2026-01-06T03:04:00.000Z RESIDENCY_VIOLATION    api.example.com  reason A.',
      'HIGH     2026-01-06T03:05:00.000Z VOLUME_SPIKE           backup.example.org  reason B.',
    ]);
    expect(result).toEqual({ shown: 2, filteredOut: 2, undecodable: 1, stoppedBy: 'timeout' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^alerts-test\/0@3: not an alert: /);
  });

  it('stops cleanly when aborted (Ctrl-C)', async () => {
    const controller = new AbortController();
    const result = await watchAlerts(config, {
      onReady: () => controller.abort(),
      signal: controller.signal,
      write: () => {},
    });
    expect(result.stoppedBy).toBe('signal');
  });
});

describe('watchAlerts on a topic that does not exist', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('names the config key and the topic', async () => {
    const base = defaultConfig();
    const config = { ...base, kafka: { ...base.kafka, brokers: [broker.bootstrap], topics: { ...base.kafka.topics, alerts: 'no-such-topic' } } };
    await expect(watchAlerts(config, { write: () => {} })).rejects.toThrow(
      `kafka.topics.alerts: topic no-such-topic does not exist on ${broker.bootstrap}; check the config, or start the service (egress-watch run), which creates it`,
    );
  });
});
