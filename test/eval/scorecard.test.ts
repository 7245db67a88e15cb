import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      type: 'RESIDENCY_VIOLATION', incidents: 2, detected: 2, alerts: 4, matched_alerts: 3, excess_alerts: 0, unmatched_alerts: 1,
      precision: 0.75, recall: 1, median_delay_ms: 800, alerts_per_incident: 1.5, pages_per_incident: 1.5, ids_per_incident: null,
    });
  });

  it('UNAUTHORIZED_PRINCIPAL: one alert covering two incidents counts once as an alert, twice as detections', () => {
    expect(byType.UNAUTHORIZED_PRINCIPAL).toEqual({
      type: 'UNAUTHORIZED_PRINCIPAL', incidents: 2, detected: 2, alerts: 1, matched_alerts: 1, excess_alerts: 0, unmatched_alerts: 0,
      precision: 1, recall: 1, median_delay_ms: 160, // median of 260 and 60
      alerts_per_incident: 0.5, pages_per_incident: 0.5, ids_per_incident: null, // one alert record for two incidents
    });
  });

  it('GATEWAY_BYPASS: an alert with no incident of its type has precision 0; no incidents means recall 1', () => {
    expect(byType.GATEWAY_BYPASS).toEqual({
      type: 'GATEWAY_BYPASS', incidents: 0, detected: 0, alerts: 1, matched_alerts: 0, excess_alerts: 0, unmatched_alerts: 1,
      precision: 0, recall: 1, median_delay_ms: null, alerts_per_incident: null, pages_per_incident: null, ids_per_incident: null,
    });
  });

  it('NEW_DESTINATION: an incident and no alert gives precision 0 and recall 0', () => {
    expect(byType.NEW_DESTINATION).toEqual({
      type: 'NEW_DESTINATION', incidents: 1, detected: 0, alerts: 0, matched_alerts: 0, excess_alerts: 0, unmatched_alerts: 0,
      precision: 0, recall: 0, median_delay_ms: null, alerts_per_incident: null, pages_per_incident: null, ids_per_incident: null,
    });
  });

  it('VOLUME_SPIKE: the alert on another destination does not match', () => {
    expect(byType.VOLUME_SPIKE).toEqual({
      type: 'VOLUME_SPIKE', incidents: 1, detected: 1, alerts: 2, matched_alerts: 1, excess_alerts: 0, unmatched_alerts: 1,
      precision: 0.5, recall: 1, median_delay_ms: 140_000, alerts_per_incident: 1, pages_per_incident: 1, ids_per_incident: null,
    });
  });

  it('SUSTAINED_INCREASE: neither alerts nor incidents is perfect', () => {
    expect(byType.SUSTAINED_INCREASE).toEqual({
      type: 'SUSTAINED_INCREASE', incidents: 0, detected: 0, alerts: 0, matched_alerts: 0, excess_alerts: 0, unmatched_alerts: 0,
      precision: 1, recall: 1, median_delay_ms: null, alerts_per_incident: null, pages_per_incident: null, ids_per_incident: null,
    });
  });

  it('totals: 5 of 8 alerts match, 5 of 6 incidents found, median of [60, 260, 500, 1100, 140000]', () => {
    expect(card.total).toEqual({
      type: 'ALL', incidents: 6, detected: 5, alerts: 8, matched_alerts: 5, excess_alerts: 0, unmatched_alerts: 3,
      precision: 0.625, recall: 5 / 6, median_delay_ms: 500, alerts_per_incident: 1, pages_per_incident: 1, ids_per_incident: null,
    });
  });

  it('VOLUME: both volume types together, here only the VOLUME_SPIKE incident and alerts', () => {
    expect(card.volume).toEqual({
      type: 'VOLUME', incidents: 1, detected: 1, alerts: 2, matched_alerts: 1, excess_alerts: 0, unmatched_alerts: 1,
      precision: 0.5, recall: 1, median_delay_ms: 140_000, alerts_per_incident: 1, pages_per_incident: 1, ids_per_incident: null,
    });
  });

  it('is empty-safe', () => {
    const empty = { incidents: 0, detected: 0, alerts: 0, matched_alerts: 0, excess_alerts: 0, unmatched_alerts: 0, precision: 1, recall: 1, median_delay_ms: null, alerts_per_incident: null, pages_per_incident: null, ids_per_incident: null };
    expect(scoreAlerts([], []).total).toEqual({ type: 'ALL', ...empty });
    expect(scoreAlerts([], []).volume).toEqual({ type: 'VOLUME', ...empty });
  });
});

