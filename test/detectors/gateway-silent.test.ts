// GATEWAY_SILENT, worked by hand through the Pipeline (watermark = lowest active gateway's
// latest event time - 30s allowed lateness; a gateway 5m behind the second-highest event time
// is idle and stops holding the watermark; see event-clock.ts). Defaults: min_silence 15m,
// factor 3; learning_period set per test.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord, StateChange } from '../../src/engine/types.js';
import { flow, MIN, T0, testConfig } from '../engine/fixtures.js';

const SEC = 1000;
const HOUR = 60 * MIN;

/** A classless 1000-byte flow of one gateway at one instant (no policy or volume alert). */
function record(gateway: string | null, endMs: number): FlowRecord {
  return flow({ flow_id: `${gateway}@${endMs}`, gateway_id: gateway, end_ms: endMs, data_class: null, principal: null });
}

function run(p: Pipeline, flows: readonly FlowRecord[]): Alert[] {
  const alerts: Alert[] = [];
  for (const f of flows) alerts.push(...p.push(f));
  return alerts;
}

function silent(alerts: readonly Alert[]): Alert[] {
  return alerts.filter((a) => a.type === 'GATEWAY_SILENT');
}

/** The silences' OPEN records (or, with incidents off, their alerts): one per silence. */
function opened(alerts: readonly Alert[]): Alert[] {
  return silent(alerts).filter((a) => a.incident_state !== 'CLOSED');
}

function closed(alerts: readonly Alert[]): Alert[] {
  return silent(alerts).filter((a) => a.incident_state === 'CLOSED');
}

/** Records of `gateway` every `stepMs` from `fromMs` while `keep(t)` holds, up to (excluding) `toMs`. */
function every(gateway: string, fromMs: number, toMs: number, stepMs: number, keep: (t: number) => boolean = () => true): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) if (keep(t)) out.push(record(gateway, t));
  return out;
}

function byTime(...lists: FlowRecord[][]): FlowRecord[] {
  return lists.flat().sort((a, b) => a.end_ms - b.end_ms);
}

// gw-a reports at every whole minute from T0 (Monday 09:00 UTC) to T0+240m; gw-b at every
// minute + 30s, for T0..T0+119m30s and again T0+170m30s..T0+200m30s. Learning: 1h.
const config = testConfig('  gateway_silent: {learning_period: 1h}');
const returning = byTime(
  every('gw-a', T0, T0 + 240 * MIN, MIN),
  every('gw-b', T0 + 30 * SEC, T0 + 120 * MIN, MIN),
  every('gw-b', T0 + 170 * MIN + 30 * SEC, T0 + 201 * MIN, MIN),
);

