// baseline.idle_ttl: a destination not seen for that long, with no open window and no open
// folding interval, is forgotten (its changelog entry deleted), so state follows the
// destinations in use rather than every one ever seen. Swept once an hour of event time;
// the sweep also lets a quiet destination's flow ids go once event time passes their horizon.
// An open incident keeps its destination, and a volume incident held on a sparse destination's
// silence waits for at most idle_ttl after its last window (repeat-folding.ts silenceEnd): a
// destination that never sends again closes it then and goes at the next sweep.
import type { FlowDedup } from './dedup.js';
import type { DestinationState } from './state-store.js';

const HOUR_MS = 3_600_000;

export interface ExpiryResult {
  /** The next watermark at which to sweep. */
  nextSweep: number;
  expired: number;
}

/** One sweep: deletes idle destinations from `dests`, marks changed ones through `touched`. */
export function expireIdle(
  dests: Map<string, DestinationState>,
  watermark: number,
  ttl: number,
  dedup: FlowDedup,
  touched: (destination: string) => void,
): ExpiryResult {
  let expired = 0;
  for (const [destination, state] of dests) {
    if (state.lastSeen + ttl <= watermark && state.windows.length === 0 && (state.folds?.size ?? 0) === 0) {
      dests.delete(destination);
      touched(destination);
      expired++;
    } else if (dedup.forget(state, watermark)) {
      touched(destination);
    }
  }
  return { nextSweep: Math.floor(watermark / HOUR_MS) * HOUR_MS + HOUR_MS, expired };
}
