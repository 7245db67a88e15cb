// npm run bench: replay throughput beside the decode-only rate of the same files, and
// engine memory per destination (heap and typed-array storage). Rates are compared as ratios measured in one run: the
// machine is shared and noisy, so absolute figures are indications, ratios the result.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { Engine } from '../src/engine/engine.js';
import { Pipeline } from '../src/engine/pipeline.js';
import type { FlowRecord } from '../src/engine/types.js';
import { generateTraffic, resolveGenerateOptions } from '../src/generate/index.js';
import { openFlowOutput } from '../src/io/flow-output.js';
import { openFlowInput } from '../src/io/input.js';
import { packageRoot } from '../src/io/schemas.js';
import type { DialectName } from '../src/io/dialects/dialect.js';
import { dialectReadingFor } from '../src/io/dialects/open-input.js';
import { median, pairedRatio, type TrialResult } from './dialect-trials.js';
import { writeDialectFile } from './dialect-files.js';
import { arrayBufferCount, engineMemory, gcOrThrow, learnDestinations, settle } from './heap-workload.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 2_000_000);
const DESTINATIONS_FOR_HEAP = Number(process.env.BENCH_DESTINATIONS ?? 100_000);
const DAY = 86_400_000;
/** Records per file of the dialect comparison (the same flows in every dialect). */
const DIALECT_RECORDS = Number(process.env.BENCH_DIALECT_RECORDS ?? 50_000);
/** Trials of each side per dialect (short ones: the median of many resists a noisy machine). */
const DIALECT_TRIALS = Number(process.env.BENCH_DIALECT_TRIALS ?? 5);
/** Child processes per dialect, their trials pooled (a process may run in a slow mode throughout). */
const DIALECT_PROCESSES = Number(process.env.BENCH_DIALECT_PROCESSES ?? 3);
const DIALECT_FILES: Array<[string, DialectName, DialectName | 'zeek-json']> = [
  ['zeek TSV', 'zeek', 'zeek'],
  ['zeek JSON', 'zeek', 'zeek-json'],
  ['vpc', 'vpc', 'vpc'],
  ['goflow2', 'goflow2', 'goflow2'],
  ['suricata', 'suricata', 'suricata'],
  ['ocsf', 'ocsf', 'ocsf'],
];

async function ensureFiles(dir: string): Promise<{ avro: string; jsonl: string }> {
  const avro = join(dir, `flows-${RECORDS}.avro`);
  const jsonl = join(dir, `flows-${RECORDS}.jsonl`);
  if (existsSync(avro) && existsSync(jsonl)) return { avro, jsonl };
  // One day at the rate that gives about RECORDS records.
  const options = resolveGenerateOptions({ seed: 42, duration_ms: DAY, rate: RECORDS / 86_400, destinations: 2000, incidents_per_type: 3, learning_ms: 6 * 3_600_000 });
  const outs = [openFlowOutput(avro), openFlowOutput(jsonl)];
  let n = 0;
  for (const flow of generateTraffic(options).flows) {
    if (n++ >= RECORDS) break;
    for (const o of outs) if (!o.write(flow)) await o.drain();
  }
  for (const o of outs) await o.close();
  return { avro, jsonl };
}

async function decodeOnly(path: string): Promise<number> {
  let n = 0;
  for await (const batch of openFlowInput(path)) n += batch.length;
  return n;
}

async function replayOnly(path: string): Promise<number> {
  const config = loadConfig(join(packageRoot(), 'config/example.yaml'));
  const p = new Pipeline(config);
  let n = 0;
  let alerts = 0;
  for await (const batch of openFlowInput(path)) {
    for (const item of batch) {
      n++;
      if (item.ok) alerts += p.push(item.flow).length;
    }
  }
  alerts += p.finish().length;
  return n + alerts * 0;
}

async function rate(label: string, run: () => Promise<number>): Promise<number> {
  const t0 = process.hrtime.bigint();
  const n = await run();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = n / s;
  console.log(`  ${label.padEnd(26)} ${n} records in ${s.toFixed(2)} s = ${Math.round(r).toLocaleString('en-US')} records/s`);
  return r;
}


interface DestinationMemory {
  /** heapUsed + arrayBuffers grown per destination. */
  heapAndBuffers: number;
  /** Off-heap ArrayBuffers per destination (NaN: not countable on this Node). */
  buffers: number;
  /** Their average size in bytes. */
  bufferBytes: number;
}

function heapPerDestination(): DestinationMemory {
  const config = loadConfig(join(packageRoot(), 'config/example.yaml'));
  const gc = gcOrThrow();
  const engine = new Engine(config);
  settle(gc);
  const before = engineMemory();
  const buffersBefore = arrayBufferCount();
  const bytesBefore = process.memoryUsage().arrayBuffers;
  learnDestinations(engine, DESTINATIONS_FOR_HEAP);
  settle(gc);
  const after = engineMemory();
  const buffersAfter = arrayBufferCount();
  const bytes = process.memoryUsage().arrayBuffers - bytesBefore;
  const buffers = buffersBefore === undefined || buffersAfter === undefined ? Number.NaN : buffersAfter - buffersBefore;
  return { heapAndBuffers: (after - before) / DESTINATIONS_FOR_HEAP, buffers: buffers / DESTINATIONS_FOR_HEAP, bufferBytes: buffers > 0 ? bytes / buffers : 0 };
}