describe('GATEWAY_SILENT', () => {
  const p = new Pipeline(config);
  const all = silent([...run(p, returning), ...p.finish()]);
  const alerts = opened(all);

  it('alerts once per silence, at the first watermark beyond 15m, and again after the gateway returned', () => {
    // gw-b's last record at T0+119m30s; its gaps were 60s, so the threshold is max(15m, 3 x 60s) = 15m.
    // gw-a's record at T0+135m moves the watermark to T0+134m30s (15m of silence: not beyond);
    // the one at T0+136m to T0+135m30s: 16m. Second silence from T0+200m30s: 216m30s.
    expect(alerts.map((a) => [a.window_start_ms - T0, a.detected_at_ms - T0, a.observed])).toEqual([
      [119 * MIN + 30 * SEC, 135 * MIN + 30 * SEC, 16 * MIN],
      [200 * MIN + 30 * SEC, 216 * MIN + 30 * SEC, 16 * MIN],
    ]);
  });

  /** The fields every GATEWAY_SILENT record of gw-b carries: a gateway, not a destination of flows. */
  const GW_B = {
    type: 'GATEWAY_SILENT',
    severity: 'HIGH',
    destination: 'gateway:gw-b',
    dst_country: null,
    data_class: null,
    principal: null,
    gateway_id: 'gw-b',
  };

  it('fills every field of the alert', () => {
    const { alert_id: id, config_version: version, ...rest } = alerts[0];
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(version).toBe(config.config_version);
    expect(rest).toStrictEqual({
      ...GW_B,
      window_start_ms: T0 + 119 * MIN + 30 * SEC,
      window_end_ms: T0 + 135 * MIN + 30 * SEC,
      flow_count: 0,
      bytes: 0,
      observed: 960_000,
      expected: 60_000,
      score: 16,
      threshold: 3,
      reason:
        'Gateway silence rule detectors.gateway_silent: gateway gw-b has sent no flow record for 16m while other gateways ' +
        'kept reporting (its last at 2026-01-05T10:59:30.000Z), against a longest quiet period of 1m learnt for 10:00-11:00 UTC ' +
        '(threshold: 3x that and at least 15m). Check that gw-b is up and its flow log shipping works, and whether traffic ' +
        'now leaves by a route that bypasses it.',
      sample_flow_ids: ['gw-b@' + String(T0 + 119 * MIN + 30 * SEC)],
      detected_at_ms: T0 + 135 * MIN + 30 * SEC,
      // A silence is an incident of its own: the OPEN record, its own alert_id the incident's id.
      incident_id: id,
      incident_state: 'OPEN',
    });
    // Two OPEN records and the first silence's CLOSED one.
    expect(p.engine.counters.alerts.GATEWAY_SILENT).toBe(3);
    expect(alerts[1].incident_id).toBe(alerts[1].alert_id);
    expect(alerts[1].incident_state).toBe('OPEN');
  });

  it('closes the silence when the gateway sends again, naming the interval whose traffic went unseen', () => {
    // gw-b's last record before the silence at T0+119m30s (10:59:30), its first after at
    // T0+170m30s (11:50:30): a silence of 51m against hour 10's quiet period of 60s. That record
    // does not move the watermark (gw-a's latest, T0+170m, less 30s); gw-a's at T0+171m moves it
    // to T0+170m, and the close goes out then, dated when gw-b sent again. The second silence
    // (from T0+200m30s) is still open when the input ends: no CLOSED record for it.
    expect(all.map((a) => a.incident_state)).toEqual(['OPEN', 'CLOSED', 'OPEN']);
    const [close] = closed(all);
    const { alert_id: id, config_version: version, ...rest } = close;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(id).not.toBe(alerts[0].alert_id);
    expect(version).toBe(config.config_version);
    expect(rest).toStrictEqual({
      ...GW_B,
      window_start_ms: T0 + 119 * MIN + 30 * SEC,
      window_end_ms: T0 + 170 * MIN + 30 * SEC,
      flow_count: 0,
      bytes: 0,
      observed: 3_060_000,
      expected: 60_000,
      score: 51,
      threshold: 3,
      reason:
        `Incident ${alerts[0].alert_id} closed: gateway gw-b sent flow records again at 2026-01-05T11:50:30.000Z ` +
        "(the first is this record's sample), after 51m with none (its last before at 2026-01-05T10:59:30.000Z). " +
        'What left through gw-b from 2026-01-05T10:59:30.000Z to 2026-01-05T11:50:30.000Z was not seen by egress-watch: ' +
        'recover its flow logs for that interval, or account for it otherwise.',
      sample_flow_ids: ['gw-b@' + String(T0 + 170 * MIN + 30 * SEC)],
      detected_at_ms: T0 + 170 * MIN + 30 * SEC,
      incident_id: alerts[0].alert_id,
      incident_state: 'CLOSED',
    });
  });

  it('closes a silence that never ends when the gateway is forgotten (baseline.idle_ttl)', () => {
    // gw-b stops for good at T0+119m30s; idle_ttl 3h forgets it at T0+299m30s, the watermark
    // gw-a's record at T0+300m moves the stream to.
    const q = new Pipeline(testConfig('  gateway_silent: {learning_period: 1h}\nbaseline: {idle_ttl: 3h}'));
    const flows = byTime(every('gw-a', T0, T0 + 6 * HOUR, MIN), every('gw-b', T0 + 30 * SEC, T0 + 120 * MIN, MIN));
    const got = silent([...run(q, flows), ...q.finish()]);
    expect(got.map((a) => [a.incident_state, a.window_start_ms - T0, a.window_end_ms - T0, a.detected_at_ms - T0, a.observed])).toEqual([
      ['OPEN', 119 * MIN + 30 * SEC, 135 * MIN + 30 * SEC, 135 * MIN + 30 * SEC, 16 * MIN],
      ['CLOSED', 119 * MIN + 30 * SEC, 299 * MIN + 30 * SEC, 299 * MIN + 30 * SEC, 3 * HOUR],
    ]);
    expect(got[1].incident_id).toBe(got[0].alert_id);
    expect(got[1].sample_flow_ids).toEqual(['gw-b@' + String(T0 + 119 * MIN + 30 * SEC)]);
    expect(got[1].reason).toBe(
      `Incident ${got[0].alert_id} closed: gateway gw-b has sent nothing since 2026-01-05T10:59:30.000Z, for 3h ` +
        '(baseline.idle_ttl), and is forgotten. If it was taken out of service on purpose, nothing is left to do; ' +
        'otherwise nothing that left through it since 2026-01-05T10:59:30.000Z was seen.',
    );
  });

  it('dates the close of a forgotten gateway by the watermark that forgot it, never before its OPEN record', () => {
    // idle_ttl 10m, shorter than the 15m silence: the OPEN record at T0+135m30s (gw-a's record
    // at T0+136m), the gateway forgotten at the next check, T0+136m30s (gw-a's at T0+137m).
    // Dated since + ttl (T0+129m30s) the close would come before its own OPEN, and a reader
    // ordering by detected_at_ms (the report's incident list) would keep the incident OPEN.
    const q = new Pipeline(testConfig('  gateway_silent: {learning_period: 1h}\nbaseline: {idle_ttl: 10m}'));
    const flows = byTime(every('gw-a', T0, T0 + 5 * HOUR, MIN), every('gw-b', T0 + 30 * SEC, T0 + 120 * MIN, MIN));
    const got = silent([...run(q, flows), ...q.finish()]);
    expect(got.map((a) => [a.incident_state, a.window_end_ms - T0, a.detected_at_ms - T0, a.observed])).toEqual([
      ['OPEN', 135 * MIN + 30 * SEC, 135 * MIN + 30 * SEC, 16 * MIN],
      ['CLOSED', 129 * MIN + 30 * SEC, 136 * MIN + 30 * SEC, 10 * MIN],
    ]);
    // idle_ttl lowered from 7d to 1h by a reload at T0+240m: forgotten at that watermark.
    const r = new Pipeline(config);
    const all = byTime(every('gw-a', T0, T0 + 5 * HOUR, MIN), every('gw-b', T0 + 30 * SEC, T0 + 120 * MIN, MIN));
    const cut = all.findIndex((f) => f.end_ms >= T0 + 240 * MIN);
    const before = run(r, all.slice(0, cut));
    r.engine.reconfigure(testConfig('  gateway_silent: {learning_period: 1h}\nbaseline: {idle_ttl: 1h}'));
    const after = [...run(r, all.slice(cut)), ...r.finish()];
    expect(silent([...before, ...after]).map((a) => [a.incident_state, a.window_end_ms - T0, a.detected_at_ms - T0])).toEqual([
      ['OPEN', 135 * MIN + 30 * SEC, 135 * MIN + 30 * SEC],
      ['CLOSED', 179 * MIN + 30 * SEC, 239 * MIN + 30 * SEC],
    ]);
  });

  it('carries no incident fields when incidents are off (alerts.suppress_for 0s)', () => {
    const off = new Pipeline(testConfig('  gateway_silent: {learning_period: 1h}\nalerts: {suppress_for: 0s}'));
    const plain = silent([...run(off, returning), ...off.finish()]);
    expect(plain.map((a) => [a.window_start_ms - T0, 'incident_id' in a, 'incident_state' in a])).toEqual([
      [119 * MIN + 30 * SEC, false, false],
      [200 * MIN + 30 * SEC, false, false],
    ]);
  });

  it('does not alert while learning', () => {
    // Learning 4h: gw-b had been seen for 1h59m when it fell silent, 3h20m the second time.
    const learning = new Pipeline(testConfig('  gateway_silent: {learning_period: 4h}'));
    expect(silent([...run(learning, returning), ...learning.finish()])).toEqual([]);
  });

  it('does not alert when disabled, nor beyond a min_silence the silences never reach', () => {
    for (const extra of ['  gateway_silent: {enabled: false, learning_period: 1h}', '  gateway_silent: {min_silence: 51m, learning_period: 1h}']) {
      const q = new Pipeline(testConfig(extra));
      expect(silent([...run(q, returning), ...q.finish()]), extra).toEqual([]);
    }
  });

  it('takes per-gateway settings from an override matching gateway:<id>', () => {
    // factor 20: 20 x 60s = 20m, so the first alert comes at the first watermark beyond T0+139m30s.
    const q = new Pipeline(
      testConfig('  gateway_silent: {learning_period: 1h}\n  overrides:\n    - {match: {destination: "gateway:gw-b"}, gateway_silent: {factor: 20, severity: LOW}}'),
    );
    const got = silent(run(q, returning));
    expect(got.map((a) => [a.incident_state, a.detected_at_ms - T0, a.severity, a.threshold])).toEqual([
      ['OPEN', 140 * MIN + 30 * SEC, 'LOW', 20],
      ['CLOSED', 170 * MIN + 30 * SEC, 'LOW', 20],
      ['OPEN', 221 * MIN + 30 * SEC, 'LOW', 20],
    ]);
  });
});

