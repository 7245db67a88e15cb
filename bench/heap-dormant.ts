// What a dormant destination costs (baseline.idle_ttl with a detector that keeps its state:
// engine/idle-expiry.ts): the --heap-only workload (heap-workload.ts, a third of the
// destinations with a data class), then event time moves past idle_ttl; the sweep deletes the
// unclassified destinations and keeps the classified ones dormant. What letting go of the
// dormant states then frees, per dormant destination (heapUsed + arrayBuffers, after full
// collections; not the allocator's bookkeeping of their ArrayBuffers, counted here).
// Reads the engine's private `dests` by name, so it breaks loudly when that is renamed.
//   node --expose-gc dist/bench/heap-dormant.js   (BENCH_DESTINATIONS: how many, 100,000)
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { Engine } from '../src/engine/engine.js';
import { isDormant } from '../src/engine/idle-expiry.js';
import type { DestinationState } from '../src/engine/state-store.js';
import type { StateChange } from '../src/engine/types.js';
import { packageRoot } from '../src/io/schemas.js';
import { arrayBufferCount, engineMemory, gcOrThrow, learnDestinations, settle, settleWithSlots } from './heap-workload.js';

const N = Number(process.env.BENCH_DESTINATIONS ?? 100_000);


async function main(): Promise<void> {
  const gc = gcOrThrow();
  const config = loadConfig(join(packageRoot(), 'config/example.yaml'));
  const engine = new Engine(config);
  learnDestinations(engine, N);
  // The workload's windows are at 2026-01-05T00:00Z..00:03Z: one sweep past idle_ttl after them.
  engine.advance(Date.UTC(2026, 0, 5) + 10 * 60_000 + config.baseline.idle_ttl + 3_600_000);
  engine.commit();
  const dests = (engine as unknown as { dests: Map<string, DestinationState> }).dests;
  if (!(dests instanceof Map)) throw new Error('engine internals renamed: update heap-dormant.ts');
  const dormant = dests.size;
  if (dormant !== Math.ceil(N / 3) || ![...dests.values()].every(isDormant)) throw new Error('expected the classified third dormant');
  // The swept states' slots back and their emptied slabs let go before anything is measured.
  // (The slot pool is the process's: the newest slab is never let go, and the restore below
  // takes its free slots first, so both figures are about 7 bytes low, 256 slots of 848 bytes
  // over the 33,334 dormant destinations.)
  await settleWithSlots(gc);
  const withoutText = engineMemory();
  // Their changelog entries, for the restore below (measured, to take them out of its figure).
  let entries: StateChange[] | undefined = engine.snapshot().filter((c) => c.key.startsWith('d:'));
  settle(gc);
  const kept = engineMemory();
  const text = kept - withoutText;
  dests.clear();
  // Their slots come back after a collection, and the slabs they empty are let go (packed-state.ts).
  await settleWithSlots(gc);
  const inPlace = (kept - engineMemory()) / dormant;
  // The same states restored into a fresh engine (a restart): its map sized for them alone.
  const restored = new Engine(config);
  settle(gc);
  const before = engineMemory();
  const buffersBefore = arrayBufferCount() ?? Number.NaN;
  const bytesBefore = process.memoryUsage().arrayBuffers;
  restored.restore(entries);
  entries = undefined;
  settle(gc);
  const buffers = (arrayBufferCount() ?? Number.NaN) - buffersBefore;
  console.log(`dormant destinations: ${restored.destinationCount} of ${N}`);
  console.log(`heap and typed-array storage per dormant destination: ${Math.round((engineMemory() - before + text) / dormant)} bytes restored (a restart); ${Math.round(inPlace)} in the engine that swept (its map still sized for ${N})`);
  console.log(`changelog text per dormant destination: ${Math.round(text / dormant)} bytes`);
  console.log(`off-heap ArrayBuffers per dormant destination: ${(buffers / dormant).toFixed(4)}, ${Math.round((process.memoryUsage().arrayBuffers - bytesBefore) / buffers)} bytes each`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