/**
 * Buffers the bookkeeping is measured over: enough that page-sized steps of the RSS average
 * out, at most 512 MB of them (the engine's buffers are slabs of 256 states since 2026-12-08).
 */
const BOOKKEEPING_BUFFERS = 200_000;
const BOOKKEEPING_BYTES = 512 * 1024 * 1024;

/**
 * Run by a bare `node -e` (nothing loaded, so no freed chunks to reuse): the growth of the
 * RSS less the heap's resident pages (heapTotal also counts reserved, untouched ones) and the
 * buffers' contents, per buffer, over BOOKKEEPING_BUFFERS buffers of the given size.
 */
const BOOKKEEPING_PROBE = `
const v8 = require('node:v8');
const [k, size] = process.argv.slice(-2).map(Number);
const outside = () => { gc(); gc(); const m = process.memoryUsage(); return m.rss - v8.getHeapStatistics().total_physical_size - m.arrayBuffers; };
const before = outside();
const keep = new Array(k);
// Each buffer written through, as the engine's are: a large one's untouched pages are not resident.
for (let i = 0; i < k; i++) new Uint8Array((keep[i] = new ArrayBuffer(size))).fill(1);
console.log((outside() - before) / keep.length);
`;

/**
 * The allocator's bookkeeping per off-heap ArrayBuffer of `size` bytes, beyond its contents
 * and its heap object: V8's BackingStore and extension records and malloc's chunk headers,
 * which process.memoryUsage() shows nowhere. Measured in a fresh process (a warm one reuses
 * freed chunks and shows too little); it moves by about +-20 bytes from run to run.
 */
function bookkeepingBuffers(size: number): number {
  return Math.max(1, Math.min(BOOKKEEPING_BUFFERS, Math.floor(BOOKKEEPING_BYTES / Math.max(1, size))));
}

function bufferBookkeeping(size: number): number {
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', BOOKKEEPING_PROBE, '--', String(bookkeepingBuffers(size)), String(Math.round(size))], { encoding: 'utf8' });
  return Number(out.trim());
}

/**
 * Each dialect against the JSON path on the same flows, each in a child process of its own
 * (bench/dialect-trials.ts): CPU per flow record, decode + engine (the result) and decode
 * only, in many short alternating trials; the median of the per-pair ratios is the result.
 */
