// baseline.idle_ttl: a destination not seen for that long, with no open window and no open
// folding interval, is forgotten (its changelog entry deleted), so state follows the
// destinations in use rather than every one ever seen. Swept once an hour of event time;
// the sweep also lets a quiet destination's flow ids go once event time passes their horizon.
// An open incident keeps its destination, and a volume incident held on a sparse destination's
// silence waits for at most idle_ttl after its last window (repeat-folding.ts silenceEnd): a
// destination that never sends again closes it then and goes at the next sweep.
//
// A detector may keep its state of an idle destination (keepWhenIdle: NEW_DESTINATION's data
// classes, so a destination used monthly is not "first seen" each month). The destination then
// stays dormant: a fresh state with only those detectors' states (state-store.ts
// dormantDestinationState), written once to the changelog and left alone at later sweeps.
// When traffic returns it is used as any state is: its volume baseline starts afresh. Only
// detectors enabled in the config keep anything, and a dormant destination idle for
// baseline.dormant_ttl more is dropped too (the classified destinations ever seen would
// otherwise pile up: each dormant state costs about what a learnt one does).
import { destinationDetectors } from '../detectors/registry.js';
import { learnedWindows } from '../detectors/baseline/seasonal-baseline.js';
import type { FlowDedup } from './dedup.js';
import { repackSparse } from './packed-state.js';
import { dormantDestinationState, type DestinationState } from './state-store.js';

const HOUR_MS = 3_600_000;

export interface ExpiryResult {
  /** The next watermark at which to sweep. */
  nextSweep: number;
  /** Destinations deleted. */
  expired: number;
  /** Destinations made dormant (those already dormant are not counted again). */
  dormant: number;
}

/**
 * Dormant: the baseline has learnt no window (every closed window with traffic teaches it one),
 * and no window, incident or flow id is open. What dormantDestinationState makes, and what a
 * destination is between its first flow and its first closed window while it holds no flow id.
 */
export function isDormant(state: DestinationState): boolean {
  return learnedWindows(state.baseline) === 0 && state.windows.length === 0 && (state.folds?.size ?? 0) === 0 && (state.ids?.size ?? 0) === 0;
}

/** The keys of the enabled detectors whose state of this destination is worth keeping when it is idle. */
function keptWhenIdle(state: DestinationState, enabled: (key: string) => boolean): string[] {
  const kept: string[] = [];
  for (const d of destinationDetectors()) if (enabled(d.key) && d.keepWhenIdle?.(state.detectors[d.key]) === true) kept.push(d.key);
  return kept;
}

/** How long a destination is kept: idle_ttl, and a dormant one dormant_ttl after that; which detectors may keep one. */
export interface IdleRule {
  ttl: number;
  dormantTtl: number;
  enabled: (key: string) => boolean;
}

/**
 * One sweep: deletes idle destinations from `dests`, or makes them dormant when a detector
 * keeps its state; marks changed ones through `touched`.
 */
export function expireIdle(
  dests: Map<string, DestinationState>,
  watermark: number,
  rule: IdleRule,
  dedup: FlowDedup,
  touched: (destination: string) => void,
): ExpiryResult {
  let expired = 0;
  let dormant = 0;
  for (const [destination, state] of dests) {
    if (state.lastSeen + rule.ttl <= watermark && state.windows.length === 0 && (state.folds?.size ?? 0) === 0) {
      const kept = keptWhenIdle(state, rule.enabled);
      const dormantAlready = isDormant(state);
      if (kept.length === 0 || (dormantAlready && state.lastSeen + rule.ttl + rule.dormantTtl <= watermark)) {
        dests.delete(destination);
        touched(destination);
        expired++;
      } else if (!dormantAlready) {
        // Replacing an existing key's value keeps the map's order and its iteration.
        dests.set(destination, dormantDestinationState(state, kept));
        touched(destination);
        dormant++;
      }
    } else if (dedup.forget(state, watermark)) {
      touched(destination);
    }
  }
  // The states kept move out of slabs that earlier expiry left sparse (their slots come back
  // after a collection, so a sweep sees what the sweeps before it freed), and those slabs empty
  // and are let go (packed-state.ts): no value changes, only where the state lives.
  for (const state of dests.values()) {
    const moved = repackSparse(state.baseline, state.detectors);
    if (moved !== undefined) state.baseline = moved;
  }
  return { nextSweep: Math.floor(watermark / HOUR_MS) * HOUR_MS + HOUR_MS, expired, dormant };
}