describe('GATEWAY_SILENT and a reload that turns incidents on or off during a silence', () => {
  // The `returning` stream: gw-b silent from T0+119m30s, reported at T0+135m30s, back at
  // T0+170m30s (its 292nd record). The reload comes after the 262nd record, once the OPEN is out.
  const on = testConfig('  gateway_silent: {learning_period: 1h}');
  const off = testConfig('  gateway_silent: {learning_period: 1h}\nalerts: {suppress_for: 0s}');
  const reloaded = (from: typeof on, to: typeof on): Alert[] => {
    const p = new Pipeline(from);
    const before = run(p, returning.slice(0, 262));
    p.engine.reconfigure(to);
    return silent([...before, ...run(p, returning.slice(262)), ...p.finish()]).filter((a) => a.window_start_ms === T0 + 119 * MIN + 30 * SEC);
  };

  it('closes a silence that went out as an incident even if incidents were turned off since', () => {
    const got = reloaded(on, off);
    expect(got.map((a) => a.incident_state)).toEqual(['OPEN', 'CLOSED']);
    expect(got[1].incident_id).toBe(got[0].alert_id);
  });

  it('closes nothing for a silence that went out as a plain alert before incidents were turned on', () => {
    const got = reloaded(off, on);
    expect(got.map((a) => [a.incident_state, a.incident_id])).toEqual([[undefined, undefined]]);
  });
});

