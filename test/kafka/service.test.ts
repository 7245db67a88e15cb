// The Kafka service in-process against a real single-node broker: alerts out for hand-made
// traffic, every input format, dead letters with their reasons, and the /metrics counts.
import { describe, expect, it } from 'vitest';
import { encodeFlowAvro, encodeFlowConfluent, encodeFlowJson } from '../../src/io/wire.js';
import { useInProcessServices } from './helpers/in-process.js';
import {
  alertTraffic,
  createTopic,
  produce,
  readAlerts,
  readTopic,
  replayAlerts,
  scrape,
  serviceConfig,
  typeAndDestination,
  uniqueTopics,
  waitFor,
} from './helpers/service-fixtures.js';

const h = useInProcessServices();

describe('egress-watch run (in-process)', () => {
  it('turns flows into the expected alerts: residency, principal, bypass, new destination, volume spike', async () => {
    const topics = uniqueTopics('alerts');
    const config = serviceConfig(h.broker.bootstrap, topics, { alertsFormat: 'avro' });
    await createTopic(h.kafka, topics.flows, 1);
    const service = await h.start(config);
    const traffic = alertTraffic();
    await produce(h.kafka, topics.flows, traffic.flows.map((f) => ({ key: f.flow_id, value: encodeFlowJson(f) })));
    await waitFor('all flows processed', () => service.counters().processed === traffic.flows.length);

    const alerts = await waitFor('5 alerts', async () => {
      const a = await readAlerts(h.kafka, topics.alerts);
      return a.length >= 5 ? a : undefined;
    });
    expect(typeAndDestination(alerts)).toEqual(typeAndDestination(traffic.expected as never));
    // The same ids an in-process run of the engine gives: the service adds nothing and loses nothing.
    expect(alerts.map((a) => a.alert_id).sort()).toEqual(replayAlerts(config, [traffic.flows]).map((a) => a.alert_id).sort());
    const c = service.counters();
    expect(c).toMatchObject({ recordsIn: traffic.flows.length, repartitioned: traffic.flows.length, processed: traffic.flows.length, deadLetters: 0 });
    expect(c.alerts).toEqual({ RESIDENCY_VIOLATION: 1, UNAUTHORIZED_PRINCIPAL: 1, GATEWAY_BYPASS: 1, NEW_DESTINATION: 1, VOLUME_SPIKE: 1 });
    await service.stop();
  });

  it('reads JSON, raw Avro and the Confluent wire format alike, and dead-letters bad records with reason and source offset', async () => {
    const topics = uniqueTopics('formats');
    const config = serviceConfig(h.broker.bootstrap, topics);
    await createTopic(h.kafka, topics.flows, 1);
    const service = await h.start(config);
    const traffic = alertTraffic();
    const encoders = [encodeFlowJson, encodeFlowAvro, (f: Parameters<typeof encodeFlowAvro>[0]) => encodeFlowConfluent(f, 7)];
    const good = traffic.flows.map((f, i) => ({ key: f.flow_id, value: encoders[i % 3](f) }));
    const valid = traffic.flows[0];
    const bad = [
      { key: 'bad-json', value: Buffer.from('{"flow_id": '), reason: 'invalid JSON: Unexpected end of JSON input', cls: 'json' },
      { key: 'bad-field', value: Buffer.from(JSON.stringify({ ...valid, bytes_out: undefined })), reason: 'missing required field bytes_out', cls: 'invalid_record' },
      { key: 'bad-avro', value: encodeFlowAvro(valid).subarray(0, 10), reason: 'truncated Avro record (10 bytes)', cls: 'avro' },
      { key: 'bad-empty', value: null, reason: 'empty message', cls: 'empty' },
    ];
    // Bad records in between the good ones, at positions 3, 10, 20, 30 of the topic.
    const badAt = [3, 10, 20, 30];
    const messages: Array<{ key: string; value: Buffer | null }> = [...good];
    badAt.forEach((at, i) => messages.splice(at, 0, { key: bad[i].key, value: bad[i].value }));
    const offsets = await produce(h.kafka, topics.flows, messages);
    const total = messages.length;
    await waitFor('every record processed or dead-lettered', () => {
      const c = service.counters();
      return c.processed + c.deadLetters === total;
    });

    const alerts = await waitFor('5 alerts', async () => {
      const a = await readAlerts(h.kafka, topics.alerts);
      return a.length >= 5 ? a : undefined;
    });
    expect(typeAndDestination(alerts)).toEqual(typeAndDestination(traffic.expected as never));

    const dead = await readTopic(h.kafka, topics.dead_letter);
    expect(dead.map((d) => ({ key: d.key, value: d.value, headers: d.headers }))).toEqual(
      bad.map((b, i) => ({
        key: b.key,
        value: b.value,
        headers: {
          'x-error-reason': b.reason,
          'x-source-topic': topics.flows,
          'x-source-partition': '0',
          'x-source-offset': String(offsets[badAt[i]]),
        },
      })),
    );

    // records in = processed + dead-lettered, in the counters and on /metrics.
    const c = service.counters();
    expect(c).toMatchObject({ recordsIn: total, processed: good.length, deadLetters: bad.length });
    const metrics = await scrape(service.metricsUrl);
    const label = `instance="in-process"`;
    expect(metrics.get(`egress_watch_records_in_total{topic="${topics.flows}",${label}}`)).toBe(total);
    expect(metrics.get(`egress_watch_records_processed_total{${label}}`)).toBe(good.length);
    for (const cls of ['json', 'invalid_record', 'avro', 'empty']) {
      expect(metrics.get(`egress_watch_dead_letters_total{reason="${cls}",${label}}`)).toBe(1);
    }
    expect(metrics.get(`egress_watch_alerts_total{type="VOLUME_SPIKE",${label}}`)).toBe(1);
    expect(metrics.get(`egress_watch_state_destinations{partition="0",${label}}`)).toBe(7);
    expect(metrics.get(`egress_watch_ready{${label}}`)).toBe(1);
    const health = await fetch(service.httpUrl + '/healthz');
    expect(health.status).toBe(200);
    const ready = await fetch(service.httpUrl + '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, consumer: 'running', assigned: [0], restored: [0] });
    await service.stop();
    const afterStop = await fetch(service.httpUrl + '/healthz').catch(() => 'closed');
    expect(afterStop).toBe('closed');
  });
});
