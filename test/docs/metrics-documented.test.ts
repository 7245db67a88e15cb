// The metrics table of docs/operations.md lists exactly the metrics the service registers
// (src/kafka/metrics.ts), beside Node's process metrics that prom-client adds under the same
// prefix: a metric added or renamed in the code without the docs fails here.
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../../src/kafka/metrics.js';
import { readDoc, section } from './markdown.js';

async function namesOf(registry: Registry): Promise<string[]> {
  return (await registry.getMetricsAsJSON()).map((m) => m.name);
}

describe('docs/operations.md "Metrics, health and logs"', () => {
  it('has one table row per metric of the service, and no other', async () => {
    const defaults = new Registry();
    collectDefaultMetrics({ register: defaults, prefix: 'egress_watch_' });
    const processMetrics = new Set(await namesOf(defaults));
    const service = (await namesOf(new ServiceMetrics({ instance: 'docs' }).registry)).filter((n) => !processMetrics.has(n));

    const rows = section(readDoc('docs/operations.md'), 'Metrics, health and logs')
      .split('\n')
      .map((line) => /^\| `(egress_watch_[a-z_]+)` \|/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);

    expect(service).toContain('egress_watch_records_in_total');
    expect([...rows].sort()).toEqual([...service].sort());
  });
});
