// The console's one row per incident: the fold on its own, and the page in a browser fed an
// incident's three records and an alert of no incident (no broker needed: the server is fed
// directly).
import { describe, expect, it } from 'vitest';
import { AlertFeed } from '../../src/console/alert-feed.js';
import { foldIncidentRow, type IncidentRow } from '../../src/console/incident-rows.js';
import { RecentVolume } from '../../src/console/recent-volume.js';
import { startConsoleServer } from '../../src/console/server.js';
import type { Alert } from '../../src/engine/types.js';
import { launchChromium } from '../helpers/chromium.js';

const T = Date.UTC(2026, 0, 6, 3, 0, 0);

function alert(over: Partial<Alert>): Alert {
  return {
    alert_id: 'a', type: 'SUSTAINED_INCREASE', severity: 'MEDIUM', destination: 'creep.example', dst_country: 'FR',
    data_class: null, principal: null, gateway_id: 'gw-1', window_start_ms: T, window_end_ms: T + 60_000, flow_count: 1,
    bytes: 1, observed: 1, expected: 1, score: 6, threshold: 5, reason: 'r', sample_flow_ids: ['f1'], config_version: 'v', detected_at_ms: T + 60_000,
    ...over,
  };
}

// One creep: OPEN (100 flows, 1 MB over 09:00-09:50), ESCALATED (300 flows, 5 MB to 11:00),
// CLOSED (50 flows, 2 MB to 11:30); and a policy alert of no incident in between.
const open = alert({ alert_id: 'i1', incident_id: 'i1', incident_state: 'OPEN', flow_count: 100, bytes: 1_000_000, window_end_ms: T + 50 * 60_000, reason: 'opened' });
const escalated = alert({
  alert_id: 'i1-e', incident_id: 'i1', incident_state: 'ESCALATED', severity: 'HIGH', flow_count: 300, bytes: 5_000_000,
  window_start_ms: T + 50 * 60_000, window_end_ms: T + 120 * 60_000, detected_at_ms: T + 120 * 60_000, reason: 'grew',
});
const lone = alert({ alert_id: 'p1', type: 'RESIDENCY_VIOLATION', severity: 'CRITICAL', destination: 'drop.example', detected_at_ms: T + 121 * 60_000, reason: 'policy' });
const closed = alert({
  alert_id: 'i1-c', incident_id: 'i1', incident_state: 'CLOSED', severity: 'HIGH', flow_count: 50, bytes: 2_000_000,
  window_start_ms: T + 120 * 60_000, window_end_ms: T + 150 * 60_000, detected_at_ms: T + 165 * 60_000, reason: 'closed',
});

describe('foldIncidentRow', () => {
  it('keeps one row per incident, updated in place with the latest record and the totals', () => {
    const rows: IncidentRow[] = [];
    for (const a of [open, escalated, lone, closed]) foldIncidentRow(rows, a);
    expect(rows.map((r) => [r.key, r.latest.alert_id, r.records, r.flows, r.bytes, r.first_seen_ms, r.last_seen_ms])).toEqual([
      ['p1', 'p1', 1, 1, 1, T, T + 60_000], // the newest row first: the policy alert came after the incident opened
      ['i1', 'i1-c', 3, 450, 8_000_000, T, T + 150 * 60_000],
    ]);
  });

  it('alerts of no incident are rows of their own even when they repeat an id', () => {
    const rows: IncidentRow[] = [];
    foldIncidentRow(rows, lone);
    foldIncidentRow(rows, lone);
    expect(rows.map((r) => r.records)).toEqual([1, 1]);
  });
});

describe('console page', () => {
  it('shows one row per incident, updated in place by its later records', async () => {
    const feed = new AlertFeed();
    const server = await startConsoleServer({ feed, volume: new RecentVolume(), title: 't', host: '127.0.0.1', port: 0 });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('live'));
      feed.push(open);
      feed.push(escalated);
      feed.push(lone);
      await page.waitForFunction(() => document.querySelectorAll('tr.alert').length === 2);
      const creep = page.locator('tr.alert', { hasText: 'creep.example' });
      expect(await creep.locator('td.incident').textContent()).toBe('ESCALATED 2 records, 400 flows');
      feed.push(closed);
      await page.waitForFunction(() => document.querySelector('tr.alert td.incident') !== null && [...document.querySelectorAll('td.incident')].some((td) => td.textContent!.startsWith('CLOSED')));
      expect(await page.locator('tr.alert').count()).toBe(2);
      // Rows keep their place: the incident stays below the policy alert that came after it opened.
      expect(await page.locator('tr.alert td.dest').allTextContents()).toEqual(['drop.example', 'creep.example']);
      expect(await creep.locator('td.incident').textContent()).toBe('CLOSED 3 records, 450 flows');
      expect(await page.locator('tr.alert', { hasText: 'drop.example' }).locator('td.incident').textContent()).toBe('-');
      await creep.click();
      await page.waitForSelector('#d-incident');
      expect(await page.textContent('#d-reason')).toBe('closed');
      expect(await page.textContent('#d-incident')).toBe('i1 CLOSED: 3 records, 450 flows, 8.00 MB, 2026-01-06 03:00:00Z – 2026-01-06 05:30:00Z');
      expect(await page.textContent('#status')).toBe('2 incidents, 2 shown');
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
