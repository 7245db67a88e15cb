// The engine-memory workload shared by `npm run bench -- --heap-only` (replay-bench.ts) and
// its breakdown (heap-breakdown.ts): many destinations, each with a learnt baseline and no
// open window (the steady state of a long-running service), measured after full collections.
import v8 from 'node:v8';
import type { Engine } from '../src/engine/engine.js';
import type { FlowRecord } from '../src/engine/types.js';

export function gcOrThrow(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  return gc;
}

/** Full collections until nothing more goes (a dead ArrayBuffer's contents go a collection late). */
export function settle(gc: () => void): void {
  gc();
  gc();
}

/**
 * settle(), then the states' slots given back (engine/packed-state.ts: a FinalizationRegistry,
 * whose callbacks run between tasks after a collection) and slabs left empty let go: full
 * collections and a short wait until engineMemory() stops moving.
 */
export async function settleWithSlots(gc: () => void): Promise<void> {
  let last = Number.NaN;
  for (let i = 0; i < 20; i++) {
    settle(gc);
    await new Promise((r) => setTimeout(r, 20));
    const now = engineMemory();
    if (now === last) return;
    last = now;
  }
}

/**
 * The JS heap plus ArrayBuffer contents: typed arrays past 64 bytes keep their contents
 * outside the heap, and the volume state is typed arrays, so heapUsed alone would leave most
 * of it out. What neither counts is the allocator's bookkeeping of each such buffer
 * (replay-bench.ts bufferBookkeeping).
 */
export function engineMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Three windows for each of `n` destinations (a third with a data class, so NEW_DESTINATION
 * learns one), then event time moves on past the windows and the changes are committed.
 */
export function learnDestinations(engine: Engine, n: number): void {
  const t0 = Date.UTC(2026, 0, 5);
  const flow = (d: number, t: number): FlowRecord => ({
    flow_id: `h${d}-${t}`, gateway_id: 'gw-1', start_ms: t - 1000, end_ms: t,
    src_ip: `10.0.${d % 250}.${d % 200}`, dst_ip: `198.${18 + (d >> 16)}.${(d >> 8) & 255}.${d & 255}`, src_port: 40000, dst_port: 443, protocol: 6,
    dst_host: `host-${d}.example`, dst_country: 'DE', bytes_out: 5000 + d % 1000, bytes_in: 100, packets_out: 5, packets_in: 2,
    data_class: d % 3 === 0 ? 'eu_user_data' : null, principal: 'svc-eu-export',
  });
  for (let w = 0; w < 3; w++) {
    for (let d = 0; d < n; d++) engine.process(flow(d, t0 + w * 60_000 + 1000));
    engine.advance(t0 + (w + 1) * 60_000);
  }
  engine.advance(t0 + 10 * 60_000);
  engine.commit();
  if (engine.destinationCount !== n) throw new Error('destinations lost');
}

/** ArrayBuffer objects alive (v8.queryObjects, Node >= 20.13); undefined where it is missing. */
export function arrayBufferCount(): number | undefined {
  const query = (v8 as unknown as { queryObjects?: (ctor: unknown, o: { format: 'count' }) => number }).queryObjects;
  if (query === undefined) return undefined;
  // It is marked experimental: the count is all we read of it, so no warning on every run.
  const warn = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return query(ArrayBuffer, { format: 'count' });
  } finally {
    process.emitWarning = warn;
  }
}
