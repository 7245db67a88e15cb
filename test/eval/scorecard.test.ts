import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertType } from '../../src/engine/types.js';
import {
  alertMatchesIncident,
  formatDuration,
  formatScorecard,
  median,
  readTruth,
  scoreAlerts,
  writeTruth,
} from '../../src/eval/scorecard.js';
import type { Incident } from '../../src/generate/types.js';

function incident(id: string, type: AlertType, destination: string, start_ms: number, end_ms: number): Incident {
  return { incident_id: id, type, destination, data_class: null, principal: null, start_ms, end_ms };
}

function alert(type: AlertType, destination: string, window_start_ms: number, window_end_ms: number, detected_at_ms: number): Alert {
  return {
    alert_id: `${type}-${destination}-${window_start_ms}`, type, severity: 'HIGH', destination,
    dst_country: null, data_class: null, principal: null, gateway_id: null,
    window_start_ms, window_end_ms, flow_count: 1, bytes: 1, observed: 1, expected: 0, score: 1,
    threshold: 1, reason: 'test', sample_flow_ids: [], config_version: 'v', detected_at_ms,
  };
}

const TRUTH: Incident[] = [
  incident('i1', 'RESIDENCY_VIOLATION', 'a.example', 1000, 2000),
  incident('i2', 'RESIDENCY_VIOLATION', 'b.example', 5000, 6000),
  incident('i3', 'VOLUME_SPIKE', 'c.example', 10_000, 70_000),
  incident('i4', 'NEW_DESTINATION', 'd.example', 100, 200),
  incident('i5', 'UNAUTHORIZED_PRINCIPAL', 'e.example', 0, 100),
  incident('i6', 'UNAUTHORIZED_PRINCIPAL', 'e.example', 200, 300),
];

const ALERTS: Alert[] = [
  alert('RESIDENCY_VIOLATION', 'a.example', 0, 1000, 1500), // window ends on i1's start: matches, delay 500
  alert('RESIDENCY_VIOLATION', 'a.example', 1500, 1600, 1700), // matches i1 again, later: not its first
  alert('RESIDENCY_VIOLATION', 'b.example', 6000, 7000, 6100), // window starts on i2's end: matches, delay 1100
  alert('RESIDENCY_VIOLATION', 'b.example', 6001, 7000, 7000), // 1 ms after i2: no match
  alert('GATEWAY_BYPASS', 'a.example', 1000, 2000, 2000), // right place and time, wrong type: no match
  alert('VOLUME_SPIKE', 'x.example', 10_000, 70_000, 70_000), // right type and time, wrong destination
  alert('VOLUME_SPIKE', 'c.example', 60_000, 120_000, 150_000), // matches i3, delay 140000
  alert('UNAUTHORIZED_PRINCIPAL', 'e.example', 50, 250, 260), // overlaps i5 (delay 260) and i6 (delay 60)
];

describe('alertMatchesIncident', () => {
  it('treats both intervals as closed', () => {
    expect(alertMatchesIncident(ALERTS[0], TRUTH[0])).toBe(true);
    expect(alertMatchesIncident(ALERTS[2], TRUTH[1])).toBe(true);
    expect(alertMatchesIncident(ALERTS[3], TRUTH[1])).toBe(false);
    expect(alertMatchesIncident(ALERTS[4], TRUTH[0])).toBe(false);
  });
});

describe('scoreAlerts', () => {
  const card = scoreAlerts(ALERTS, TRUTH);
  const byType = Object.fromEntries(card.rows.map((r) => [r.type, r]));

  it('has one row per alert type in contract order', () => {
    expect(card.rows.map((r) => r.type)).toEqual([
      'RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS', 'NEW_DESTINATION', 'VOLUME_SPIKE', 'SUSTAINED_INCREASE', 'GATEWAY_SILENT',
    ]);
  });

  it('RESIDENCY_VIOLATION: 3 of 4 alerts match, both incidents found, delays 500 and 1100', () => {
    expect(byType.RESIDENCY_VIOLATION).toEqual({
      type: 'RESIDENCY_VIOLATION', incidents: 2, detected: 2, alerts: 4, matched_alerts: 3,
      precision: 0.75, recall: 1, median_delay_ms: 800,
    });
  });

  it('UNAUTHORIZED_PRINCIPAL: one alert covering two incidents counts once as an alert, twice as detections', () => {
    expect(byType.UNAUTHORIZED_PRINCIPAL).toEqual({
      type: 'UNAUTHORIZED_PRINCIPAL', incidents: 2, detected: 2, alerts: 1, matched_alerts: 1,
      precision: 1, recall: 1, median_delay_ms: 160, // median of 260 and 60
    });
  });

  it('GATEWAY_BYPASS: an alert with no incident of its type has precision 0; no incidents means recall 1', () => {
    expect(byType.GATEWAY_BYPASS).toEqual({
      type: 'GATEWAY_BYPASS', incidents: 0, detected: 0, alerts: 1, matched_alerts: 0,
      precision: 0, recall: 1, median_delay_ms: null,
    });
  });

  it('NEW_DESTINATION: an incident and no alert gives precision 0 and recall 0', () => {
    expect(byType.NEW_DESTINATION).toEqual({
      type: 'NEW_DESTINATION', incidents: 1, detected: 0, alerts: 0, matched_alerts: 0,
      precision: 0, recall: 0, median_delay_ms: null,
    });
  });

  it('VOLUME_SPIKE: the alert on another destination does not match', () => {
    expect(byType.VOLUME_SPIKE).toEqual({
      type: 'VOLUME_SPIKE', incidents: 1, detected: 1, alerts: 2, matched_alerts: 1,
      precision: 0.5, recall: 1, median_delay_ms: 140_000,
    });
  });

  it('SUSTAINED_INCREASE: neither alerts nor incidents is perfect', () => {
    expect(byType.SUSTAINED_INCREASE).toEqual({
      type: 'SUSTAINED_INCREASE', incidents: 0, detected: 0, alerts: 0, matched_alerts: 0,
      precision: 1, recall: 1, median_delay_ms: null,
    });
  });

  it('totals: 5 of 8 alerts match, 5 of 6 incidents found, median of [60, 260, 500, 1100, 140000]', () => {
    expect(card.total).toEqual({
      type: 'ALL', incidents: 6, detected: 5, alerts: 8, matched_alerts: 5,
      precision: 0.625, recall: 5 / 6, median_delay_ms: 500,
    });
  });

  it('is empty-safe', () => {
    expect(scoreAlerts([], []).total).toEqual({
      type: 'ALL', incidents: 0, detected: 0, alerts: 0, matched_alerts: 0, precision: 1, recall: 1, median_delay_ms: null,
    });
  });
});

