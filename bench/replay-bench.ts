// npm run bench: replay throughput beside the decode-only rate of the same files, and
// engine memory per destination (heap and typed-array storage). Rates are compared as ratios measured in one run: the
// machine is shared and noisy, so absolute figures are indications, ratios the result.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
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
import { writeDialectFile } from './dialect-files.js';
import { engineMemory, gcOrThrow, learnDestinations, settle } from './heap-workload.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 2_000_000);
const DESTINATIONS_FOR_HEAP = Number(process.env.BENCH_DESTINATIONS ?? 100_000);
const DAY = 86_400_000;
/** Records per file of the dialect comparison (the same flows in every dialect). */
const DIALECT_RECORDS = Number(process.env.BENCH_DIALECT_RECORDS ?? 300_000);
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

/** ArrayBuffer objects alive (v8.queryObjects, Node >= 20.13); undefined where it is missing. */
function arrayBufferCount(): number | undefined {
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

/** Buffers the bookkeeping is measured over: enough that page-sized steps of the RSS average out. */
const BOOKKEEPING_BUFFERS = 200_000;

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
for (let i = 0; i < k; i++) keep[i] = new ArrayBuffer(size);
console.log((outside() - before) / keep.length);
`;

/**
 * The allocator's bookkeeping per off-heap ArrayBuffer of `size` bytes, beyond its contents
 * and its heap object: V8's BackingStore and extension records and malloc's chunk headers,
 * which process.memoryUsage() shows nowhere. Measured in a fresh process (a warm one reuses
 * freed chunks and shows too little); it moves by about +-20 bytes from run to run.
 */
function bufferBookkeeping(size: number): number {
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', BOOKKEEPING_PROBE, '--', String(BOOKKEEPING_BUFFERS), String(Math.round(size))], { encoding: 'utf8' });
  return Number(out.trim());
}

/** CPU time (user + system) per record of reading a file to validated flows, in microseconds. */
async function cpuPerRecord(path: string, format: DialectName): Promise<number> {
  const config = loadConfig(join(packageRoot(), 'config/example.yaml'));
  const dialect = dialectReadingFor(config, format, path);
  const before = process.cpuUsage();
  let n = 0;
  for await (const batch of openFlowInput(path, { dialect })) for (const item of batch) if (item.ok) n++;
  const used = process.cpuUsage(before);
  if (n === 0) throw new Error(`${path}: no flows read`);
  return (used.user + used.system) / n;
}

/**
 * Each dialect against the JSON path on the same flows: CPU per record of decoding (read,
 * split, parse, orient, validate), the better of two interleaved runs; the ratio is the result.
 * Both sides read as replay does: 1 MiB chunks, batches of at most BATCH_LINES lines (about
 * what 1 MiB of flow JSON holds), so a compact dialect's batches hold as many records as the
 * JSON path's, not three times as many (src/io/jsonl.ts).
 */
async function dialectCosts(dir: string): Promise<void> {
  const options = resolveGenerateOptions({ seed: 7, duration_ms: DAY, rate: DIALECT_RECORDS / 86_400, destinations: 2000, incidents_per_type: 1, learning_ms: 6 * 3_600_000 });
  const flows: FlowRecord[] = [];
  for (const f of generateTraffic(options).flows) {
    if (flows.length >= DIALECT_RECORDS) break;
    flows.push(f);
  }
  const jsonPath = join(dir, `dialect-flow-${DIALECT_RECORDS}.jsonl`);
  await writeDialectFile(jsonPath, 'flow', flows);
  const paths = new Map<string, string>();
  for (const [label, , writer] of DIALECT_FILES) {
    const path = join(dir, `dialect-${writer}-${DIALECT_RECORDS}.log`);
    await writeDialectFile(path, writer, flows);
    paths.set(label, path);
  }
  const count = flows.length;
  flows.length = 0; // written out: not kept alive (and traced by every full GC) while measuring
  console.log(`dialects (${count} flows each; CPU µs per record, better of two alternating runs; ratio to the JSON path beside it):`);
  const json = await cpuPerRecord(jsonPath, 'flow'); // warms the JSON path up
  console.log(`  ${'flow JSON (today)'.padEnd(20)} ${json.toFixed(2)} µs (first run)`);
  // Each dialect against the JSON path measured beside it, alternating, the better of two runs
  // of each: both sides get as many tries, close in time, on a machine whose load changes.
  for (const [label, name] of DIALECT_FILES) {
    const path = paths.get(label)!;
    const a = await cpuPerRecord(path, name);
    const ref1 = await cpuPerRecord(jsonPath, 'flow');
    const b = await cpuPerRecord(path, name);
    const ref2 = await cpuPerRecord(jsonPath, 'flow');
    const cost = Math.min(a, b);
    const base = Math.min(ref1, ref2);
    console.log(`  ${label.padEnd(20)} ${cost.toFixed(2)} µs  JSON path ${base.toFixed(2)} µs  ratio ${(cost / base).toFixed(2)}`);
  }
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), 'egress-watch-bench');
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
  if (!heapOnly) await dialectCosts(dir);
  const m = heapPerDestination();
  const n = DESTINATIONS_FOR_HEAP;
  console.log(`engine heap and typed-array storage: ${Math.round(m.heapAndBuffers)} bytes per destination (${n} destinations)`);
  if (Number.isNaN(m.buffers)) {
    console.log('off-heap buffers per destination: not countable here (v8.queryObjects needs Node >= 20.13); allocator bookkeeping not added');
    return;
  }
  const each = m.buffers > 0 ? bufferBookkeeping(m.bufferBytes) : 0;
  console.log(`off-heap ArrayBuffers: ${m.buffers.toFixed(2)} per destination, ${Math.round(m.bufferBytes)} bytes each; allocator bookkeeping ${Math.round(each)} bytes each (fresh process, ${BOOKKEEPING_BUFFERS} buffers)`);
  console.log(`engine memory per destination, all counted: ${Math.round(m.heapAndBuffers + m.buffers * each)} bytes (budget 2,048)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
