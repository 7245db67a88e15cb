// Incidents (src/engine/repeat-folding.ts): one incident per anomaly that goes on, at most
// three records (OPEN, ESCALATED, CLOSED), an accepted lasting change in exactly two, every
// flow counted in exactly one record, and the same records with or without a restore.
// Expected values worked out by hand in the comments.
import { beforeEach, describe, expect, it } from 'vitest';
import { alertId } from '../../src/engine/alert-builder.js';
import { Engine } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import { foldStateFromJSON, foldStateToJSON, RepeatFolder, type FoldState } from '../../src/engine/repeat-folding.js';
import { deserialiseDestination, destinationKey, foldsOf, newDestinationState, serialiseDestination } from '../../src/engine/state-store.js';
import type { Alert, StateChange } from '../../src/engine/types.js';
import { Prng } from '../../src/generate/prng.js';
import { flow, MIN, resetFlowIds, T0, testConfig } from './fixtures.js';

beforeEach(resetFlowIds);

const QUIET = 15 * MIN;
/** baseline.idle_ttl of config/example.yaml: the longest a held run waits out a sparse destination's silence. */
const TTL = 7 * 1440 * MIN;
/**
 * Flows the baseline expects in a held window (per window with traffic: the flows beyond one
 * are the rate per window). BUSY: a rate of 1 a window, 6 flows in 6 windows, so suppress_for
 * (15 windows) decides; SPARSE: a quiet hour's seasonal low, no rate at all, so idle_ttl.
 */
const BUSY = 2;
const SPARSE = 0.3;
const iso = (ms: number) => new Date(ms).toISOString();

/** A VOLUME_SPIKE alert on the window ending at T0 + `minute` minutes, expected 100 bytes. */
function volume(minute: number, observed: number, score: number, flows: number, reason: string): Alert {
  const end = T0 + minute * MIN;
  const a: Alert = {
    alert_id: '', type: 'VOLUME_SPIKE', severity: 'HIGH', destination: 'v.example', dst_country: 'FR', data_class: null, principal: null,
    gateway_id: 'gw-1', window_start_ms: end - MIN, window_end_ms: end, flow_count: flows, bytes: observed, observed, expected: 100,
    score, threshold: 6, reason, sample_flow_ids: [`${reason}-f`], config_version: 'c', detected_at_ms: end,
  };
  a.alert_id = alertId(a);
  return a;
}

function collector(): { out: Alert[]; emit: (a: Alert) => void } {
  const out: Alert[] = [];
  return { out, emit: (a) => out.push(a) };
}

describe('an incident escalates once when it doubles, then closes with the rest', () => {
  it('OPEN, ESCALATED, CLOSED: three records whose flows and bytes sum to the incident', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    const a1 = volume(1, 300, 8, 10, 'r1'); // 3x expected: the step is 6x
    const a2 = volume(2, 500, 9, 12, 'r2'); // 5x: folded
    const a3 = volume(3, 700, 10, 14, 'r3'); // 7x >= 2 x 3x: ESCALATED
    const a4 = volume(4, 2000, 12, 16, 'r4'); // 20x: folded (one escalation per incident)
    expect(folder.offer(folds, a1, emit)).toBe(T0 + 16 * MIN); // T0+1m + 15m
    expect(folder.offer(folds, a2, emit)).toBe(T0 + 17 * MIN);
    expect(folder.offer(folds, a3, emit)).toBe(T0 + 18 * MIN);
    expect(folder.offer(folds, a4, emit)).toBe(T0 + 19 * MIN);
    folder.closeDue(folds, T0 + 18 * MIN, emit); // still within the quiet period of a4
    expect(out).toHaveLength(2);
    folder.closeDue(folds, T0 + 19 * MIN, emit);
    expect(folds.size).toBe(0);

    const id = a1.alert_id;
    expect(out.map((a) => [a.incident_state, a.incident_id, a.severity, a.flow_count, a.bytes, a.detected_at_ms])).toEqual([
      ['OPEN', id, 'HIGH', 10, 300, T0 + MIN],
      ['ESCALATED', id, 'CRITICAL', 26, 1200, T0 + 3 * MIN], // a2 + a3
      ['CLOSED', id, 'CRITICAL', 16, 2000, T0 + 19 * MIN], // a4
    ]);
    expect(out[0]).toEqual({ ...a1, incident_id: id, incident_state: 'OPEN' });
    expect(out[1]).toMatchObject({
      window_start_ms: T0 + MIN, window_end_ms: T0 + 3 * MIN, observed: 700, expected: 100, score: 10, sample_flow_ids: ['r2-f', 'r3-f'],
      reason: `Incident ${id} (3 alerts, 36 flows, 1.5 KB from ${iso(T0)} to ${iso(T0 + 3 * MIN)}, peak score 10) escalated to CRITICAL: ` +
        '7.0x its expectation, at least 2 times the 3.0x it opened with. r3',
    });
    expect(out[2]).toMatchObject({
      window_start_ms: T0 + 3 * MIN, window_end_ms: T0 + 4 * MIN, observed: 2000, score: 12, sample_flow_ids: ['r4-f'],
      reason: `Incident ${id} (4 alerts, 52 flows, 3.5 KB from ${iso(T0)} to ${iso(T0 + 4 * MIN)}, peak score 12) closed: ` +
        'no alert of its kind for 15m (alerts.suppress_for). This record carries 1 more alert (16 flows, 2 KB); strongest: r4',
    });
    // Each record has an id of its own, from its own evidence.
    expect(new Set(out.map((a) => a.alert_id)).size).toBe(3);
    expect(out[1].alert_id).toBe(alertId(out[1]));
    expect(out.reduce((n, a) => n + a.flow_count, 0)).toBe(10 + 12 + 14 + 16);
    expect(out.reduce((n, a) => n + a.bytes, 0)).toBe(300 + 500 + 700 + 2000);
  });
});

