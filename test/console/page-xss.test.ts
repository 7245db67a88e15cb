// The console page against hostile alert fields: whoever can write to the incident topic
// must not be able to run code in an analyst's browser. No broker needed: the page and its
// server fed directly.
import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AlertFeed } from '../../src/console/alert-feed.js';
import { RecentVolume } from '../../src/console/recent-volume.js';
import { startConsoleServer } from '../../src/console/server.js';
import type { Alert } from '../../src/engine/types.js';
import { launchChromium } from '../helpers/chromium.js';

const hostile = `x" onmouseover="window.pwned=1" style="display:block;width:2000px;height:2000px`;

function alert(over: Partial<Alert>): Alert {
  return {
    alert_id: 'a1', type: 'RESIDENCY_VIOLATION', severity: 'CRITICAL', destination: 'd.example', dst_country: 'US',
    data_class: 'eu_user_data', principal: 'p', gateway_id: 'gw-1', window_start_ms: 0, window_end_ms: 0, flow_count: 1,
    bytes: 1, observed: 1, expected: 0, score: 1, threshold: 1, reason: 'r', sample_flow_ids: ['f1'], config_version: 'v', detected_at_ms: 0,
    ...over,
  };
}

describe('console page', () => {
  it('shows hostile alert fields as text and runs none of them', async () => {
    const feed = new AlertFeed();
    feed.push(alert({ alert_id: hostile, destination: `<img src=x onerror="window.pwned=2">`, reason: `</td><script>window.pwned=3</script>`, principal: `'><b>` }));
    const server = await startConsoleServer({ feed, volume: new RecentVolume(), title: 't', host: '127.0.0.1', port: 0 });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      const row = page.locator('tr.alert');
      await row.waitFor();
      await row.hover();
      await row.click();
      await page.waitForSelector('#d-reason');
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('[onmouseover], [onerror], img, b').count()).toBe(0);
      expect(await page.textContent('#d-reason')).toBe('</td><script>window.pwned=3</script>');
      expect(await row.getAttribute('data-id')).toBe(hostile);
      // Another site's page resolving its name to 127.0.0.1 gets nothing.
      const { port } = new URL(server.url);
      const status = (host: string) =>
        new Promise<number>((resolve, reject) =>
          get({ host: '127.0.0.1', port, path: '/api/alerts', headers: { host } }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          }).on('error', reject),
        );
      expect(await status(`evil.example:${port}`)).toBe(403);
      expect(await status(`localhost:${port}`)).toBe(200);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 120_000);
});