describe('GATEWAY_SILENT and quiet that is normal', () => {
  // From Monday 00:00 UTC for 3 days: gw-a every even minute; gw-b every odd minute except
  // 00:00-04:00 each night (and its first record at Monday 04:01). Learning 1d: Tuesday's night
  // (4h2m from Monday 23:59 to Tuesday 04:01) is learnt into hours 23 and 0-4, so Wednesday's
  // night, 4h2m against 3 x 4h2m, does not alert. On Wednesday gw-b also stops at 09:59 for an
  // hour: hour 9's quiet period is 2m, so that alerts after 15m.
  const DAY0 = Date.UTC(2026, 0, 5);
  const DAY = 24 * HOUR;
  const wednesdayGap = (t: number) => t > DAY0 + 2 * DAY + 9 * HOUR + 59 * MIN && t < DAY0 + 2 * DAY + 11 * HOUR;
  const night = (t: number) => (t - DAY0) % DAY < 4 * HOUR;
  const flows = byTime(
    every('gw-a', DAY0, DAY0 + 3 * DAY, 2 * MIN),
    every('gw-b', DAY0 + MIN, DAY0 + 3 * DAY, 2 * MIN, (t) => !night(t) && !wednesdayGap(t)),
  );

  it('alerts only for the silence at an hour the gateway is usually busy', () => {
    const p = new Pipeline(testConfig());
    const alerts = silent([...run(p, flows), ...p.finish()]);
    // Last at Wed 09:59; gw-a's record at 10:16 moves the watermark to 10:15:30: 16m30s (10:14 gave 14m30s).
    // Back at 11:01 (its first odd minute from 11:00): closed, a silence of 62m against hour 9's 2m.
    expect(alerts.map((a) => [a.incident_state, new Date(a.window_start_ms).toISOString(), new Date(a.detected_at_ms).toISOString(), a.observed, a.expected])).toEqual([
      ['OPEN', '2026-01-07T09:59:00.000Z', '2026-01-07T10:15:30.000Z', 990_000, 120_000],
      ['CLOSED', '2026-01-07T09:59:00.000Z', '2026-01-07T11:01:00.000Z', 3_720_000, 120_000],
    ]);
  });
});

