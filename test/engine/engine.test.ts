import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import { isDormant } from '../../src/engine/idle-expiry.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import { deserialiseDestination } from '../../src/engine/state-store.js';
import type { Alert } from '../../src/engine/types.js';
import { flow, MIN, resetFlowIds, T0, testConfig } from './fixtures.js';

beforeEach(resetFlowIds);

describe('per-flow policy detectors', () => {
  it('alerts on the first flow of a class to a country its policy does not allow, with every contract field', () => {
    const config = testConfig();
    const engine = new Engine(config);
    const alerts = engine.process(
      flow({ dst_host: null, dst_ip: '203.0.113.9', dst_country: 'US', bytes_out: 2_500_000, principal: 'svc-eu-export' }),
    );
    expect(alerts).toHaveLength(1);
    const a = alerts[0];
    expect(a).toMatchObject({
      type: 'RESIDENCY_VIOLATION',
      severity: 'CRITICAL',
      destination: '203.0.113.9',
      dst_country: 'US',
      data_class: 'eu_user_data',
      principal: 'svc-eu-export',
      gateway_id: 'gw-1',
      window_start_ms: T0 - 1000, // the flow's start
      window_end_ms: T0,
      flow_count: 1,
      bytes: 2_500_000,
      observed: 2_500_000,
      expected: 0,
      score: 1,
      threshold: 1,
      sample_flow_ids: ['f1'],
      config_version: config.config_version,
      detected_at_ms: T0,
    });
    expect(a.reason).toBe(
      'Residency rule policy.data_classes.eu_user_data.allowed_countries (EEA, GB) forbids US: svc-eu-export sent 2.5 MB of ' +
        "eu_user_data to 203.0.113.9 (US) against 0 B allowed (threshold: any byte). Check whether svc-eu-export's job was " +
        'changed to send to US, and block 203.0.113.9 at the gateway if the transfer was not approved.',
    );
    expect(a.alert_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('treats an unknown country as not allowed', () => {
    const alerts = new Engine(testConfig()).process(flow({ dst_country: null }));
    expect(alerts.map((a) => a.type)).toEqual(['RESIDENCY_VIOLATION']);
  });

  it('reads a principal glob as a pattern on an identity: `*` crosses `/`, case is kept', () => {
    const engine = new Engine(parseConfig('policy:\n  data_classes:\n    eu_user_data: {allowed_countries: [EEA], principals: ["*@CORP.EXAMPLE", "svc-eu-*"]}\n', 'test.yaml'));
    const types = (principal: string) => engine.process(flow({ principal, end_ms: T0 })).map((a) => a.type);
    expect(types('HTTP/web-1@CORP.EXAMPLE')).toEqual([]); // a Kerberos service principal
    expect(types('alice@CORP.EXAMPLE')).toEqual([]);
    expect(types('svc-eu-batch/eu-west-1')).toEqual([]);
    expect(types('alice@corp.example')).toEqual(['UNAUTHORIZED_PRINCIPAL']); // another realm's spelling
    expect(types('svc-us-batch')).toEqual(['UNAUTHORIZED_PRINCIPAL']);
  });

  it('flags a principal outside the globs, and a null principal', () => {
    const engine = new Engine(testConfig());
    expect(engine.process(flow({ principal: 'mallory' })).map((a) => [a.type, a.principal])).toEqual([
      ['UNAUTHORIZED_PRINCIPAL', 'mallory'],
    ]);
    expect(engine.process(flow({ principal: null })).map((a) => [a.type, a.principal])).toEqual([
      ['UNAUTHORIZED_PRINCIPAL', null],
    ]);
    expect(engine.process(flow({ principal: 'svc-eu-crm' }))).toEqual([]);
    expect(engine.process(flow({ principal: 'alice' }))).toEqual([]);
  });

  it('flags a restricted flow with no gateway', () => {
    const alerts = new Engine(testConfig()).process(flow({ gateway_id: null }));
    expect(alerts.map((a) => [a.type, a.severity, a.gateway_id])).toEqual([['GATEWAY_BYPASS', 'HIGH', null]]);
  });

  it('ignores flows to internal networks and flows with no data class', () => {
    const engine = new Engine(testConfig());
    expect(engine.process(flow({ dst_ip: '10.9.9.9', dst_country: 'US', gateway_id: null }))).toEqual([]);
    expect(engine.process(flow({ data_class: null, dst_country: 'US', gateway_id: null }))).toEqual([]);
    expect(engine.counters.internal).toBe(1);
    expect(engine.counters.records).toBe(2);
  });

  it('raises NEW_DESTINATION only after the learning period, once per pair, and not on a flow that broke policy', () => {
    const engine = new Engine(testConfig());
    expect(engine.process(flow({ end_ms: T0, dst_host: 'a.example' }))).toEqual([]); // learning starts at T0
    expect(engine.process(flow({ end_ms: T0 + 59 * MIN, dst_host: 'b.example' }))).toEqual([]); // still learning
    const late = engine.process(flow({ end_ms: T0 + 61 * MIN, dst_host: 'c.example' }));
    expect(late.map((a) => [a.type, a.destination, a.severity])).toEqual([['NEW_DESTINATION', 'c.example', 'MEDIUM']]);
    expect(engine.process(flow({ end_ms: T0 + 62 * MIN, dst_host: 'c.example' }))).toEqual([]);
    expect(engine.process(flow({ end_ms: T0 + 63 * MIN, dst_host: 'b.example' }))).toEqual([]);
    const us = engine.process(flow({ end_ms: T0 + 64 * MIN, dst_host: 'd.example', dst_country: 'US' }));
    expect(us.map((a) => a.type)).toEqual(['RESIDENCY_VIOLATION']);
  });

  it('folds 3 repeats into one incident: OPEN at once, CLOSED after suppress_for of quiet with the repeats summed', () => {
    const config = testConfig('alerts: {suppress_for: 15m}');
    const p = new Pipeline(config);
    const out: Alert[] = [];
    const us = { dst_host: 'x.example', dst_country: 'US' };
    out.push(...p.push(flow({ ...us, end_ms: T0, bytes_out: 100 })));
    out.push(...p.push(flow({ ...us, end_ms: T0 + 5 * MIN, bytes_out: 200 })));
    out.push(...p.push(flow({ ...us, end_ms: T0 + 10 * MIN, bytes_out: 300 })));
    out.push(...p.push(flow({ ...us, end_ms: T0 + 12 * MIN, bytes_out: 400 })));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ incident_id: out[0].alert_id, incident_state: 'OPEN', flow_count: 1, bytes: 100, sample_flow_ids: ['f1'] });
    // The quiet period runs from the last repeat: T0+12m + 15m = T0+27m (a window boundary).
    // A flow at T0+16m moves the watermark to T0+15m30s: the incident is still open.
    out.push(...p.push(flow({ data_class: null, end_ms: T0 + 16 * MIN })));
    expect(out).toHaveLength(1);
    // At T0+27m31s the watermark (-30s lateness) passes T0+27m.
    out.push(...p.push(flow({ data_class: null, end_ms: T0 + 27 * MIN + 31_000 })));
    expect(out).toHaveLength(2);
    const f = out[1];
    expect(f).toMatchObject({
      type: 'RESIDENCY_VIOLATION',
      incident_id: out[0].alert_id,
      incident_state: 'CLOSED',
      window_start_ms: T0 + 5 * MIN - 1000,
      window_end_ms: T0 + 12 * MIN,
      flow_count: 3,
      bytes: 900,
      sample_flow_ids: ['f2', 'f3', 'f4'],
      detected_at_ms: T0 + 27 * MIN,
    });
    expect(f.alert_id).not.toBe(out[0].alert_id);
    expect(
      f.reason.startsWith(
        `Incident ${out[0].alert_id} (4 alerts, 4 flows, 1 KB from 2026-01-05T08:59:59.000Z to 2026-01-05T09:12:00.000Z, peak score 1) ` +
          'closed: no alert of its kind for 15m (alerts.suppress_for). This record carries 3 more alerts (3 flows, 900 B); strongest: Residency rule',
      ),
    ).toBe(true);
    // After it closed a new violation opens a new incident at once.
    const next = p.push(flow({ ...us, end_ms: T0 + 29 * MIN }));
    expect(next.map((a) => [a.type, a.incident_state, a.incident_id === a.alert_id])).toEqual([['RESIDENCY_VIOLATION', 'OPEN', true]]);
  });

  it('says "1 flow" of an incident that folded one flow', () => {
    const p = new Pipeline(testConfig('alerts: {suppress_for: 15m}'));
    const us = { dst_host: 'x.example', dst_country: 'US' };
    const out = [...p.push(flow({ ...us, end_ms: T0, bytes_out: 100 })), ...p.push(flow({ ...us, end_ms: T0 + 5 * MIN, bytes_out: 200 }))];
    // Quiet from T0+5m for 15m: closed when the watermark (T0+20m31s - 30s) passes T0+20m.
    out.push(...p.push(flow({ data_class: null, end_ms: T0 + 20 * MIN + 31_000 })));
    expect(out.map((a) => a.incident_state)).toEqual(['OPEN', 'CLOSED']);
    expect(out[1].reason).toBe(
      `Incident ${out[0].alert_id} (2 alerts, 2 flows, 300 B from 2026-01-05T08:59:59.000Z to 2026-01-05T09:05:00.000Z, peak score 1) ` +
        'closed: no alert of its kind for 15m (alerts.suppress_for). This record carries 1 more alert (1 flow, 200 B); strongest: ' +
        out[0].reason.replace('sent 100 B', 'sent 200 B'),
    );
  });
});

describe('an incident never loses a flow', () => {
  it('covers every one of 40 violating flows a minute apart: one OPEN record, then one CLOSED carrying the other 39', () => {
    const p = new Pipeline(testConfig('alerts: {suppress_for: 15m}'));
    const out: Alert[] = [];
    for (let m = 0; m < 40; m++) out.push(...p.push(flow({ dst_host: 'x.example', dst_country: 'US', end_ms: T0 + m * MIN, bytes_out: 10 })));
    out.push(...p.finish());
    // Each repeat comes within 15m of the last: one incident, closed by the final flush.
    expect(out.map((a) => [a.incident_state, a.flow_count])).toEqual([['OPEN', 1], ['CLOSED', 39]]);
    expect(new Set(out.map((a) => a.incident_id))).toEqual(new Set([out[0].alert_id]));
    expect(out.reduce((n, a) => n + a.flow_count, 0)).toBe(40);
    expect(out.reduce((n, a) => n + a.bytes, 0)).toBe(400);
  });
});

describe('event time', () => {
  it('counts a record whose window has closed as late, and still runs the policy detectors on it', () => {
    const p = new Pipeline(testConfig());
    p.push(flow({ data_class: null, end_ms: T0 + 5 * MIN }));
    // watermark = T0+5m-30s: the window [T0+3m, T0+4m) is closed.
    const alerts = p.push(flow({ end_ms: T0 + 3 * MIN + 10_000, dst_country: 'US' }));
    expect(alerts.map((a) => a.type)).toEqual(['RESIDENCY_VIOLATION']);
    expect(p.engine.counters.late).toBe(1);
    // Within allowed lateness: T0+4m40s is in window [T0+4m, T0+5m), still open.
    p.push(flow({ data_class: null, end_ms: T0 + 4 * MIN + 40_000 }));
    expect(p.engine.counters.late).toBe(1);
  });

  it('gives the same alert ids for the same input', () => {
    const run = () => {
      resetFlowIds();
      const e = new Engine(testConfig());
      return e.process(flow({ dst_country: 'US' })).map((a) => a.alert_id);
    };
    expect(run()).toEqual(run());
  });
});

describe('state', () => {
  it('writes changed destinations and the meta entry on commit, and only those', () => {
    const p = new Pipeline(testConfig());
    p.push(flow({ dst_host: 'a.example' }));
    p.push(flow({ dst_host: 'b.example' }));
    // g:gw-1 and m:silence: GATEWAY_SILENT's state of the gateway and of the stream.
    expect(p.engine.commit().map((c) => c.key)).toEqual(['d:a.example', 'd:b.example', 'g:gw-1', 'm:silence', 'm:engine']);
    p.push(flow({ dst_host: 'b.example' }));
    expect(p.engine.commit().map((c) => c.key)).toEqual(['d:b.example']);
    expect(p.engine.commit()).toEqual([]);
  });

  it('expires a destination idle longer than idle_ttl with a tombstone, keeps one that received a class dormant', () => {
    const p = new Pipeline(testConfig('baseline: {idle_ttl: 2h}'));
    p.push(flow({ dst_host: 'old.example', end_ms: T0, data_class: null }));
    p.push(flow({ dst_host: 'kept.example', end_ms: T0 }));
    p.engine.commit();
    p.push(flow({ dst_host: 'new.example', end_ms: T0 + 3 * 60 * MIN }));
    const changes = p.engine.commit();
    expect(changes.find((c) => c.key === 'd:old.example')).toEqual({ key: 'd:old.example', value: null });
    const kept = changes.find((c) => c.key === 'd:kept.example');
    expect(isDormant(deserialiseDestination(kept!.value!))).toBe(true);
    expect(p.engine.destinationCount).toBe(2);
    expect(p.engine.counters.expired).toBe(1);
  });
});
