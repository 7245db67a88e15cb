// The service reading a sensor's dialect from the flows topic, against a real broker: Zeek
// conn records as JSON, one per message keyed by uid (as Zeek's Kafka writer sends them), with
// input.format zeek and an enrich section. The alerts are worked out by hand from the enrich
// rules and the policy; the bad line goes to the dead-letter topic whole, with the reason and
// where it came from; the internal and the transit record are counted, with repartitioning on
// (the forwarder sends decoded, enriched flows on) and off; a connection reported while open
// counts only its increase at the next report (keyed by uid: one partition, one decoder).
import { describe, expect, it } from 'vitest';
import { partitionOfKey } from '../../src/kafka/murmur2.js';
import { useInProcessServices } from './helpers/in-process.js';
import { createTopic, produce, readAlerts, readTopic, scrape, serviceConfig, uniqueTopics, waitFor } from './helpers/service-fixtures.js';

const h = useInProcessServices();

const ENRICH = `
input: {format: zeek}
enrich:
  countries:
    - {dst: 198.51.100.0/24, country: DE}
    - {dst: 203.0.113.0/24, country: US}
  data_classes:
    - {src: 10.1.0.0/16, data_class: eu_user_data}
  principals:
    - {src: 10.1.1.0/24, principal: svc-eu-export}
    - {src: 10.1.2.0/24, principal: intern-laptop}
  gateways:
    - {sensor: "gw-*", sensor_field: _system_name}
`;

const T = 1767603600; // 2026-01-05T09:00:00Z, seconds as Zeek writes them

/** A Zeek conn record as Zeek's JSON writer spells it. */
function conn(uid: string, at: number, orig: string, resp: string, origBytes: number, system: string, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ts: T + at + 0.5,
    uid,
    'id.orig_h': orig,
    'id.orig_p': 50000 + Math.round(at),
    'id.resp_h': resp,
    'id.resp_p': 443,
    proto: 'tcp',
    duration: 0.5,
    orig_bytes: origBytes,
    resp_bytes: 100,
    orig_pkts: 5,
    resp_pkts: 2,
    _system_name: system,
    ...over,
  });
}

// By hand: 10.1.0.0/16 holds eu_user_data (allowed in EEA and GB, to svc-eu-* only, through a
// gateway); 198.51.100.0/24 is in DE, 203.0.113.0/24 in the US; gw-* systems are gateways.
const LINES = [
  conn('Cok', 0, '10.1.1.5', '198.51.100.7', 5000, 'gw-fra-1'), // allowed: nothing
  conn('CresUS', 5, '10.1.1.5', '203.0.113.9', 7000, 'gw-fra-1'), // US: RESIDENCY_VIOLATION
  conn('Cintern', 6, '10.1.2.7', '198.51.100.7', 3000, 'gw-fra-1'), // intern-laptop: UNAUTHORIZED_PRINCIPAL
  conn('Cbypass', 7, '10.1.1.6', '198.51.100.7', 4000, 'laptop-3'), // no gateway: GATEWAY_BYPASS
  conn('Clateral', 8, '10.1.1.5', '10.2.0.1', 9000, 'gw-fra-1'), // internal to internal: processed, counted internal
  conn('Cbad', 9, '10.1.1.5', 'not-an-ip', 10, 'gw-fra-1'), // dead-lettered
  conn('Ctransit', 10, '192.0.2.1', '198.51.100.50', 10, 'gw-fra-1'), // outside to outside: counted transit
  // A long connection reported while open, then when it closed, counts cumulative: the second
  // report passes on 6000 - 2000 bytes, under the flow id Clong#2. No gateway: two GATEWAY_BYPASS.
  conn('Clong', 11, '10.1.1.6', '198.51.100.8', 2000, 'laptop-3', { duration: 2.5 }),
  conn('Clong', 11, '10.1.1.6', '198.51.100.8', 6000, 'laptop-3', { duration: 20.5, resp_bytes: 300 }),
  conn('Clater', 31, '10.1.1.5', '198.51.100.7', 5000, 'gw-fra-1'), // allowed: nothing
];