// A creep, a lasting change and a night burst, with alerts that carry the engine's incident ids.
describe('scoreAlerts: alerts per incident, a lasting change\'s allowance, the volume types together', () => {
  const withId = (a: Alert, incident_id?: string): Alert => (incident_id === undefined ? a : ({ ...a, incident_id } as Alert));
  const truth: Incident[] = [
    { ...incident('c1', 'SUSTAINED_INCREASE', 'p.example', 0, 50_000), shape: 'creep' },
    { ...incident('l1', 'SUSTAINED_INCREASE', 'q.example', 10_000, 1_000_000), shape: 'lasting_change' },
    { ...incident('n1', 'VOLUME_SPIKE', 'r.example', 100_000, 160_000), shape: 'night_burst' },
  ];
  const alerts: Alert[] = [
    withId(alert('SUSTAINED_INCREASE', 'p.example', 0, 10_000, 12_000), 'E1'), // c1, delay 12000
    withId(alert('SUSTAINED_INCREASE', 'p.example', 10_000, 20_000, 22_000), 'E1'), // c1 again, same engine incident
    withId(alert('SUSTAINED_INCREASE', 'p.example', 20_000, 30_000, 32_000), 'E2'), // c1, a second engine incident
    withId(alert('VOLUME_SPIKE', 'p.example', 20_000, 21_000, 21_500), 'E3'), // no VOLUME_SPIKE incident on p; c1 in the VOLUME row
    withId(alert('SUSTAINED_INCREASE', 'q.example', 600_000, 610_000, 615_000), 'E4'), // l1, third in detection order: excess
    withId(alert('SUSTAINED_INCREASE', 'q.example', 10_000, 20_000, 25_000), 'E4'), // l1 onset, delay 15000
    withId(alert('SUSTAINED_INCREASE', 'q.example', 500_000, 510_000, 515_000), 'E4'), // l1 "accepted" note: second of two
    alert('SUSTAINED_INCREASE', 'q.example', 5_000, 9_000, 9_500), // ends before l1 starts: unmatched, uses none of its allowance
    alert('VOLUME_SPIKE', 'r.example', 100_000, 160_000, 170_000), // n1, delay 70000, no incident id
    alert('SUSTAINED_INCREASE', 's.example', 0, 1, 2), // nothing there
  ];
  const card = scoreAlerts(alerts, truth);
  const byType = Object.fromEntries(card.rows.map((r) => [r.type, r]));

  it('SUSTAINED_INCREASE: 5 matched, the lasting change\'s third alert is excess, 2 unmatched; 6 records for 2 incidents; ids 2 (c1) and 1 (l1)', () => {
    expect(byType.SUSTAINED_INCREASE).toEqual({
      type: 'SUSTAINED_INCREASE', incidents: 2, detected: 2, alerts: 8, matched_alerts: 5, excess_alerts: 1, unmatched_alerts: 2,
      precision: 0.625, recall: 1, median_delay_ms: 13_500, alerts_per_incident: 3, pages_per_incident: 3, ids_per_incident: 1.5,
    });
  });

  it('VOLUME_SPIKE: the alert on the creep is of the wrong type here; n1 carries no incident id', () => {
    expect(byType.VOLUME_SPIKE).toEqual({
      type: 'VOLUME_SPIKE', incidents: 1, detected: 1, alerts: 2, matched_alerts: 1, excess_alerts: 0, unmatched_alerts: 1,
      precision: 0.5, recall: 1, median_delay_ms: 70_000, alerts_per_incident: 1, pages_per_incident: 1, ids_per_incident: null,
    });
  });

  it('VOLUME: a VOLUME_SPIKE alert on the creep counts for it; 8 records for 3 incidents; ids 3 (c1) and 1 (l1)', () => {
    expect(card.volume).toEqual({
      type: 'VOLUME', incidents: 3, detected: 3, alerts: 10, matched_alerts: 7, excess_alerts: 1, unmatched_alerts: 2,
      precision: 0.7, recall: 1, median_delay_ms: 15_000, alerts_per_incident: 8 / 3, pages_per_incident: 8 / 3, ids_per_incident: 2,
    });
  });

  it('ALL: matched strictly by type', () => {
    expect(card.total).toEqual({
      type: 'ALL', incidents: 3, detected: 3, alerts: 10, matched_alerts: 6, excess_alerts: 1, unmatched_alerts: 3,
      precision: 0.6, recall: 1, median_delay_ms: 15_000, alerts_per_incident: 7 / 3, pages_per_incident: 7 / 3, ids_per_incident: 1.5,
    });
  });

  it('pages/inc counts only the records that call an analyst: OPEN and ESCALATED, not CLOSED', () => {
    const creep = { ...incident('c2', 'SUSTAINED_INCREASE', 'v.example', 0, 100_000), shape: 'creep' as const };
    const record = (start: number, at: number, state: 'OPEN' | 'ESCALATED' | 'CLOSED'): Alert =>
      ({ ...alert('SUSTAINED_INCREASE', 'v.example', start, start + 10_000, at), incident_id: 'E9', incident_state: state }) as Alert;
    const card = scoreAlerts([record(0, 10_000, 'OPEN'), record(20_000, 30_000, 'ESCALATED'), record(90_000, 100_000, 'CLOSED')], [creep]);
    // Three records for the one creep, two of which call an analyst.
    expect([card.volume.alerts_per_incident, card.volume.pages_per_incident]).toEqual([3, 2]);
  });

  it('counts the alerts of no incident by UTC day of their window, chronologically', () => {
    expect(card.unmatched_by_day).toEqual([{ day: '1970-01-01', alerts: 3 }]);
    const day = 86_400_000;
    const spread = scoreAlerts(
      [alert('VOLUME_SPIKE', 'z', 3 * day, 3 * day + 1, 0), alert('VOLUME_SPIKE', 'z', day - 1, day, 0), alert('VOLUME_SPIKE', 'z', 3 * day + 5, 3 * day + 6, 0)],
      [],
    );
    expect(spread.unmatched_by_day).toEqual([{ day: '1970-01-01', alerts: 1 }, { day: '1970-01-04', alerts: 2 }]);
    expect(scoreAlerts([], []).unmatched_by_day).toEqual([]);
  });

  it('a later record of an engine incident that matched counts with that incident, past its end; other records do not', () => {
    const burst = { ...incident('n2', 'VOLUME_SPIKE', 'u.example', 100_000, 160_000), shape: 'night_burst' as const };
    const records = [
      withId(alert('SUSTAINED_INCREASE', 'u.example', 110_000, 150_000, 150_000), 'R1'), // the run's OPEN record: overlaps n2
      withId(alert('SUSTAINED_INCREASE', 'u.example', 200_000, 210_000, 210_000), 'R1'), // its CLOSED record, after n2 ended: linked
      withId(alert('SUSTAINED_INCREASE', 'u.example', 220_000, 230_000, 230_000), 'R2'), // another run after n2: unmatched
      alert('SUSTAINED_INCREASE', 'u.example', 240_000, 250_000, 250_000), // no incident id: unmatched
      withId(alert('SUSTAINED_INCREASE', 'u.example', 0, 10_000, 10_000), 'R3'), // a run before n2...
      withId(alert('SUSTAINED_INCREASE', 'u.example', 165_000, 170_000, 260_000), 'R3'), // ...whose later record follows no match: unmatched
    ];
    const linked = scoreAlerts(records, [burst]);
    expect(linked.volume).toEqual({
      type: 'VOLUME', incidents: 1, detected: 1, alerts: 6, matched_alerts: 2, excess_alerts: 0, unmatched_alerts: 4,
      precision: 2 / 6, recall: 1, median_delay_ms: 50_000, alerts_per_incident: 2, pages_per_incident: 2, ids_per_incident: 1,
    });
    // By type, the SUSTAINED_INCREASE records are not about the VOLUME_SPIKE incident, linked or not.
    expect(linked.total.matched_alerts).toBe(0);
    expect(linked.unmatched_by_day).toEqual([{ day: '1970-01-01', alerts: 6 }]);
    // The linked record respects a lasting change's allowance: it is the third record, excess.
    const lasting = { ...incident('l2', 'SUSTAINED_INCREASE', 'u.example', 100_000, 160_000), shape: 'lasting_change' as const };
    const third = scoreAlerts([withId(alert('SUSTAINED_INCREASE', 'u.example', 100_000, 110_000, 110_000), 'R4'), ...records.slice(0, 2)], [lasting]);
    expect([third.total.matched_alerts, third.total.excess_alerts, third.total.unmatched_alerts]).toEqual([2, 1, 0]);
  });

  it("a detector's final note with no incident open belongs to the destination's latest record of its type", () => {
    const burst = { ...incident('n3', 'VOLUME_SPIKE', 'w.example', 100_000, 160_000), shape: 'night_burst' as const };
    const note = (a: Alert): Alert => ({ ...a, incident_id: a.alert_id, incident_state: 'CLOSED' }) as Alert;
    const open = { ...withId(alert('SUSTAINED_INCREASE', 'w.example', 110_000, 150_000, 150_000), 'W1'), incident_state: 'OPEN' } as Alert;
    const card = scoreAlerts(
      [
        open, // overlaps n3
        alert('VOLUME_SPIKE', 'w.example', 300_000, 301_000, 301_000), // another type, no id, after n3: unmatched
        note(alert('SUSTAINED_INCREASE', 'w.example', 250_000, 260_000, 260_000)), // W1's run accepted, incident closed before: with W1
        note(alert('VOLUME_SPIKE', 'w.example', 400_000, 410_000, 410_000)), // the latest VOLUME_SPIKE record carries no id: unmatched
        note(alert('SUSTAINED_INCREASE', 'x.example', 120_000, 130_000, 130_000)), // no earlier record there: its own, unmatched
      ],
      [burst],
    );
    expect([card.volume.matched_alerts, card.volume.excess_alerts, card.volume.unmatched_alerts]).toEqual([2, 0, 3]);
  });

  it("a final note with no incident open belongs to its destination's latest volume incident, whichever volume type opened it", () => {
    // The engine keeps one volume incident per destination, typed by its opening alert: a
    // VOLUME_SPIKE opened E2 (a false alarm), SUSTAINED_INCREASE's run folded into it, E2 closed
    // on silence, and the run's acceptance is a lone SUSTAINED_INCREASE note. The note is E2's
    // run, not E1's (an older SUSTAINED_INCREASE incident that found the true one days before).
    const truth = { ...incident('t1', 'SUSTAINED_INCREASE', 'd.example', 100_000, 160_000), shape: 'night_burst' as const };
    const note = (a: Alert): Alert => ({ ...a, incident_id: a.alert_id, incident_state: 'CLOSED' }) as Alert;
    const card = scoreAlerts(
      [
        { ...withId(alert('SUSTAINED_INCREASE', 'd.example', 110_000, 150_000, 150_000), 'E1'), incident_state: 'OPEN' } as Alert, // t1
        { ...withId(alert('VOLUME_SPIKE', 'd.example', 500_000, 510_000, 510_000), 'E2'), incident_state: 'OPEN' } as Alert, // false alarm
        { ...withId(alert('VOLUME_SPIKE', 'd.example', 520_000, 530_000, 600_000), 'E2'), incident_state: 'CLOSED' } as Alert, // its close
        note(alert('SUSTAINED_INCREASE', 'd.example', 700_000, 710_000, 710_000)), // E2's run accepted: no true incident
      ],
      [truth],
    );
    expect([card.volume.matched_alerts, card.volume.excess_alerts, card.volume.unmatched_alerts]).toEqual([1, 0, 3]);
    const si = card.rows.find((r) => r.type === 'SUSTAINED_INCREASE')!;
    expect([si.alerts, si.matched_alerts, si.unmatched_alerts]).toEqual([2, 1, 1]);
    expect([card.total.matched_alerts, card.total.unmatched_alerts]).toEqual([1, 3]);
  });

  it('a lasting change with exactly its two alerts has no excess; only lasting changes have an allowance', () => {
    const two = scoreAlerts([alerts[5], alerts[6]], [truth[1]]).total;
    expect([two.matched_alerts, two.excess_alerts, two.precision, two.alerts_per_incident]).toEqual([2, 0, 1, 2]);
    const asCreep = scoreAlerts([alerts[4], alerts[5], alerts[6]], [{ ...truth[1], shape: 'creep' }]).total;
    expect([asCreep.matched_alerts, asCreep.excess_alerts, asCreep.precision, asCreep.alerts_per_incident]).toEqual([3, 0, 1, 3]);
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
      'type                    incidents  detected   alerts  matched  excess  unmatched  precision  recall  median delay  alerts/inc  pages/inc  ids/inc',
      '----------------------  ---------  --------  -------  -------  ------  ---------  ---------  ------  ------------  ----------  ---------  -------',
      'RESIDENCY_VIOLATION             2         2        4        3       0          1      0.750   1.000         800ms        1.50       1.50        -',
      'UNAUTHORIZED_PRINCIPAL          2         2        1        1       0          0      1.000   1.000         160ms        0.50       0.50        -',
      'GATEWAY_BYPASS                  0         0        1        0       0          1      0.000   1.000             -           -          -        -',
      'NEW_DESTINATION                 1         0        0        0       0          0      0.000   0.000             -           -          -        -',
      'VOLUME_SPIKE                    1         1        2        1       0          1      0.500   1.000        2m 20s        1.00       1.00        -',
      'SUSTAINED_INCREASE              0         0        0        0       0          0      1.000   1.000             -           -          -        -',
      'GATEWAY_SILENT                  0         0        0        0       0          0      1.000   1.000             -           -          -        -',
      '----------------------  ---------  --------  -------  -------  ------  ---------  ---------  ------  ------------  ----------  ---------  -------',
      'VOLUME                          1         1        2        1       0          1      0.500   1.000        2m 20s        1.00       1.00        -',
      'ALL                             6         5        8        5       0          3      0.625   0.833         500ms        1.00       1.00        -',
      'alerts of no incident by day (UTC): 1970-01-01 3',
    ]);
  });
});

