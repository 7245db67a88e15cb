// The one event-time check that needs the wall clock: a record whose event time is further
// ahead of processing time than windows.max_future is implausible (a gateway with a broken
// clock) and is rejected before it reaches the engine. The shells read the clock (the service
// per batch, `replay` once at its start) and pass it in, so this stays a pure function and
// the engine never reads a clock.
import { formatDuration } from '../config/units.js';
import type { FlowRecord } from './types.js';

/** The wall clock a shell read, and the bound it applies. */
export interface FutureBound {
  processingMs: number;
  maxFutureMs: number;
}

/** tooFarAhead with a shell's bound; cheap when the flow is within it (the common case). */
export function checkFuture(flow: FlowRecord, bound: FutureBound | undefined): string | null {
  if (bound === undefined || flow.end_ms - bound.processingMs <= bound.maxFutureMs) return null;
  return tooFarAhead(flow, bound.processingMs, bound.maxFutureMs);
}

/** Every reason returned here starts with this (the dead-letter metric's reason class). */
export const TOO_FAR_AHEAD_PREFIX = 'event time ';

/** Why the flow's event time is too far ahead of `processingMs`, or null when it is within the bound. */
export function tooFarAhead(flow: FlowRecord, processingMs: number, maxFutureMs: number): string | null {
  const aheadMs = flow.end_ms - processingMs;
  if (aheadMs <= maxFutureMs) return null;
  return (
    `${TOO_FAR_AHEAD_PREFIX}${iso(flow.end_ms)} is ${formatDuration(aheadMs)} ahead of processing time ` +
    `${iso(processingMs)}; bound windows.max_future=${formatDuration(maxFutureMs)}`
  );
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}