describe('a volume run that ends', () => {
  it('stays open while the detector holds its run and closes at the first window back at baseline', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    const b1 = volume(1, 300, 8, 10, 'b1');
    const b2 = volume(2, 320, 8.5, 11, 'b2');
    folder.offer(folds, b1, emit);
    folder.offer(folds, b2, emit);
    // Undecided (a detector that keeps no run) changes nothing; holding pushes the quiet end on.
    expect(folder.settle(folds, T0 + 3 * MIN, undefined, BUSY, 0, emit)).toBeNull();
    expect(folder.settle(folds, T0 + 3 * MIN, true, BUSY, 0, emit)).toBe(T0 + 18 * MIN);
    expect(out).toHaveLength(1);
    expect(folder.settle(folds, T0 + 4 * MIN, false, BUSY, 0, emit)).toBeNull();
    expect(folds.size).toBe(0);
    expect(out.map((a) => [a.incident_state, a.flow_count, a.bytes, a.detected_at_ms])).toEqual([
      ['OPEN', 10, 300, T0 + MIN],
      ['CLOSED', 11, 320, T0 + 4 * MIN],
    ]);
    expect(out[1].reason).toBe(
      `Incident ${b1.alert_id} (2 alerts, 21 flows, 620 B from ${iso(T0)} to ${iso(T0 + 2 * MIN)}, peak score 8.5) closed: ` +
        `the window ending ${iso(T0 + 4 * MIN)} is back at its baseline. This record carries 1 more alert (11 flows, 320 B); strongest: b2`,
    );
  });

  it('both volume detectors fold into one incident per destination, every record of its opening type', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    const spike = volume(1, 300, 8, 10, 'spike');
    const creep = { ...volume(2, 350, 6, 20, 'creep'), type: 'SUSTAINED_INCREASE' as const };
    folder.offer(folds, spike, emit);
    folder.offer(folds, creep, emit);
    folder.closeDue(folds, T0 + 17 * MIN, emit);
    expect(out.map((a) => [a.type, a.incident_state, a.incident_id, a.flow_count, a.bytes])).toEqual([
      ['VOLUME_SPIKE', 'OPEN', spike.alert_id, 10, 300],
      ['VOLUME_SPIKE', 'CLOSED', spike.alert_id, 20, 350], // the creep's evidence, in the incident the spike opened
    ]);
    expect(out[1].reason.endsWith('strongest: creep')).toBe(true);
  });

  it('a run of one alert ends with its OPEN record: nothing was folded, so no CLOSED record', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    folder.offer(folds, volume(1, 300, 8, 10, 'one'), emit);
    folder.settle(folds, T0 + 2 * MIN, false, BUSY, 0, emit);
    expect(folds.size).toBe(0);
    expect(out.map((a) => a.incident_state)).toEqual(['OPEN']);
  });
});

describe('a lasting change accepted as the new normal', () => {
  it('gives exactly two records: OPEN, and CLOSED saying it was accepted, carrying everything folded', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    // A step to about 3x that stays: never twice the opening 3x, so no escalation.
    const steps = [volume(1, 300, 8, 10, 'c1'), volume(2, 320, 8.2, 10, 'c2'), volume(3, 290, 9, 10, 'c3'), volume(4, 310, 7.5, 10, 'c4')];
    for (const a of steps) folder.offer(folds, a, emit);
    const last = volume(5, 300, 7, 10, 'accepted-note');
    expect(folder.offer(folds, last, emit, true)).toBeNull();
    expect(folds.size).toBe(0);
    expect(out.map((a) => [a.incident_state, a.incident_id, a.flow_count, a.bytes])).toEqual([
      ['OPEN', steps[0].alert_id, 10, 300],
      ['CLOSED', steps[0].alert_id, 40, 1220], // c2 + c3 + c4 + the note's window
    ]);
    expect(out[1].reason).toBe(
      `accepted-note Incident ${steps[0].alert_id} (5 alerts, 50 flows, 1.52 KB from ${iso(T0)} to ${iso(T0 + 5 * MIN)}, peak score 9) ` +
        'closed: accepted as the new normal. This record carries 4 more alerts (40 flows, 1.22 KB); strongest: c3',
    );
  });
});