describe('GATEWAY_SILENT needs others to go on', () => {
  it('does not alert when the only gateway stops, not even when the input ends', () => {
    const p = new Pipeline(testConfig('  gateway_silent: {learning_period: 1h}'));
    const alerts = [...run(p, every('gw-a', T0, T0 + 3 * HOUR, MIN)), ...p.finish()];
    expect(silent(alerts)).toEqual([]);
  });

  it('does not alert when every gateway falls quiet, nor when they come back one after another', () => {
    // Both every minute for 2h, nothing for 3h, then gw-a from T0+5h and gw-b from T0+5h10m: gw-b's
    // silence counts from gw-a's return (10m, under 15m), not from its own last record.
    const flows = byTime(
      every('gw-a', T0, T0 + 2 * HOUR, MIN),
      every('gw-b', T0 + 30 * SEC, T0 + 2 * HOUR, MIN),
      every('gw-a', T0 + 5 * HOUR, T0 + 7 * HOUR, MIN),
      every('gw-b', T0 + 5 * HOUR + 10 * MIN, T0 + 7 * HOUR, MIN),
    );
    const p = new Pipeline(testConfig('  gateway_silent: {learning_period: 1h}'));
    expect(silent([...run(p, flows), ...p.finish()])).toEqual([]);
    // The same with gw-b back only at T0+5h20m: gw-a's record at T0+5h16m moves the watermark
    // to T0+5h15m30s, 15m30s after gw-a's return (T0+5h15m gave 14m30s).
    const later = byTime(
      every('gw-a', T0, T0 + 2 * HOUR, MIN),
      every('gw-b', T0 + 30 * SEC, T0 + 2 * HOUR, MIN),
      every('gw-a', T0 + 5 * HOUR, T0 + 7 * HOUR, MIN),
      every('gw-b', T0 + 5 * HOUR + 20 * MIN, T0 + 7 * HOUR, MIN),
    );
    const q = new Pipeline(testConfig('  gateway_silent: {learning_period: 1h}'));
    // It closes when gw-b sends again at T0+5h20m (the close goes out at the watermark gw-a's
    // record at T0+5h21m moves to, T0+5h20m30s): 3h20m30s without gw-b's records.
    expect(silent(run(q, later)).map((a) => [a.incident_state, a.window_start_ms - T0, a.detected_at_ms - T0, a.observed])).toEqual([
      ['OPEN', 119 * MIN + 30 * SEC, 5 * HOUR + 15 * MIN + 30 * SEC, 15 * MIN + 30 * SEC],
      ['CLOSED', 119 * MIN + 30 * SEC, 5 * HOUR + 20 * MIN + 30 * SEC, 3 * HOUR + 20 * MIN + 30 * SEC],
    ]);
  });
});