async function dialectCosts(dir: string): Promise<void> {
  // The first DIALECT_RECORDS flows of a day of at least 100,000 (the generator's incidents need that rate).
  const options = resolveGenerateOptions({ seed: 7, duration_ms: DAY, rate: Math.max(DIALECT_RECORDS, 100_000) / 86_400, destinations: 2000, incidents_per_type: 1, learning_ms: 6 * 3_600_000 });
  const flows: FlowRecord[] = [];
  for (const f of generateTraffic(options).flows) {
    if (flows.length >= DIALECT_RECORDS) break;
    flows.push(f);
  }
  // Each dialect's file, and beside it the JSON path's file of exactly the flows that dialect
  // decodes to (its flow ids, the fields a sensor does not know left null): both sides then give
  // the engine the same records, so the engine does the same work on each and the difference is
  // the reading alone.
  const paths = new Map<string, [string, string]>();
  for (const [label, name, writer] of DIALECT_FILES) {
    const path = join(dir, `dialect-${writer}-${DIALECT_RECORDS}.log`);
    await writeDialectFile(path, writer, flows);
    const decoded: FlowRecord[] = [];
    const reading = dialectReadingFor(loadConfig(join(packageRoot(), 'config/example.yaml')), name, path);
    for await (const batch of openFlowInput(path, { dialect: reading })) for (const item of batch) if (item.ok) decoded.push(item.flow);
    if (decoded.length !== flows.length) throw new Error(`${path}: ${decoded.length} flows decoded of ${flows.length}`);
    const jsonPath = join(dir, `dialect-${writer}-${DIALECT_RECORDS}.flows.jsonl`);
    await writeDialectFile(jsonPath, 'flow', decoded);
    paths.set(label, [path, jsonPath]);
  }
  const count = flows.length;
  flows.length = 0;
  const flags = (process.env.BENCH_DIALECT_NODE_FLAGS ?? '--max-semi-space-size=64').split(' ').filter((f) => f.length > 0);
  console.log(`dialects: ${count} flows a file; per dialect ${DIALECT_PROCESSES} child processes (node --expose-gc ${flags.join(' ')}), each ${DIALECT_TRIALS} alternating trials of each side, every trial after a full GC;`);
  console.log('CPU µs per flow record (medians of all trials) and ratio = median of all per-pair ratios to the JSON flow path [each process\'s median ratio];');
  console.log("parse = JSON.parse alone of the dialect's lines, and as a share of the JSON path's whole decode;");
  console.log("floor = the dialect's file read, split and every line given to JSON.parse, nothing else, against the JSON path's whole decode only (paired ratio): what any decoder of these lines pays first;");
  console.log("JSON floor = the same of the JSON path's own file: the JSON path's checks are the rest of its decode:");
  const child = fileURLToPath(new URL('./dialect-trials.js', import.meta.url));
  for (const [label, name] of DIALECT_FILES) {
    const runs: TrialResult[] = [];
    for (let p = 0; p < DIALECT_PROCESSES; p++) {
      const [path, jsonPath] = paths.get(label)!;
      const out = execFileSync(process.execPath, ['--expose-gc', ...flags, child, name, path, jsonPath, String(DIALECT_TRIALS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      runs.push(JSON.parse(out) as TrialResult);
      if (process.env.BENCH_TRIALS_SHOW) console.log(out.trim());
    }
    const pooled = (k: 'decode' | 'replay' | 'parse' | 'floor' | 'jsonFloor') => ({ dialect: runs.flatMap((r) => r[k].dialect), json: runs.flatMap((r) => r[k].json) });
    const cell = (k: 'decode' | 'replay') => {
      const side = pooled(k);
      return `${k === 'decode' ? 'decode only' : 'decode + engine'} ${median(side.dialect).toFixed(2)} vs ${median(side.json).toFixed(2)} µs, ratio ${pairedRatio(side).toFixed(2)} [${runs.map((r) => pairedRatio(r[k]).toFixed(2)).join(' ')}]`;
    };
    const parse = pooled('parse');
    const parseCell = parse.dialect.length === 0 ? '' : `; parse ${median(parse.dialect).toFixed(2)} µs = ${(median(parse.dialect) / median(pooled('decode').json)).toFixed(2)} of the JSON path (its own parse ${median(parse.json).toFixed(2)})`;
    const floor = pooled('floor');
    const jsonFloor = pooled('jsonFloor');
    const floorCell = floor.dialect.length === 0 ? '' : `; floor ${median(floor.dialect).toFixed(2)} µs, ratio ${pairedRatio(floor).toFixed(2)}; JSON floor ${median(jsonFloor.dialect).toFixed(2)} µs, ratio ${pairedRatio(jsonFloor).toFixed(2)}`;
    console.log(`  ${label.padEnd(10)} ${cell('replay')}; ${cell('decode')}${parseCell}${floorCell}`);
  }
}

async function main(): Promise<void> {
  const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'egress-watch-bench');
  mkdirSync(dir, { recursive: true });
  console.log(`egress-watch bench (node ${process.version}); files in ${dir}`);
  // BENCH_ONLY=dialects: only the input dialects against the JSON path.
  if (process.env.BENCH_ONLY === 'dialects') return dialectCosts(dir);
  // --heap-only: the memory figure alone, without the throughput runs.
  const heapOnly = process.argv.includes('--heap-only');
  const files: Partial<Awaited<ReturnType<typeof ensureFiles>>> = heapOnly ? {} : await ensureFiles(dir);
  for (const [name, path] of Object.entries(files)) {
    console.log(`${name}:`);
    // Interleaved, twice: the better of two runs of each, in the same process.
    const d = Math.max(await rate('decode only', () => decodeOnly(path)), await rate('decode only', () => decodeOnly(path)));
    const r = Math.max(await rate('replay (decode + engine)', () => replayOnly(path)), await rate('replay (decode + engine)', () => replayOnly(path)));
    console.log(`  replay / decode-only ratio: ${(r / d).toFixed(2)}`);
  }
  // BENCH_ONLY=replay: the replay / decode-only ratios alone.
  if (process.env.BENCH_ONLY === 'replay') return;
  if (!heapOnly) await dialectCosts(dir);
  const m = heapPerDestination();
  const n = DESTINATIONS_FOR_HEAP;
  console.log(`engine heap and typed-array storage: ${Math.round(m.heapAndBuffers)} bytes per destination (${n} destinations)`);
  if (Number.isNaN(m.buffers)) {
    console.log('off-heap buffers per destination: not countable here (v8.queryObjects needs Node >= 20.13); allocator bookkeeping not added');
    return;
  }
  const each = m.buffers > 0 ? bufferBookkeeping(m.bufferBytes) : 0;
  console.log(`off-heap ArrayBuffers: ${m.buffers.toFixed(4)} per destination, ${Math.round(m.bufferBytes)} bytes each; allocator bookkeeping ${Math.round(each)} bytes each (fresh process, ${bookkeepingBuffers(m.bufferBytes)} buffers)`);
  console.log(`engine memory per destination, all counted: ${Math.round(m.heapAndBuffers + m.buffers * each)} bytes (budget 2,048)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