describe('silence during a held volume run', () => {
  /** The window [end - 1m, end) of a held window's own evidence. */
  const win = (minute: number, flows: number, bytes: number) => ({ start_ms: T0 + (minute - 1) * MIN, end_ms: T0 + minute * MIN, flows, bytes });

  it('a sparse destination: silence longer than suppress_for keeps the incident open, and the acceptance closes it', () => {
    // The cdn-4 case: a run opens, the destination then sends a window every 20-30 minutes.
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    const open = volume(1, 300, 8, 10, 'open');
    expect(folder.offer(folds, open, emit, false, win(1, 10, 300))).toBe(T0 + 16 * MIN);
    // Its baseline expects 0.3 flows a window: silence says nothing; it waits for the next window (at most idle_ttl).
    expect(folder.settle(folds, T0 + MIN, true, SPARSE, 0, emit)).toBe(T0 + MIN + TTL);
    folder.closeDue(folds, T0 + 16 * MIN, emit); // the quiet end a busy destination would have had
    expect(folds.size).toBe(1);
    // 25 minutes later one held window with no alert; 23 minutes after that the detector accepts.
    expect(folder.settle(folds, T0 + 26 * MIN, true, SPARSE, 0, emit)).toBe(T0 + 26 * MIN + TTL);
    folder.closeDue(folds, T0 + 41 * MIN, emit);
    const note = volume(49, 290, 2, 3, 'note');
    expect(folder.offer(folds, note, emit, true, win(49, 3, 290))).toBeNull();
    expect(folds.size).toBe(0);
    // Two records, one incident: the note closes the incident the run opened (no lone CLOSED note).
    expect(out.map((a) => [a.incident_state, a.incident_id, a.flow_count, a.bytes, a.detected_at_ms])).toEqual([
      ['OPEN', open.alert_id, 10, 300, T0 + MIN],
      ['CLOSED', open.alert_id, 3, 290, T0 + 49 * MIN],
    ]);
    // 10 + 3 flows, 300 + 290 B, from the open window's start to the note window's end.
    expect(out[1].reason).toBe(
      `note Incident ${open.alert_id} (2 alerts, 13 flows, 590 B from ${iso(T0)} to ${iso(T0 + 49 * MIN)}, peak score 8) ` +
        'closed: accepted as the new normal. This record carries 1 more alert (3 flows, 290 B); strongest: note',
    );
  });

  it('a busy destination: suppress_for of silence means its traffic is back down; a later note is an incident of one record', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    const b1 = volume(1, 300, 8, 10, 'b1');
    const b2 = volume(2, 320, 8.5, 11, 'b2');
    folder.offer(folds, b1, emit, false, win(1, 10, 300));
    folder.offer(folds, b2, emit, false, win(2, 11, 320));
    // Its baseline expects 2 flows a window: 15 minutes without one is evidence.
    expect(folder.settle(folds, T0 + 2 * MIN, true, BUSY, 0, emit)).toBe(T0 + 17 * MIN);
    folder.closeDue(folds, T0 + 16 * MIN, emit);
    expect(out).toHaveLength(1);
    folder.closeDue(folds, T0 + 17 * MIN, emit);
    expect(folds.size).toBe(0);
    expect(out[1]).toMatchObject({ incident_state: 'CLOSED', incident_id: b1.alert_id, flow_count: 11, bytes: 320, detected_at_ms: T0 + 17 * MIN });
    expect(out[1].reason).toBe(
      `Incident ${b1.alert_id} (2 alerts, 21 flows, 620 B from ${iso(T0)} to ${iso(T0 + 2 * MIN)}, peak score 8.5) closed: ` +
        `its destination has sent nothing since ${iso(T0 + 2 * MIN)}, for 15m, in which its baseline expected at least 6 flows ` +
        '(and at least alerts.suppress_for): its traffic is back down. This record carries 1 more alert (11 flows, 320 B); strongest: b2',
    );
    // Traffic comes back and the detector, which never saw the silence, accepts its run: nothing
    // is open, so the note goes out as an incident of its own, CLOSED, and says why.
    const note = volume(40, 310, 3, 4, 'note');
    expect(folder.offer(folds, note, emit, true, win(40, 4, 310))).toBeNull();
    expect(folds.size).toBe(0);
    expect(out[2]).toEqual({
      ...note,
      reason: "note No incident of its run was still open (it ended on its destination's silence, or before incidents were kept): this record is " +
        'an incident of its own, closed as it opens.',
      incident_id: note.alert_id,
      incident_state: 'CLOSED',
    });
  });

  it('a sparse destination that never sends again: closed after baseline.idle_ttl', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    const c1 = volume(1, 300, 8, 10, 'c1');
    const c2 = volume(2, 320, 8.5, 11, 'c2');
    folder.offer(folds, c1, emit, false, win(1, 10, 300));
    folder.offer(folds, c2, emit, false, win(2, 11, 320));
    expect(folder.settle(folds, T0 + 2 * MIN, true, SPARSE, 0, emit)).toBe(T0 + 2 * MIN + TTL);
    folder.closeDue(folds, T0 + 2 * MIN + TTL - MIN, emit);
    expect(folds.size).toBe(1);
    folder.closeDue(folds, T0 + 2 * MIN + TTL, emit);
    expect(folds.size).toBe(0);
    expect(out.map((a) => [a.incident_state, a.incident_id, a.flow_count, a.bytes, a.detected_at_ms])).toEqual([
      ['OPEN', c1.alert_id, 10, 300, T0 + MIN],
      ['CLOSED', c1.alert_id, 11, 320, T0 + 2 * MIN + TTL],
    ]);
    expect(out[1].reason).toBe(
      `Incident ${c1.alert_id} (2 alerts, 21 flows, 620 B from ${iso(T0)} to ${iso(T0 + 2 * MIN)}, peak score 8.5) closed: ` +
        `its destination has sent nothing since ${iso(T0 + 2 * MIN)}, for 7d (baseline.idle_ttl): its detectors still held the run, ` +
        'but the destination has gone quiet. This record carries 1 more alert (11 flows, 320 B); strongest: c2',
    );
  });

  it('the latest held window decides: a busy window after a sparse stretch brings the end back to suppress_for', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const folds: FoldState = new Map();
    const { emit } = collector();
    folder.offer(folds, volume(1, 300, 8, 10, 'd1'), emit);
    expect(folder.settle(folds, T0 + MIN, true, SPARSE, 0, emit)).toBe(T0 + MIN + TTL);
    expect(folder.settle(folds, T0 + 5 * MIN, true, BUSY, 0, emit)).toBe(T0 + 20 * MIN);
    expect(folder.settle(folds, T0 + 6 * MIN, true, SPARSE, 0, emit)).toBe(T0 + 6 * MIN + TTL);
    // Windows that expect exactly their one flow: no rate beyond it, idle_ttl.
    expect(folder.settle(folds, T0 + 7 * MIN, true, 1, 0, emit)).toBe(T0 + 7 * MIN + TTL);
    // 1.05 expected: a rate of 0.05 a window, 6 flows in 120 windows (longer than suppress_for).
    expect(folder.settle(folds, T0 + 8 * MIN, true, 1.05, 0, emit)).toBe(T0 + 128 * MIN);
    // 1.25: 0.25 a window, 6 flows in 24 windows, longer than suppress_for's 15.
    expect(folder.settle(folds, T0 + 9 * MIN, true, 1.25, 0, emit)).toBe(T0 + 33 * MIN);
    // 1.5: 0.5 a window, 6 flows in 12 windows, so suppress_for's 15 decide.
    expect(folder.settle(folds, T0 + 9 * MIN, true, 1.5, 0, emit)).toBe(T0 + 24 * MIN);
    // One flow expected, but 95 % of the history's windows carried traffic (a poller): a rate of
    // 0.95, 6 flows in 7 windows, so suppress_for decides; at 89 % (under BUSY_SHARE) idle_ttl.
    expect(folder.settle(folds, T0 + 10 * MIN, true, 1, 0.95, emit)).toBe(T0 + 25 * MIN);
    expect(folder.settle(folds, T0 + 11 * MIN, true, 1, 0.89, emit)).toBe(T0 + 11 * MIN + TTL);
    // A quiet end off the window grid rounds up to the next boundary: 10m + 15.5m -> 26m.
    const halfWindows = new RepeatFolder(MIN, QUIET + MIN / 2, TTL);
    halfWindows.offer(folds, volume(10, 300, 8, 10, 'd2'), emit);
    expect(halfWindows.settle(folds, T0 + 10 * MIN, true, BUSY, 0, emit)).toBe(T0 + 26 * MIN);
  });

  it('the held end and the start of the silence survive the changelog; an entry written without them closes as before', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const unbroken = collector();
    const folds: FoldState = new Map();
    const state = newDestinationState();
    const restored = collector();
    for (const [f, emit] of [[folds, unbroken.emit], [foldsOf(state), restored.emit]] as const) {
      folder.offer(f, volume(1, 300, 8, 10, 'e1'), emit);
      folder.offer(f, volume(2, 320, 8.5, 11, 'e2'), emit);
      folder.settle(f, T0 + 2 * MIN, true, SPARSE, 0, emit);
    }
    const text = serialiseDestination(state);
    const back = deserialiseDestination(text);
    expect(serialiseDestination(back)).toBe(text);
    expect(foldsOf(back).get('volume')).toMatchObject({ until: T0 + 2 * MIN + TTL, quietFrom: T0 + 2 * MIN });
    folder.closeDue(folds, T0 + 2 * MIN + TTL, unbroken.emit);
    folder.closeDue(foldsOf(back), T0 + 2 * MIN + TTL, restored.emit);
    expect(restored.out).toEqual(unbroken.out);
    expect(restored.out.map((a) => a.incident_state)).toEqual(['OPEN', 'CLOSED']);
    // The entry as the code before this rule wrote it (no 15th element): the quiet period's reason.
    const json = foldStateToJSON(foldsOf(deserialiseDestination(text))) as Array<[string, unknown[]]>;
    expect(json[0][1]).toHaveLength(15);
    const older = foldStateFromJSON([[json[0][0], json[0][1].slice(0, 14)]]);
    const { out, emit } = collector();
    folder.closeDue(older, T0 + 2 * MIN + TTL, emit);
    expect(out[0].reason).toContain('closed: no alert of its kind for 15m (alerts.suppress_for).');
  });

  it('through the engine: a held incident keeps its sparse destination from idle expiry until it closes', () => {
    // baseline.idle_ttl 2h. The destination's last flow at T0+30s; its incident held on the window ending T0+1m.
    const config = testConfig('baseline: {idle_ttl: 2h}\nalerts: {suppress_for: 15m}');
    const folder = new RepeatFolder(MIN, QUIET, 120 * MIN);
    const state = newDestinationState();
    state.lastSeen = T0 + 30_000;
    const { out: before, emit } = collector();
    const first = volume(1, 300, 8, 10, 'h1');
    folder.offer(foldsOf(state), first, emit, false, win(1, 10, 300));
    folder.offer(foldsOf(state), { ...volume(1, 300, 7, 10, 'h1-creep'), type: 'SUSTAINED_INCREASE' }, emit, false, win(1, 10, 300));
    expect(folder.settle(foldsOf(state), T0 + MIN, true, SPARSE, 0, emit)).toBe(T0 + 121 * MIN);
    expect(before.map((a) => a.incident_state)).toEqual(['OPEN']);
    const engine = new Engine(config);
    engine.restore([{ key: destinationKey('v.example'), value: serialiseDestination(state) }]);
    // Idle sweeps at 10:00 and 11:00 (T0+60m, +120m): the incident is open, the destination stays.
    expect(engine.advance(T0 + 120 * MIN)).toEqual([]);
    expect(engine.destinationCount).toBe(1);
    // At T0+121m it closes (the creep's alert on the same window was folded: 0 more flows, the window counted once).
    const closed = engine.advance(T0 + 121 * MIN);
    expect(closed.map((a) => [a.type, a.incident_state, a.incident_id, a.flow_count, a.bytes, a.detected_at_ms])).toEqual([
      ['VOLUME_SPIKE', 'CLOSED', first.alert_id, 0, 0, T0 + 121 * MIN],
    ]);
    expect(closed[0].reason).toContain(`closed: its destination has sent nothing since ${iso(T0 + MIN)}, for 2h (baseline.idle_ttl)`);
    expect(engine.destinationCount).toBe(1);
    // The next sweep (12:00) forgets it: not seen for 2h, nothing open.
    expect(engine.advance(T0 + 180 * MIN)).toEqual([]);
    expect(engine.destinationCount).toBe(0);
  });
});

