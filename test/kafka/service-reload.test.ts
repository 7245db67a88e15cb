// `egress-watch run` reloading its config on SIGHUP, against the real local broker: later alerts
// follow the new policy and carry the new config_version; an invalid file, or a change only a
// restart can apply, is logged as one error and the service goes on with the config in force.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord } from '../../src/engine/types.js';
import { encodeFlowJson } from '../../src/io/wire.js';
import { createTopic, flow, produce, readAlerts, SEC, serviceYaml, T0, uniqueTopics, waitFor } from './helpers/service-fixtures.js';
import { useServiceHarness, waitReady, type ServiceProcess } from './helpers/service-process.js';

const h = useServiceHarness('egress-watch-reload-');

const RESTART = 'cannot change while the service runs; restart the service to apply it';

interface LogLine {
  level: number;
  msg: string;
}

function logged(p: ServiceProcess, level: number, msg: string): Promise<LogLine> {
  return waitFor(`log line ${JSON.stringify(msg)}`, () =>
    p.lines
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          return undefined;
        }
      })
      .find((l) => l?.level === level && l.msg === msg),
  );
}

function lineOf(text: string, fragment: string): number {
  return text.split('\n').findIndex((line) => line.includes(fragment)) + 1;
}

const summary = (alerts: Alert[]) => alerts.map((a) => [a.type, a.destination, a.severity, a.config_version]);

describe('egress-watch run, SIGHUP', () => {
  it('applies a rewritten config to later alerts and keeps running on a bad one', async () => {
    const topics = uniqueTopics('reload');
    const before = serviceYaml(h.broker.bootstrap, topics, { repartition: false });
    // After: GB no longer allowed for eu_user_data, residency alerts MEDIUM instead of CRITICAL.
    const after = before
      .replace('allowed_countries: [EEA, GB]', 'allowed_countries: [EEA]')
      .replace('  new_destination:', '  residency_violation: {severity: MEDIUM}\n  new_destination:');
    const A = parseConfig(before, 'before.yaml');
    const B = parseConfig(after, 'after.yaml');
    expect(B.config_version).not.toBe(A.config_version);

    const file = join(h.dir, 'reload.yaml');
    writeFileSync(file, before);
    await createTopic(h.kafka, topics.flows, 1);
    const p = h.run(file, 'reload');
    const url = await waitReady(p);
    const send = (f: FlowRecord) => produce(h.kafka, topics.flows, [{ key: f.dst_host, partition: 0, value: encodeFlowJson(f) }]);
    const alertsSoFar = (n: number) => waitFor(`${n} alerts`, async () => {
      const alerts = await readAlerts(h.kafka, topics.alerts);
      return alerts.length >= n ? alerts : undefined;
    });

    // Under the first config: US breaks residency (CRITICAL); GB would be allowed.
    const us = flow({ dst_host: 'us.example.com', dst_country: 'US', end_ms: T0 + 1 * SEC });
    await send(us);
    await alertsSoFar(1);

    writeFileSync(file, after);
    p.child.kill('SIGHUP');
    await logged(p, 30, `config reloaded: version ${A.config_version} -> ${B.config_version}`);
    const gb = flow({ dst_host: 'shop.example.co.uk', dst_country: 'GB', end_ms: T0 + 2 * SEC });
    const us2 = flow({ dst_host: 'us2.example.com', dst_country: 'US', end_ms: T0 + 3 * SEC });
    await send(gb);
    await send(us2);
    await alertsSoFar(3);

    // A bad file: one error line, the service stays up with B.
    const bad = after.replace('threshold: 6,', 'threshold: high,');
    writeFileSync(file, bad);
    p.child.kill('SIGHUP');
    await logged(
      p,
      50,
      `config not reloaded, version ${B.config_version} stays in force: ` +
        `${file}:${lineOf(bad, 'threshold: high')}: detectors.volume_spike.threshold: expected a number, got "high"`,
    );
    // A valid file changing what only a restart can change: refused the same way.
    const wider = after.replace('windows: {size: 10s,', 'windows: {size: 20s,');
    writeFileSync(file, wider);
    p.child.kill('SIGHUP');
    await logged(p, 50, `config not reloaded, version ${B.config_version} stays in force: ${file}:${lineOf(wider, 'windows:')}: windows.size: ${RESTART}`);

    expect(p.child.exitCode).toBeNull();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const gb2 = flow({ dst_host: 'shop2.example.co.uk', dst_country: 'GB', end_ms: T0 + 4 * SEC });
    await send(gb2);
    const alerts = await alertsSoFar(4);

    expect(summary(alerts)).toEqual([
      ['RESIDENCY_VIOLATION', 'us.example.com', 'CRITICAL', A.config_version],
      ['RESIDENCY_VIOLATION', 'shop.example.co.uk', 'MEDIUM', B.config_version],
      ['RESIDENCY_VIOLATION', 'us2.example.com', 'MEDIUM', B.config_version],
      ['RESIDENCY_VIOLATION', 'shop2.example.co.uk', 'MEDIUM', B.config_version],
    ]);
    // The same records through an in-process engine switched at the same point give the same ids.
    const reference = new Pipeline(A);
    const expected = [...reference.push(us)];
    reference.engine.reconfigure(B);
    for (const f of [gb, us2, gb2]) expected.push(...reference.push(f));
    expect(alerts.map((a) => a.alert_id)).toEqual(expected.map((a) => a.alert_id));

    const { code } = await p.kill('SIGTERM');
    expect(code).toBe(0);
  }, 180_000);
});
