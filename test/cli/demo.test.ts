// The demo end to end on a fresh local broker: the quick workload, the service in-process,
// the alerts read back from the incident topic and scored against the injected incidents.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PER_FLOW_TYPES, runDemo, tailFlows, demoConfig, type DemoResult } from '../../src/cli/demo-command.js';
import { stopLocalBroker } from '../../src/kafka/local-broker.js';

describe('tailFlows', () => {
  it('are internal flows later than the last window, alert interval and lateness', () => {
    const config = demoConfig('127.0.0.1:9092', 'x');
    const tail = tailFlows(config, 1_000_000);
    // 1m windows, 30s lateness, 15m suppression in config/example.yaml: 1_000_000 + 30s + 2m + 15m + 1m.
    expect(tail.map((f) => f.end_ms)).toEqual(Array(16).fill(1_000_000 + 30_000 + 120_000 + 900_000 + 60_000));
    expect(new Set(tail.map((f) => f.dst_ip)).size).toBe(16);
    expect(tail.every((f) => f.dst_ip.startsWith('10.') && f.data_class === null)).toBe(true);
    expect(config.kafka.topics.flows).toBe('demo-x.gateway.flows');
    expect(config.service.http_port).toBe(0);
  });
});

describe('runDemo --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egress-watch-demo-'));
  afterAll(async () => {
    await stopLocalBroker({ dir }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows alerts of every per-flow type, one or more per injected incident', async () => {
    const lines: string[] = [];
    const said: string[] = [];
    const result: DemoResult = await runDemo({ seed: 3, quick: true, keepBroker: false, dir, processTimeoutMs: 80_000, write: (l) => lines.push(l), say: (l) => said.push(l) });
    expect(result.brokerRunning).toBe(false);
    expect(result.sent).toBeGreaterThan(40_000);
    // Two incidents of each per-flow type, each detected by an alert of its type.
    for (const type of PER_FLOW_TYPES) {
      const row = result.scorecard.rows.find((r) => r.type === type)!;
      expect(row.incidents, type).toBe(2);
      expect(row.detected, type).toBe(2);
      expect(result.alerts.some((a) => a.type === type)).toBe(true);
    }
    expect(result.truth.map((i) => i.type).sort()).toEqual([...PER_FLOW_TYPES, ...PER_FLOW_TYPES].sort());
    // Every alert kept was shown live as one line.
    expect(lines.length).toBeGreaterThanOrEqual(result.alerts.length);
    expect(said.join('\n')).toContain(`demo: ${result.sent} flow records sent, ${result.alerts.length} alerts`);
  });
});

// --format zeek: the gateways write Zeek conn.log JSON, one record per message; the service
// reads it with input.format zeek and the enrich section the demo writes, and must find the
// same incidents as from flow records.
describe('runDemo --quick --format zeek', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egress-watch-demo-zeek-'));
  afterAll(async () => {
    await stopLocalBroker({ dir }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('detects every injected per-flow incident through the Zeek dialect, with no alert outside them', async () => {
    const said: string[] = [];
    const result = await runDemo({ seed: 3, quick: true, format: 'zeek', keepBroker: false, dir, processTimeoutMs: 80_000, write: () => {}, say: (l) => said.push(l) });
    expect(said.join('\n')).toContain('as Zeek conn.log JSON');
    for (const type of PER_FLOW_TYPES) {
      const row = result.scorecard.rows.find((r) => r.type === type)!;
      expect(row.incidents, type).toBe(2);
      expect(row.detected, type).toBe(2);
      expect(row.precision, type).toBe(1);
    }
    for (const row of result.scorecard.rows) expect(row.precision, row.type).toBe(1);
    expect(result.alerts.every((a) => PER_FLOW_TYPES.includes(a.type))).toBe(true);
  });
});

// The full demo: all seven alert types through the real Kafka path (decode, repartition,
// engine, changelog, incident topic), scored against the injected incidents.
describe('runDemo (full workload)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egress-watch-demo-full-'));
  afterAll(async () => {
    await stopLocalBroker({ dir }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('detects every injected incident of all seven types, with no alert outside them', async () => {
    const result = await runDemo({ seed: 1, quick: false, keepBroker: false, dir, processTimeoutMs: 600_000, write: () => {}, say: () => {} });
    for (const row of result.scorecard.rows) {
      expect(row.incidents, row.type).toBe(2);
      expect(row.detected, row.type).toBe(2);
      expect(row.precision, row.type).toBe(1);
    }
  }, 900_000);
});