describe('formatting', () => {
  it('median of odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('formatDuration', () => {
    expect(formatDuration(null)).toBe('-');
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(999)).toBe('999ms');
    expect(formatDuration(999.6)).toBe('1s');
    expect(formatDuration(150_000)).toBe('2m 30s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(90_061_000)).toBe('1d 1h 1m 1s');
    expect(formatDuration(-1_500)).toBe('-2s');
  });

  it('formatScorecard lays out a fixed-width table', () => {
    expect(formatScorecard(scoreAlerts(ALERTS, TRUTH)).split('\n')).toEqual([
      'type                    incidents  detected   alerts  matched  precision  recall  median delay',
      '----------------------  ---------  --------  -------  -------  ---------  ------  ------------',
      'RESIDENCY_VIOLATION             2         2        4        3      0.750   1.000         800ms',
      'UNAUTHORIZED_PRINCIPAL          2         2        1        1      1.000   1.000         160ms',
      'GATEWAY_BYPASS                  0         0        1        0      0.000   1.000             -',
      'NEW_DESTINATION                 1         0        0        0      0.000   0.000             -',
      'VOLUME_SPIKE                    1         1        2        1      0.500   1.000        2m 20s',
      'SUSTAINED_INCREASE              0         0        0        0      1.000   1.000             -',
      'GATEWAY_SILENT                  0         0        0        0      1.000   1.000             -',
      '----------------------  ---------  --------  -------  -------  ---------  ------  ------------',
      'ALL                             6         5        8        5      0.625   0.833         500ms',
    ]);
  });
});

describe('ground-truth file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egress-watch-truth-'));
  });

  it('round-trips through writeTruth and readTruth, one object per line in contract field order', async () => {
    const path = join(dir, 'truth.jsonl');
    const incidents = [
      { ...TRUTH[0], data_class: 'eu_user_data', principal: 'mallory' },
      TRUTH[2],
    ];
    await writeTruth(path, incidents);
    expect(await readFile(path, 'utf8')).toBe(
      '{"incident_id":"i1","type":"RESIDENCY_VIOLATION","destination":"a.example","data_class":"eu_user_data","principal":"mallory","start_ms":1000,"end_ms":2000}\n' +
        '{"incident_id":"i3","type":"VOLUME_SPIKE","destination":"c.example","data_class":null,"principal":null,"start_ms":10000,"end_ms":70000}\n',
    );
    expect(await readTruth(path)).toEqual(incidents);
  });

  const good = '{"incident_id":"i1","type":"VOLUME_SPIKE","destination":"c","data_class":null,"principal":null,"start_ms":1,"end_ms":2}';
  const cases: [string, string, RegExp][] = [
    ['bad JSON', `${good}\n{"incident_id":`, /:2: not valid JSON/],
    ['wrong type of start_ms', good.replace('"start_ms":1', '"start_ms":"x"'), /:1: start_ms: /],
    ['unknown alert type', good.replace('VOLUME_SPIKE', 'SPIKE'), /:1: type: /],
    ['unknown key', good.replace('}', ',"extra":1}'), /:1: .*extra/],
    ['missing key', good.replace(',"principal":null', ''), /:1: principal: missing$/],
    ['end before start', good.replace('"end_ms":2', '"end_ms":0'), /:1: end_ms: end_ms must not be before start_ms/],
    ['duplicate id', `${good}\n\n${good}`, /:3: incident_id "i1" already used on line 1/],
  ];
  for (const [name, text, message] of cases) {
    it(`names file and line for: ${name}`, async () => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.jsonl`);
      await writeFile(path, text);
      const error = await readTruth(path).then(() => null, (e: Error) => e);
      expect(error?.message).toMatch(message);
      expect(error?.message.startsWith(path + ':')).toBe(true);
    });
  }

  it('names a missing file', async () => {
    const path = join(dir, 'absent.jsonl');
    await expect(readTruth(path)).rejects.toThrow(`${path}: cannot read ground-truth file`);
  });
});