describe('a lasting step on a sparse destination through the engine', () => {
  /** One flow every 20 minutes for 3 days at 2 MB (+-20 %), then 10 MB each for 8 hours: no window for longer than suppress_for. */
  function sparseFlows() {
    const rnd = Prng.fromSeed(5);
    const step = T0 + 3 * 1440 * MIN;
    const flows = [];
    for (let m = 0; m < 3 * 1440 + 8 * 60; m += 20) {
      const t = T0 + m * MIN;
      const bytes = Math.round((t < step ? 2e6 : 10e6) * (0.8 + 0.4 * rnd.uniform()));
      flows.push(flow({ flow_id: `s${m}`, end_ms: t + 10_000, bytes_out: bytes, data_class: null, principal: null, dst_host: 'sparse.example' }));
    }
    return { flows, step };
  }

  it('one incident, OPEN then CLOSED by the acceptance, the same at every restart cut', () => {
    const config = testConfig('alerts: {suppress_for: 15m}');
    const { flows, step } = sparseFlows();
    const unbroken = new Pipeline(config);
    const out = [...flows.flatMap((f) => unbroken.push(f)), ...unbroken.finish()];
    // The spike detector opens the run on the step's first window [step, step+1m) and alerts
    // again on the windows at +20m and +40m (folded: the baseline expects about one flow a
    // window with traffic, no rate beyond it, so the 19-minute silences keep the incident open);
    // its accept_after (1h) is reached on the window ending at +61m, whose note closes the
    // incident with the 3 windows since the OPEN record.
    // Before this rule each of the 20-minute gaps closed the incident (suppress_for 15m): three
    // OPEN records and the note as a lone CLOSED record.
    expect(out.map((a) => [a.type, a.incident_state, a.incident_id, a.flow_count, a.window_start_ms - step, a.detected_at_ms - step])).toEqual([
      ['VOLUME_SPIKE', 'OPEN', out[0].alert_id, 1, 0, MIN],
      ['VOLUME_SPIKE', 'CLOSED', out[0].alert_id, 3, 20 * MIN, 61 * MIN],
    ]);
    expect(out[1].reason).toContain('it is now accepted as the new normal baseline.');
    expect(out[1].reason).toContain(`Incident ${out[0].alert_id} (4 alerts, 4 flows,`);
    expect(out[1].reason).toContain('closed: accepted as the new normal. This record carries 3 more alerts (3 flows,');
    // A restart at every cut from the last flow before the step to the end.
    const first = flows.findIndex((f) => f.end_ms >= step) - 1;
    for (let cut = first; cut < flows.length; cut++) {
      const before = new Pipeline(config);
      const head = flows.slice(0, cut).flatMap((f) => before.push(f));
      const engine = new Engine(config);
      engine.restore(JSON.parse(JSON.stringify(before.engine.snapshot())) as StateChange[]);
      const after = Pipeline.resume(config, engine);
      const tail = [...flows.slice(cut).flatMap((f) => after.push(f)), ...after.finish()];
      expect(JSON.stringify([...head, ...tail])).toBe(JSON.stringify(out));
    }
  });

  it('an input that ends while the run is held: the final flush closes the incident', () => {
    const config = testConfig('alerts: {suppress_for: 15m}');
    const { flows, step } = sparseFlows();
    // The input ends with the step's third flow (step + 40m 10s): the run is held, no window will come.
    const p = new Pipeline(config);
    const out = [...flows.filter((f) => f.end_ms < step + 41 * MIN).flatMap((f) => p.push(f)), ...p.finish()];
    // The flush runs event time to the last flow + 1m + 15m + 1m = step + 57m 10s and closes
    // the incident there with the windows at +20m and +40m (1 flow each).
    const end = step + 57 * MIN + 10_000;
    const stepBytes = flows.filter((f) => f.end_ms >= step && f.end_ms < step + 41 * MIN).map((f) => f.bytes_out);
    expect(stepBytes).toHaveLength(3);
    expect(out.map((a) => [a.type, a.incident_state, a.incident_id, a.flow_count, a.window_start_ms - step, a.window_end_ms - step, a.detected_at_ms - step])).toEqual([
      ['VOLUME_SPIKE', 'OPEN', out[0].alert_id, 1, 0, MIN, MIN],
      ['VOLUME_SPIKE', 'CLOSED', out[0].alert_id, 2, 20 * MIN, 41 * MIN, end - step],
    ]);
    // Nothing dropped: the two records carry the three flows' bytes.
    expect(out[0].bytes + out[1].bytes).toBe(stepBytes[0] + stepBytes[1] + stepBytes[2]);
    expect(out[1].reason).toContain(`Incident ${out[0].alert_id} (3 alerts, 3 flows, `);
    expect(out[1].reason).toContain(`from ${iso(step)} to ${iso(step + 41 * MIN)}, peak score `);
    expect(out[1].reason).toContain('closed: the input ended while its detectors still held the run (the final flush). This record carries 2 more alerts (2 flows,');
    expect(p.engine.snapshot().filter((c) => c.key.startsWith('d:')).map((c) => JSON.parse(c.value!).sup)).toEqual([[]]);
  });
});