describe('ground-truth file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egress-watch-truth-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

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

  it('writes and reads the shape of the volume scenario\'s incidents, and only when there is one', async () => {
    const path = join(dir, 'shaped.jsonl');
    const incidents: Incident[] = [{ ...TRUTH[2], shape: 'night_burst' }, TRUTH[3]];
    await writeTruth(path, incidents);
    expect(await readFile(path, 'utf8')).toBe(
      '{"incident_id":"i3","type":"VOLUME_SPIKE","destination":"c.example","data_class":null,"principal":null,"start_ms":10000,"end_ms":70000,"shape":"night_burst"}\n' +
        '{"incident_id":"i4","type":"NEW_DESTINATION","destination":"d.example","data_class":null,"principal":null,"start_ms":100,"end_ms":200}\n',
    );
    expect(await readTruth(path)).toEqual(incidents);
  });

  const good = '{"incident_id":"i1","type":"VOLUME_SPIKE","destination":"c","data_class":null,"principal":null,"start_ms":1,"end_ms":2}';
  const cases: [string, string, RegExp][] = [
    ['bad JSON', `${good}\n{"incident_id":`, /:2: not valid JSON/],
    ['wrong type of start_ms', good.replace('"start_ms":1', '"start_ms":"x"'), /:1: start_ms: /],
    ['unknown alert type', good.replace('VOLUME_SPIKE', 'SPIKE'), /:1: type: /],
    ['unknown key', good.replace('}', ',"extra":1}'), /:1: .*extra/],
    ['unknown shape', good.replace('}', ',"shape":"wave"}'), /:1: shape: /],
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
