// windows.dedup_horizon: a flow delivered twice (the same flow_id at the same destination
// within the horizon) is counted once, so a copy neither feeds the baseline nor alerts again.
// The ids live in the destination's state (RecentIds) and go to the changelog with it.
import type { DestinationState } from './state-store.js';
import { flowIdHash, RecentIds } from './recent-ids.js';

export class FlowDedup {
  constructor(private readonly horizon: number) {}

  /**
   * True when the destination saw this flow id within the horizon (a duplicate: ignore it);
   * otherwise remembers it. `watermark`: ids count while no more than the horizon behind it
   * (which one stray record cannot move).
   */
  seenBefore(state: DestinationState, flowId: string, endMs: number, watermark: number): boolean {
    const horizon = this.horizon;
    if (horizon <= 0) return false;
    const idHash = flowIdHash(flowId);
    const validFrom = watermark - horizon;
    if (state.ids !== undefined && state.ids.has(idHash, endMs, horizon, validFrom)) return true;
    if (state.ids === undefined) state.ids = RecentIds.of(idHash, endMs);
    else state.ids.add(idHash, endMs, validFrom);
    return false;
  }

  /** Lets ids older than the horizon go (a quiet destination); true when any went. */
  forget(state: DestinationState, watermark: number): boolean {
    if (state.ids === undefined || !state.ids.forgetBefore(watermark - this.horizon)) return false;
    if (state.ids.size === 0) state.ids = undefined;
    return true;
  }
}