/**
 * A poller: one flow a minute at 2 MB (+-20 %) for `before` minutes, then `rise` minutes of
 * `riseBytes(minutes since the rise)`, then nothing from it while event time goes on elsewhere
 * (another destination) for two days: no final flush. Its records, and the end of its last window.
 */
function pollerThenSilence(before: number, rise: number, riseBytes: (m: number) => number): { poller: Alert[]; rise: number; last: number } {
  const config = testConfig('alerts: {suppress_for: 15m}');
  const rnd = Prng.fromSeed(7);
  const at = T0 + before * MIN;
  const p = new Pipeline(config);
  const out: Alert[] = [];
  for (let m = 0; m < before + rise; m++) {
    const bytes = Math.round((m < before ? 2e6 : riseBytes(m - before)) * (0.8 + 0.4 * rnd.uniform()));
    out.push(...p.push(flow({ flow_id: `p${m}`, end_ms: T0 + m * MIN + 10_000, bytes_out: bytes, data_class: null, principal: null, dst_host: 'poller.example' })));
  }
  const last = at + rise * MIN;
  for (let m = 0; m < 2 * 1440; m += 5) {
    out.push(...p.push(flow({ flow_id: `o${m}`, end_ms: last + m * MIN + 10_000, bytes_out: 1000, data_class: null, principal: null, dst_host: 'other.example' })));
  }
  return { poller: out.filter((a) => a.destination === 'poller.example'), rise: at, last };
}

