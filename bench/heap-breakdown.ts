// Where the engine's bytes per destination go: the --heap-only workload (heap-workload.ts),
// then each part of every destination's state let go in turn, measuring after full
// collections what that freed (heapUsed + arrayBuffers, per destination; a state's typed
// arrays share a slot of a slab, freed when the slot comes back and its slab empties: each step
// waits for that, settleWithSlots). A diagnostic: it
// reads the engine's private fields by name, so it breaks loudly when they are renamed.
//   node --expose-gc dist/bench/heap-breakdown.js   (BENCH_DESTINATIONS: how many, 100,000)
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { Engine } from '../src/engine/engine.js';
import type { DestinationState } from '../src/engine/state-store.js';
import { packageRoot } from '../src/io/schemas.js';
import { engineMemory, gcOrThrow, learnDestinations, settle, settleWithSlots } from './heap-workload.js';

const N = Number(process.env.BENCH_DESTINATIONS ?? 100_000);

interface EngineInternals {
  dests: Map<string, DestinationState>;
  live: { internal: { cache: Map<string, boolean> } };
}

async function main(): Promise<void> {
  const gc = gcOrThrow();
  const engine = new Engine(loadConfig(join(packageRoot(), 'config/example.yaml')));
  const inside = engine as unknown as EngineInternals;
  settle(gc);
  const before = engineMemory();
  learnDestinations(engine, N);
  settle(gc);
  let last = engineMemory();
  console.log(`engine heap and typed-array storage: ${Math.round((last - before) / N)} bytes per destination (${N} destinations); freed by letting go of:`);
  const dests = inside.dests;
  if (!(dests instanceof Map) || !(inside.live?.internal?.cache instanceof Map)) throw new Error('engine internals renamed: update heap-breakdown.ts');
  const drop = async (label: string, f: () => void): Promise<void> => {
    f();
    await settleWithSlots(gc);
    const now = engineMemory();
    console.log(`  ${label.padEnd(62)} ${Math.round((last - now) / N)}`);
    last = now;
  };
  const each = (f: (s: DestinationState) => void) => () => {
    for (const s of dests.values()) f(s);
  };
  const writable = (s: DestinationState) => s as unknown as Record<string, unknown>;
  await drop('internal-network cache (bounded, per address)', () => inside.live.internal.cache.clear());
  await drop('recent flow ids (windows.dedup_horizon)', each((s) => (s.ids = undefined)));
  await drop('shared settings reference', each((s) => (s.settings = undefined)));
  const keys = Object.keys(dests.values().next().value!.detectors);
  for (const k of keys) await drop(`detector state ${k}`, each((s) => (s.detectors[k] = undefined)));
  await drop('detector state record', each((s) => (writable(s).detectors = undefined)));
  await drop('baseline, typed detector states: slot, registration', each((s) => (writable(s).baseline = undefined)));
  await drop('open windows list (empty)', each((s) => (writable(s).windows = undefined)));
  await drop('open incidents', each((s) => (s.folds = undefined)));
  await drop('state record, its map entry and key', () => dests.clear());
  console.log(`  ${'left'.padEnd(62)} ${Math.round((last - before) / N)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
