// The live console end to end: a real broker, the service in-process, the console, and the
// page in Debian's headless Chromium. An incident injected into the flows topic must appear
// on the page, filter away and back, and show its evidence with the volume chart.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../src/cli/console-command.js';
import { encodeFlowJson } from '../../src/io/wire.js';
import { packageRoot } from '../../src/io/schemas.js';
import { startService, type RunningService } from '../../src/kafka/service.js';
import { launchChromium, paintedPixels } from '../helpers/chromium.js';
import { startTestBroker, type TestBroker } from '../kafka/helpers/broker.js';
import { createTopic, flow, produce, readAlerts, serviceConfig, T0, testKafka, uniqueTopics, waitFor } from '../kafka/helpers/service-fixtures.js';

let broker: TestBroker;
let kafka: Kafka;
let service: RunningService | undefined;
let consoleRun: RunningConsole | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = testKafka(broker.bootstrap);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await consoleRun?.stop();
  await service?.stop();
  await broker?.stop();
});

describe('egress-watch console', () => {
  it('shows an injected incident live, filters it, and shows its evidence and volume', async () => {
    const topics = uniqueTopics('console');
    const config = serviceConfig(broker.bootstrap, topics);
    await createTopic(kafka, topics.flows, 1);
    service = await startService(config, { log: pino({ level: 'silent' }), instanceId: 'console-test', sessionTimeoutMs: 10_000 });
    await service.ready;
    consoleRun = await startConsole(config, { port: 0, log: () => {} });
    await consoleRun.ready;

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(consoleRun.url);
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('live'));

    // Two minutes of normal traffic to an EU host, then eu_user_data to a US host.
    const normal = Array.from({ length: 12 }, (_, i) => flow({ end_ms: T0 + i * 10_000, bytes_out: 2000 + i }));
    const incident = [0, 1, 2].map((i) => flow({ end_ms: T0 + 125_000 + i * 1000, dst_host: 'drop.exfil.example', dst_ip: '203.0.113.50', dst_country: 'US', bytes_out: 4_000_000 }));
    await produce(kafka, topics.flows, [...normal, ...incident].map((f) => ({ key: f.flow_id, value: encodeFlowJson(f) })));

    const row = page.locator('tr.alert', { hasText: 'drop.exfil.example' });
    await row.first().waitFor({ timeout: 60_000 });
    // The flows were produced one request each, so the service may process (and publish) them
    // in more than one batch: the first row can show before the third alert is on the topic.
    const published = await waitFor('the three alerts on the topic', async () => {
      const found = (await readAlerts(kafka, topics.alerts)).filter((a) => a.destination === 'drop.exfil.example');
      return found.length >= 3 && found;
    }, 30_000);
    expect(published.map((a) => a.type)).toEqual(['RESIDENCY_VIOLATION', 'RESIDENCY_VIOLATION', 'RESIDENCY_VIOLATION']); // suppress_for 0s: one per flow
    await waitFor('all three on the page', async () => (await row.count()) === 3, 30_000);

    // Filters: another type hides them, a destination filter keeps only them.
    await page.selectOption('#f-type', 'VOLUME_SPIKE');
    expect(await row.count()).toBe(0);
    await page.selectOption('#f-type', '');
    await page.fill('#f-dest', 'exfil');
    expect(await page.locator('tr.alert').count()).toBe(3);
    await page.selectOption('#f-sev', 'CRITICAL');
    expect(await row.count()).toBe(3); // residency is CRITICAL by default

    // The evidence of the first one (newest first on the page: the last flow's alert).
    await row.first().click();
    const newest = published[published.length - 1];
    expect(await page.textContent('#d-reason')).toBe(newest.reason);
    expect(await page.textContent('#d-samples')).toBe(newest.sample_flow_ids.join(''));
    expect(await page.textContent('#d-observed')).toBe('4.00 MB');
    await page.waitForSelector('#volume[data-drawn]', { timeout: 30_000 });
    // The destination got 3 flows over 3 s of event time: one minute bucket of 12 MB.
    expect(await page.getAttribute('#volume', 'data-drawn')).toBe('1');
    const painted = await paintedPixels(page, '#volume');
    expect(painted).toBeGreaterThan(1000);
    const volume = await (await fetch(`${consoleRun.url}/api/volume?destination=drop.exfil.example`)).json();
    expect(volume).toEqual({ t: [Math.floor((T0 + 125_000) / 60_000) * 60_000], bytes: [12_000_000] });
    const artifacts = join(packageRoot(), 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'console.png') });
    expect(errors).toEqual([]);
  }, 240_000);
});
