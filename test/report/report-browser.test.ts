// The audit report end to end: generated traffic with incidents, the real CLI function, and
// the HTML opened in Debian's headless Chromium (scripts/ensure-chromium.sh installs it).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/cli/report-command.js';
import { generateTraffic, resolveGenerateOptions } from '../../src/generate/index.js';
import { openFlowOutput } from '../../src/io/flow-output.js';
import { packageRoot } from '../../src/io/schemas.js';
import { launchChromium, paintedPixels } from '../helpers/chromium.js';
import { tempDir } from '../io/fixtures.js';

const tmp = tempDir();
const config = join(packageRoot(), 'config/example.yaml');
const ARTIFACTS = join(packageRoot(), 'test-artifacts');

beforeAll(async () => {
  // Two days over 40 destinations with one incident of each type after the learning day.
  const options = resolveGenerateOptions({ seed: 5, duration_ms: 2 * 86_400_000, rate: 0.6, destinations: 40, incidents_per_type: 1 });
  const out = openFlowOutput(tmp.file('flows.avro'));
  for (const f of generateTraffic(options).flows) if (!out.write(f)) await out.drain();
  await out.close();
}, 120_000);
afterAll(() => tmp.remove());

describe('egress-watch report', () => {
  it('gives byte-identical HTML and JSON for the same inputs', async () => {
    const quiet = () => {};
    const a = await runReport({ config, input: tmp.file('flows.avro'), out: tmp.file('a.html'), log: quiet });
    await runReport({ config, input: tmp.file('flows.avro'), out: tmp.file('b.html'), log: quiet });
    expect(readFileSync(tmp.file('a.html')).equals(readFileSync(tmp.file('b.html')))).toBe(true);
    expect(readFileSync(tmp.file('a.json'), 'utf8')).toBe(readFileSync(tmp.file('b.json'), 'utf8'));
    // The JSON twin holds the figures the page shows.
    expect(JSON.parse(readFileSync(tmp.file('a.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(a)));
    // Every injected policy incident is a flow outside policy tied to an alert.
    expect(a.violations.rows.length).toBeGreaterThan(0);
    expect(a.totals.unalerted_violations).toBe(0);
    expect(a.destinations.length).toBeGreaterThan(0);
  }, 120_000);

  it('opens in headless Chromium with no console error and draws every chart', async () => {
    const html = tmp.file('a.html');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      // Nothing but the file itself may load: any request elsewhere fails the test.
      const requests: string[] = [];
      page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-charts]');
      const ids = await page.$$eval('canvas', (els) => els.map((c) => c.id));
      const canvases = [];
      for (const id of ids) canvases.push({ id, painted: await paintedPixels(page, `#${id}`) });
      const charts = Number(await page.getAttribute('body', 'data-charts'));
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(charts).toBe(canvases.length);
      expect(canvases.length).toBeGreaterThanOrEqual(3); // gateways, alerts, at least one destination
      for (const c of canvases) expect({ id: c.id, drawn: c.painted > 1000 }).toEqual({ id: c.id, drawn: true });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