describe('GATEWAY_SILENT state', () => {
  const unbroken = new Pipeline(config);
  const expected = [...run(unbroken, returning), ...unbroken.finish()];

  // gw-b's first record after its silence is the 292nd; the snapshot after it holds the close
  // still due (`back`), the one after the 293rd (gw-a's, which moves the watermark) no silence.
  // The second silence is reported at T0+216m30s, after the 368th record.
  for (const cut of [1, 200, 245, 262, 291, 292, 293, 300, 330, 400]) {
    it(`snapshot after ${cut} records and restore gives the unbroken run's alerts byte for byte`, () => {
      const first = new Pipeline(config);
      const before = run(first, returning.slice(0, cut));
      const snapshot = JSON.parse(JSON.stringify(first.engine.snapshot())) as StateChange[];
      expect(snapshot.some((c) => c.key === 'g:gw-b')).toBe(cut > 1);
      const entry = snapshot.find((c) => c.key === 'g:gw-b')?.value ?? '';
      expect([entry.includes('"open"'), entry.includes('"back"')]).toEqual([(cut >= 262 && cut <= 292) || cut >= 368, cut === 292]);
      const engine = new Engine(config);
      engine.restore(snapshot);
      const second = Pipeline.resume(config, engine);
      const after = [...run(second, returning.slice(cut)), ...second.finish()];
      expect(JSON.stringify([...before, ...after])).toBe(JSON.stringify(expected));
    });
  }

  it('restores state written before silences closed (no "open"): the silence ends without a CLOSED record', () => {
    const first = new Pipeline(config);
    const before = run(first, returning.slice(0, 262));
    const snapshot = first.engine.snapshot().map((c) => {
      if (c.key !== 'g:gw-b' || c.value === null) return c;
      const { open, since, ...older } = JSON.parse(c.value);
      expect([typeof open, typeof since]).toEqual(['string', 'number']);
      return { key: c.key, value: JSON.stringify(older) };
    });
    const engine = new Engine(config);
    engine.restore(snapshot);
    const second = Pipeline.resume(config, engine);
    const after = [...run(second, returning.slice(262)), ...second.finish()];
    expect(silent([...before, ...after]).map((a) => a.incident_state)).toEqual(['OPEN', 'OPEN']);
  });

  it('the compacted changelog of every commit equals the snapshot', () => {
    const p = new Pipeline(config);
    const log = new Map<string, string | null>();
    returning.forEach((f, i) => {
      p.push(f);
      if (i % 17 === 16) for (const c of p.engine.commit()) log.set(c.key, c.value);
    });
    for (const c of p.engine.commit()) log.set(c.key, c.value);
    const live = [...log].filter(([, v]) => v !== null);
    expect(new Map(live)).toEqual(new Map(p.engine.snapshot().map((c) => [c.key, c.value])));
  });

  it('the compacted changelog equals the snapshot after every record (the close clears the silence from the log at once)', () => {
    // Committed after each record: right after gw-a's record at T0+171m closes gw-b's silence,
    // gw-b's entry must no longer hold "open" and "back", or a restart there closes it again.
    const p = new Pipeline(config);
    const log = new Map<string, string | null>();
    const differs: number[] = [];
    returning.forEach((f, i) => {
      p.push(f);
      for (const c of p.engine.commit()) log.set(c.key, c.value);
      const live = new Map([...log].filter(([, v]) => v !== null));
      const snap = new Map(p.engine.snapshot().map((c) => [c.key, c.value]));
      if (JSON.stringify([...live].sort()) !== JSON.stringify([...snap].sort())) differs.push(i);
    });
    expect(differs).toEqual([]);
  });
});
