// baseline.idle_ttl's sweep: an idle destination nothing keeps is deleted; one whose
// NEW_DESTINATION state knows a class becomes dormant once and is left alone afterwards.
import { describe, expect, it } from 'vitest';
import { N } from '../../src/detectors/baseline/layout.js';
import { newBaseline } from '../../src/detectors/baseline/seasonal-baseline.js';
import type { KnownClasses } from '../../src/detectors/new-destination.js';
import { FlowDedup } from '../../src/engine/dedup.js';
import { expireIdle, isDormant } from '../../src/engine/idle-expiry.js';
import { flowIdHash, RecentIds } from '../../src/engine/recent-ids.js';
import { newDestinationState, serialiseDestination, type DestinationState } from '../../src/engine/state-store.js';
import { openWindow } from '../../src/engine/window.js';

const T0 = Date.UTC(2026, 2, 2, 0, 10); // 2026-03-02T00:10Z
const HOUR = 3_600_000;
const TTL = 2 * HOUR;

/** A destination last seen at T0 that has learnt 5 windows, with one flow id; `classes` received. */
function used(classes: string[]): DestinationState {
  const s = newDestinationState();
  s.lastSeen = T0;
  s.baseline[N] = 5;
  (s.detectors.sustained_increase as Float64Array)[0] = 7; // a window detector's state that has learnt
  (s.detectors.new_destination as KnownClasses).classes = classes;
  s.ids = RecentIds.of(flowIdHash('f1'), T0);
  return s;
}

/** The dormant destinations' extra wait (baseline.dormant_ttl). */
const DORMANT_TTL = 30 * 24 * HOUR;
const ALL_ENABLED = (): boolean => true;

function sweep(dests: Map<string, DestinationState>, watermark: number, enabled: (key: string) => boolean = ALL_ENABLED): { touched: string[]; expired: number; dormant: number } {
  const touched: string[] = [];
  const r = expireIdle(dests, watermark, { ttl: TTL, dormantTtl: DORMANT_TTL, enabled }, new FlowDedup(10 * 60_000), (d) => touched.push(d));
  return { touched, expired: r.expired, dormant: r.dormant };
}

describe('expireIdle', () => {
  it('drops a dormant destination once idle dormant_ttl past idle_ttl, and keeps nothing for a detector switched off', () => {
    const dests = new Map([['api.idle.de', used(['eu_user_data'])]]);
    expect(sweep(dests, T0 + TTL)).toEqual({ touched: ['api.idle.de'], expired: 0, dormant: 1 });
    // Still dormant 1 ms before T0 + 2h + 30d; dropped at it (its changelog entry deleted).
    expect(sweep(dests, T0 + TTL + DORMANT_TTL - 1)).toEqual({ touched: [], expired: 0, dormant: 0 });
    expect(sweep(dests, T0 + TTL + DORMANT_TTL)).toEqual({ touched: ['api.idle.de'], expired: 1, dormant: 0 });
    expect(dests.size).toBe(0);
    // With new_destination disabled, its classes keep nothing: deleted at once.
    const off = new Map([['api.idle.de', used(['eu_user_data'])]]);
    expect(sweep(off, T0 + TTL, (key) => key !== 'new_destination')).toEqual({ touched: ['api.idle.de'], expired: 1, dormant: 0 });
    expect(off.size).toBe(0);
  });

  it('makes an idle classified destination dormant once, deletes an unclassified one', () => {
    const classified = used(['eu_user_data']);
    const dests = new Map([
      ['api.idle.de', classified],
      ['plain.example', used([])],
    ]);
    // At T0 + 2h - 1ms neither is idle yet; their flow ids (10m horizon) go.
    expect(sweep(dests, T0 + TTL - 1)).toEqual({ touched: ['api.idle.de', 'plain.example'], expired: 0, dormant: 0 });
    expect(dests.get('api.idle.de')).toBe(classified);
    expect(classified.ids).toBeUndefined();

    expect(sweep(dests, T0 + TTL)).toEqual({ touched: ['api.idle.de', 'plain.example'], expired: 1, dormant: 1 });
    expect([...dests.keys()]).toEqual(['api.idle.de']);
    const dormant = dests.get('api.idle.de')!;
    expect(dormant).not.toBe(classified);
    // A fresh state with the classes and the last-seen time, built independently.
    const expected = newDestinationState();
    expected.lastSeen = T0;
    (expected.detectors.new_destination as KnownClasses).classes = ['eu_user_data'];
    expect(serialiseDestination(dormant)).toBe(serialiseDestination(expected));
    expect(Array.from(dormant.baseline)).toEqual(Array.from(newBaseline()));
    expect(Array.from(dormant.detectors.sustained_increase as Float64Array)).toEqual(Array.from(newDestinationState().detectors.sustained_increase as Float64Array));
    // The fresh detector states share the new state's one buffer (packed-state.ts), not the old one's.
    expect((dormant.detectors.sustained_increase as Float64Array).buffer).toBe(dormant.baseline.buffer);
    expect(isDormant(dormant)).toBe(true);

    // Later sweeps leave it alone: no changelog write, the same object.
    expect(sweep(dests, T0 + TTL + HOUR)).toEqual({ touched: [], expired: 0, dormant: 0 });
    expect(sweep(dests, T0 + 30 * 24 * HOUR)).toEqual({ touched: [], expired: 0, dormant: 0 });
    expect(dests.get('api.idle.de')).toBe(dormant);
  });

  it('makes a classified destination dormant directly from its flow ids, and keeps one with an open window', () => {
    const withIds = used(['eu_user_data']);
    const open = used(['eu_user_data']);
    open.windows.push(openWindow(T0));
    const dests = new Map([
      ['a.example', withIds],
      ['b.example', open],
    ]);
    // b.example's flow id goes (the dedup sweep), its window keeps it as it is.
    expect(sweep(dests, T0 + TTL)).toEqual({ touched: ['a.example', 'b.example'], expired: 0, dormant: 1 });
    expect(dests.get('a.example')!.ids).toBeUndefined();
    expect(isDormant(dests.get('a.example')!)).toBe(true);
    expect(dests.get('b.example')).toBe(open);
  });
});

describe('isDormant', () => {
  it('a state that has learnt no window and holds no window, incident or flow id', () => {
    const s = newDestinationState();
    expect(isDormant(s)).toBe(true);
    s.baseline[N] = 1;
    expect(isDormant(s)).toBe(false);
    s.baseline[N] = 0;
    s.windows.push(openWindow(T0));
    expect(isDormant(s)).toBe(false);
    s.windows.length = 0;
    s.ids = RecentIds.of(flowIdHash('f1'), T0);
    expect(isDormant(s)).toBe(false);
    s.ids = undefined;
    s.folds = new Map([['k', {} as never]]);
    expect(isDormant(s)).toBe(false);
  });
});