describe('a poller (one flow in every window) that falls silent after a rise', () => {
  it('closes its incident suppress_for after its last window, as a busy destination does, not after idle_ttl', () => {
    // 3 days at 2 MB a minute, then 30 minutes at 10 MB, then nothing. Every window expects
    // exactly one flow, as a sparse destination's do; but its history's windows all carried
    // traffic (busy share 1 >= 0.9), so the silence is evidence.
    const { poller, rise, last } = pollerThenSilence(3 * 1440, 30, () => 10e6);
    expect(poller.map((a) => [a.incident_state, a.incident_id])).toEqual([
      ['OPEN', poller[0].alert_id],
      ['CLOSED', poller[0].alert_id],
    ]);
    expect(poller[0].window_start_ms).toBe(rise);
    // Closed at the window boundary suppress_for after its last window, saying why.
    expect(poller[1].detected_at_ms).toBe(last + 15 * MIN);
    expect(poller[1].reason).toContain(`closed: its destination has sent nothing since ${iso(last)}, for 15m, in which its baseline expected at least 6 flows`);
  });
});

describe('a held run whose incident ends on its destination\'s silence', () => {
  it('ends with it: the detectors forget the run, so the windows after the silence continue no run and no note accepts it', () => {
    // 3 days at 2 MB a minute, 30 minutes at 10 MB (VOLUME_SPIKE alerts and holds its run),
    // then nothing from the poller while another destination moves event time on.
    const p = new Pipeline(testConfig('alerts: {suppress_for: 15m}'));
    const rnd = Prng.fromSeed(7);
    const before = 3 * 1440;
    const out: Alert[] = [];
    for (let m = 0; m < before + 30; m++) {
      const bytes = Math.round((m < before ? 2e6 : 10e6) * (0.8 + 0.4 * rnd.uniform()));
      out.push(...p.push(flow({ flow_id: `p${m}`, end_ms: T0 + m * MIN + 10_000, bytes_out: bytes, data_class: null, principal: null, dst_host: 'poller.example' })));
    }
    const last = T0 + (before + 30) * MIN;
    /** The start of VOLUME_SPIKE's run (its episode's first number), null when none is open. */
    const run = () => {
      const entry = p.engine.snapshot().find((c) => c.key === destinationKey('poller.example'));
      return JSON.parse(entry!.value!).det.volume_spike[0];
    };
    const other = (m: number) => p.push(flow({ flow_id: `o${m}`, end_ms: last + m * MIN + 10_000, bytes_out: 1000, data_class: null, principal: null, dst_host: 'other.example' }));
    for (let m = 0; m < 10; m++) out.push(...other(m));
    // 10 minutes into the silence: the incident is open and the run held since the rise.
    expect(run()).toBe(T0 + before * MIN);
    for (let m = 10; m < 30; m++) out.push(...other(m));
    // suppress_for (15m) after its last window the incident closed on the silence, and the run ended with it
    // (before, it stayed open until a window of the poller's judged it, however much later).
    const poller = out.filter((a) => a.destination === 'poller.example');
    expect(poller.at(-1)!.incident_state).toBe('CLOSED');
    expect(poller.at(-1)!.detected_at_ms).toBe(last + 15 * MIN);
    expect(run()).toBeNull();
  });
});