const EXPECTED_ALERTS = [
  { type: 'GATEWAY_BYPASS', destination: '198.51.100.7', dst_country: 'DE', data_class: 'eu_user_data', principal: 'svc-eu-export', gateway_id: null, bytes: 4000, sample_flow_ids: ['Cbypass'] },
  { type: 'GATEWAY_BYPASS', destination: '198.51.100.8', dst_country: 'DE', data_class: 'eu_user_data', principal: 'svc-eu-export', gateway_id: null, bytes: 2000, sample_flow_ids: ['Clong'] },
  { type: 'GATEWAY_BYPASS', destination: '198.51.100.8', dst_country: 'DE', data_class: 'eu_user_data', principal: 'svc-eu-export', gateway_id: null, bytes: 4000, sample_flow_ids: ['Clong#2'] },
  { type: 'RESIDENCY_VIOLATION', destination: '203.0.113.9', dst_country: 'US', data_class: 'eu_user_data', principal: 'svc-eu-export', gateway_id: 'gw-fra-1', bytes: 7000, sample_flow_ids: ['CresUS'] },
  { type: 'UNAUTHORIZED_PRINCIPAL', destination: '198.51.100.7', dst_country: 'DE', data_class: 'eu_user_data', principal: 'intern-laptop', gateway_id: 'gw-fra-1', bytes: 3000, sample_flow_ids: ['Cintern'] },
];

describe('egress-watch run: input.format zeek', () => {
  for (const repartition of [true, false]) {
    it(`reads Zeek JSON conn records, enriched, with kafka.repartition ${repartition}`, async () => {
      const topics = uniqueTopics(`zeek-${repartition}`);
      await createTopic(h.kafka, topics.flows, 2);
      const service = await h.start(serviceConfig(h.broker.bootstrap, topics, { repartition, extra: ENRICH }));

      // Keyed by uid: every report of one connection lands on one partition (its decoder's state).
      const uids = LINES.map((l) => JSON.parse(l).uid as string);
      const offsets = await produce(h.kafka, topics.flows, LINES.map((value, i) => ({ key: uids[i], value })));
      await waitFor('every message read, every flow processed or dead-lettered', () => {
        const c = service.counters();
        return c.recordsIn === 10 && c.processed === 8 && c.deadLetters === 1;
      });

      const [dead, ...moreDead] = await readTopic(h.kafka, topics.dead_letter);
      expect(moreDead).toEqual([]);
      expect(dead.key).toBe('Cbad');
      expect(dead.value?.toString()).toBe(LINES[5]);
      expect(dead.headers).toMatchObject({
        'x-error-reason': 'field id.resp_h: "not-an-ip" is not an IPv4 or IPv6 address',
        'x-source-topic': topics.flows,
        'x-source-partition': String(partitionOfKey('Cbad', 2)),
        'x-source-offset': String(offsets[5]),
      });

      const alerts = await waitFor('five alerts', async () => {
        const got = await readAlerts(h.kafka, topics.alerts);
        return got.length >= 5 ? got : undefined;
      });
      const fields = alerts
        .map(({ type, destination, dst_country, data_class, principal, gateway_id, bytes, sample_flow_ids }) => ({ type, destination, dst_country, data_class, principal, gateway_id, bytes, sample_flow_ids }))
        .sort((a, b) => a.type.localeCompare(b.type) || a.sample_flow_ids[0].localeCompare(b.sample_flow_ids[0]));
      expect(fields).toEqual(EXPECTED_ALERTS);

      expect(service.counters()).toMatchObject({ recordsIn: 10, processed: 8, deadLetters: 1, notEgress: { internal: 1, transit: 1 }, repartitioned: repartition ? 8 : 0 });
      const metrics = await scrape(service.metricsUrl);
      const label = 'instance="in-process"';
      expect(metrics.get(`egress_watch_input_not_egress_total{kind="internal",${label}}`)).toBe(1);
      expect(metrics.get(`egress_watch_input_not_egress_total{kind="transit",${label}}`)).toBe(1);
      expect(metrics.get(`egress_watch_dead_letters_total{reason="invalid_record",${label}}`)).toBe(1);
      // Stopped here rather than after the file: the next repartition setting starts its own.
      await service.stop();
    }, 120_000);
  }
});
