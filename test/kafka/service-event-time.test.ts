// The service against a real broker: a record whose event time is years ahead of the wall
// clock goes to the dead-letter topic with the reason, and a flow delivered twice is counted
// once; both show on /metrics.
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/config/units.js';
import { encodeFlowJson } from '../../src/io/wire.js';
import { useInProcessServices } from './helpers/in-process.js';
import { createTopic, flow, produce, readTopic, scrape, serviceConfig, T0, uniqueTopics, waitFor } from './helpers/service-fixtures.js';

const h = useInProcessServices();

describe('egress-watch run: event time', () => {
  it('dead-letters a record too far ahead of the wall clock with the reason, and counts a duplicate once', async () => {
    const topics = uniqueTopics('event-time');
    await createTopic(h.kafka, topics.flows, 1);
    const service = await h.start(serviceConfig(h.broker.bootstrap, topics));

    const future = Date.parse('2031-01-01T00:00:00.000Z');
    const onTime = flow({ flow_id: 'conn-1', end_ms: T0 });
    const flows = [onTime, flow({ flow_id: 'far', end_ms: future }), { ...onTime, gateway_id: 'gw-2' }];
    const sentAt = Date.now();
    const offsets = await produce(h.kafka, topics.flows, flows.map((f) => ({ key: f.flow_id, value: encodeFlowJson(f) })));
    await waitFor('every record processed or dead-lettered', () => {
      const c = service.counters();
      return c.processed + c.deadLetters === 3;
    });
    const receivedBy = Date.now();

    const [dead, ...more] = await readTopic(h.kafka, topics.dead_letter);
    expect(more).toEqual([]);
    expect(dead.key).toBe('far');
    const reason = dead.headers['x-error-reason'];
    const processing = Date.parse(/processing time (\S+);/.exec(reason)?.[1] ?? '');
    expect(processing).toBeGreaterThanOrEqual(sentAt);
    expect(processing).toBeLessThanOrEqual(receivedBy);
    expect(reason).toBe(
      `event time 2031-01-01T00:00:00.000Z is ${formatDuration(future - processing)} ahead of processing time ` +
        `${new Date(processing).toISOString()}; bound windows.max_future=1h`,
    );
    expect(dead.headers).toMatchObject({ 'x-source-topic': topics.flows, 'x-source-partition': '0', 'x-source-offset': String(offsets[1]) });

    expect(service.counters()).toMatchObject({ processed: 2, deadLetters: 1, tooFarAhead: 1, duplicates: 1, late: 0 });
    const metrics = await scrape(service.metricsUrl);
    const label = 'instance="in-process"';
    expect(metrics.get(`egress_watch_dead_letters_total{reason="too_far_ahead",${label}}`)).toBe(1);
    expect(metrics.get(`egress_watch_too_far_ahead_records_total{${label}}`)).toBe(1);
    expect(metrics.get(`egress_watch_duplicate_records_total{${label}}`)).toBe(1);
    expect(metrics.get(`egress_watch_out_of_order_records_total{${label}}`)).toBe(0);
  });
});