describe('a young poller whose rise is held for more than a tenth of its history', () => {
  it('counts the held windows as windows with traffic: closes suppress_for after its last window, not after idle_ttl', () => {
    // 150 minutes at 2 MB a minute, then 45 minutes rising from 10 MB by 10 MB every 10 minutes
    // (held), then nothing. At the last window the windows learnt are about 150 of its 194
    // minutes of history (0.77, under BUSY_SHARE: the held rise is not learnt) and the incident
    // waited for idle_ttl (7 days); with the held run counted, 1.
    const { poller, rise, last } = pollerThenSilence(150, 45, (m) => 10e6 * (1 + m / 10));
    expect(poller.map((a) => [a.incident_state, a.incident_id])).toEqual([
      ['OPEN', poller[0].alert_id],
      ['ESCALATED', poller[0].alert_id],
      ['CLOSED', poller[0].alert_id],
    ]);
    expect(poller[0].window_start_ms).toBe(rise);
    expect(poller[2].detected_at_ms).toBe(last + 15 * MIN);
    expect(poller[2].reason).toContain(`closed: its destination has sent nothing since ${iso(last)}, for 15m`);
  });
});

describe('a lasting step through the engine', () => {
  /** Two days at 20 MB a minute, then 100 MB a minute for 6 hours, three flows a minute (+-20 % noise). */
  function step(suppressFor: string): { alerts: Alert[]; step: number } {
    const p = new Pipeline(testConfig(`  volume_spike: {accept_after: 2h}\n  sustained_increase: {accept_after: 2h}\nalerts: {suppress_for: ${suppressFor}}`));
    const rnd = Prng.fromSeed(3);
    const at = T0 + 2 * 1440 * MIN;
    const alerts: Alert[] = [];
    for (let m = 0; m < 2 * 1440 + 6 * 60; m++) {
      const t = T0 + m * MIN;
      const level = t < at ? 20e6 : 100e6;
      for (let k = 0; k < 3; k++) {
        const bytes = Math.round((level / 3) * (0.8 + 0.4 * rnd.uniform()));
        alerts.push(...p.push(flow({ flow_id: `v${m}-${k}`, end_ms: t + 10_000 + k * 1000, bytes_out: bytes, data_class: null, principal: null })));
      }
    }
    alerts.push(...p.finish());
    return { alerts, step: at };
  }

  it('accept_after 2h: two records in all, OPEN and CLOSED accepted, each alerted window counted once', () => {
    const { alerts: out, step: at } = step('15m');
    // The spike detector opens it on the step's first window; both detectors' alerts fold into
    // it; the spike detector accepts the new level on the window ending 2 hours after the run
    // began, and that note closes the incident (the creep detector's alert on that same window
    // folds in first).
    expect(out.map((a) => [a.type, a.incident_state, a.window_start_ms - at, a.detected_at_ms - at])).toEqual([
      ['VOLUME_SPIKE', 'OPEN', 0, MIN],
      ['VOLUME_SPIKE', 'CLOSED', MIN, 120 * MIN],
    ]);
    expect(out[1].incident_id).toBe(out[0].alert_id);
    // The spike detector's final note: the accepting window's own figures (its distance need not
    // be above the threshold, so no "> threshold"), then the run's start (the step) and the
    // level it settled at: 100 MB against 20 MB, 5x, within the +-20 % noise.
    const note = /^Volume baseline of api\.example\.eu \(detectors\.volume_spike\): .* sent in one 1m window against .*; Mahalanobis distance \d+\.\d\d \(threshold 6\)\. The rise that opened at (\S+) has stayed near (\d+\.\d\d)x the expected bytes without growing for 2h \(detectors\.volume_spike\.accept_after, 2h, or as long as it grew after it opened, up to 6h\): it is now accepted as the new normal baseline\. Incident /;
    const [, opened, level] = note.exec(out[1].reason) ?? [];
    expect(opened).toBe(new Date(at).toISOString());
    expect(Number(level)).toBeGreaterThan(4);
    expect(Number(level)).toBeLessThan(6);
    expect(out[1].reason).toContain('closed: accepted as the new normal.');
    // Reference: the same traffic with incidents off. Each window either detector alerted on
    // holds 3 flows; the incident counts each such window once (the creep detector's alert
    // spans its whole run, which the spike detector's windows already count).
    const raw = step('0s').alerts.filter((a) => a.detected_at_ms <= at + 120 * MIN);
    const windows = new Set(raw.map((a) => a.window_end_ms));
    expect(raw.some((a) => a.type === 'SUSTAINED_INCREASE')).toBe(true);
    expect(out[0].flow_count + out[1].flow_count).toBe(3 * windows.size);
  });
});

