import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseMetricsText, sumMetric } from '../../../bench/soak/metrics-text.js';

describe('parseMetricsText', () => {
  it('reads what prom-client writes', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ instance: 'soak' });
    const records = new Counter({ name: 'ew_records_in_total', help: 'records', labelNames: ['topic'], registers: [registry] });
    const lag = new Gauge({ name: 'ew_consumer_lag', help: 'lag "quoted" help', labelNames: ['topic', 'partition'], registers: [registry] });
    records.inc({ topic: 'a' }, 10);
    records.inc({ topic: 'b' }, 5);
    lag.set({ topic: 'x "y"', partition: '0' }, 3);
    lag.set({ topic: 'x "y"', partition: '1' }, 4.5);
    const samples = parseMetricsText(await registry.metrics());
    expect(sumMetric(samples, 'ew_records_in_total')).toBe(15);
    expect(sumMetric(samples, 'ew_records_in_total', { topic: 'b' })).toBe(5);
    expect(sumMetric(samples, 'ew_consumer_lag')).toBe(7.5);
    expect(sumMetric(samples, 'ew_consumer_lag', { topic: 'x "y"', partition: '1' })).toBe(4.5);
    expect(sumMetric(samples, 'ew_absent')).toBe(0);
    expect(samples.find((s) => s.name === 'ew_records_in_total')?.labels).toEqual({ topic: 'a', instance: 'soak' });
  });

  it('reads +Inf, NaN and timestamps; refuses a line it cannot read', () => {
    const samples = parseMetricsText('# TYPE h histogram\nh_bucket{le="+Inf"} 7\nq NaN\nt 12 1700000000000\n\n');
    expect(samples).toEqual([
      { name: 'h_bucket', labels: { le: '+Inf' }, value: 7 },
      { name: 'q', labels: {}, value: NaN },
      { name: 't', labels: {}, value: 12 },
    ]);
    expect(() => parseMetricsText('{broken} 1')).toThrow('metrics: cannot read the line "{broken} 1"');
  });
});