describe('incidents off', () => {
  it('suppress_for 0: every alert goes out as it is, with no incident fields', () => {
    const folder = new RepeatFolder(MIN, 0, TTL);
    const folds: FoldState = new Map();
    const { out, emit } = collector();
    const a = volume(1, 300, 8, 10, 'x');
    expect(folder.offer(folds, a, emit)).toBeNull();
    expect(folder.offer(folds, a, emit)).toBeNull();
    expect(out).toEqual([a, a]);
    expect(folds.size).toBe(0);
  });
});

describe('incident state in the changelog', () => {
  it('round-trips through the destination entry; continuing from it gives the same records', () => {
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const alerts = [volume(1, 300, 8, 10, 'a'), volume(2, 700, 9, 10, 'b'), volume(3, 400, 8, 10, 'c')];
    const unbroken = collector();
    const folds: FoldState = new Map();
    for (const a of alerts) folder.offer(folds, a, unbroken.emit);
    folder.closeDue(folds, T0 + 30 * MIN, unbroken.emit);

    const restored = collector();
    const state = newDestinationState();
    folder.offer(foldsOf(state), alerts[0], restored.emit);
    folder.offer(foldsOf(state), alerts[1], restored.emit); // escalates (7x >= 2 x 3x)
    folder.offer(foldsOf(state), alerts[2], restored.emit);
    const text = serialiseDestination(state);
    const back = deserialiseDestination(text);
    expect(serialiseDestination(back)).toBe(text);
    folder.closeDue(foldsOf(back), T0 + 30 * MIN, restored.emit);
    expect(restored.out).toEqual(unbroken.out);
    expect(unbroken.out.map((a) => a.incident_state)).toEqual(['OPEN', 'ESCALATED', 'CLOSED']);
  });

  it('a folding interval written before incidents reads as an open incident and closes with its repeats', () => {
    const folded = volume(2, 500, 9, 12, 'old');
    const folds = foldStateFromJSON([['SUSTAINED_INCREASE\u0000\u0000', [T0 + 16 * MIN, 'first-id', 1, folded]]]);
    const { out, emit } = collector();
    new RepeatFolder(MIN, QUIET, TTL).closeDue(folds, T0 + 16 * MIN, emit);
    // Its type is the interval's (from its key), as every record of an incident keeps its opening type.
    expect(out.map((a) => [a.type, a.incident_id, a.incident_state, a.flow_count, a.bytes, a.detected_at_ms])).toEqual([['SUSTAINED_INCREASE', 'first-id', 'CLOSED', 12, 500, T0 + 16 * MIN]]);
    expect(JSON.stringify(foldStateToJSON(folds))).toBe('[]');
  });

  it('an open incident costs under 1 KB of the destination entry; a destination with none carries nothing', () => {
    const state = newDestinationState();
    const empty = serialiseDestination(state);
    expect(JSON.parse(empty).sup).toEqual([]); // the steady state (no open incident): as before incidents
    const folder = new RepeatFolder(MIN, QUIET, TTL);
    const { emit } = collector();
    // Reasons as long as the engine's longest on the generator's traffic (about 450 characters)
    // and a full sample list: the folded evidence is what an open incident keeps.
    const samples = Array.from({ length: 10 }, (_, i) => `gw-fra-1-0000000${i}`);
    for (const type of ['RESIDENCY_VIOLATION', 'GATEWAY_BYPASS', 'VOLUME_SPIKE'] as const) {
      for (const m of [1, 2]) {
        const a = { ...volume(m, 300, 8, 10, 'x'.repeat(450)), type, sample_flow_ids: samples };
        folder.offer(foldsOf(state), a, emit);
      }
    }
    const folds = foldsOf(state);
    expect(folds.size).toBe(3);
    const perIncident = JSON.stringify(foldStateToJSON(folds)).length / folds.size;
    expect(perIncident).toBeLessThan(1024);
    expect(serialiseDestination(state).length - empty.length).toBe(JSON.stringify(foldStateToJSON(folds)).length - 2);
  });
});

describe('restore in the middle of an open incident', () => {
  it('gives byte for byte the records of a run without a restore', () => {
    const config = testConfig('alerts: {suppress_for: 15m}');
    const us = { dst_host: 'x.example', dst_country: 'US' };
    const flows = [0, 3, 6, 9, 40, 41].map((m, i) => flow({ ...us, flow_id: `r${i}`, end_ms: T0 + m * MIN, bytes_out: 100 * (i + 1) }));
    const unbroken = new Pipeline(config);
    const expected = [...flows.flatMap((f) => unbroken.push(f)), ...unbroken.finish()];
    // Two incidents: flows 0-9m (OPEN + CLOSED of 3 repeats) and 40-41m (OPEN + CLOSED of 1).
    expect(expected.map((a) => [a.incident_state, a.flow_count, a.bytes])).toEqual([
      ['OPEN', 1, 100],
      ['CLOSED', 3, 900],
      ['OPEN', 1, 500],
      ['CLOSED', 1, 600],
    ]);
    for (const cut of [1, 2, 3, 5]) {
      const first = new Pipeline(config);
      const before = flows.slice(0, cut).flatMap((f) => first.push(f));
      const snapshot = JSON.parse(JSON.stringify(first.engine.snapshot())) as StateChange[];
      const engine = new Engine(config);
      engine.restore(snapshot);
      const second = Pipeline.resume(config, engine);
      const after = [...flows.slice(cut).flatMap((f) => second.push(f)), ...second.finish()];
      expect(JSON.stringify([...before, ...after])).toBe(JSON.stringify(expected));
    }
  });
});
