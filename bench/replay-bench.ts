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

/**
 * The JS heap plus ArrayBuffer backing stores: typed arrays past a few dozen bytes keep
 * their contents outside the heap, and the volume state is typed arrays, so heapUsed alone
 * would leave most of it out.
 */
function engineMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function heapPerDestination(): number {
  const config = loadConfig(join(packageRoot(), 'config/example.yaml'));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const engine = new Engine(config);
  const t0 = Date.UTC(2026, 0, 5);
  const flow = (d: number, t: number): FlowRecord => ({
    flow_id: `h${d}-${t}`, gateway_id: 'gw-1', start_ms: t - 1000, end_ms: t,
    src_ip: `10.0.${d % 250}.${d % 200}`, dst_ip: `198.${18 + (d >> 16)}.${(d >> 8) & 255}.${d & 255}`, src_port: 40000, dst_port: 443, protocol: 6,
    dst_host: `host-${d}.example`, dst_country: 'DE', bytes_out: 5000 + d % 1000, bytes_in: 100, packets_out: 5, packets_in: 2,
    data_class: d % 3 === 0 ? 'eu_user_data' : null, principal: 'svc-eu-export',
  });
  gc();
  const before = engineMemory();
  // Three windows per destination, then event time moves on: every destination holds a
  // learnt baseline and no open window, the steady state of a long-running service.
  for (let w = 0; w < 3; w++) {
    for (let d = 0; d < DESTINATIONS_FOR_HEAP; d++) engine.process(flow(d, t0 + w * 60_000 + 1000));
    engine.advance(t0 + (w + 1) * 60_000);
  }
  engine.advance(t0 + 10 * 60_000);
  engine.commit();
  gc();
  const after = engineMemory();
  if (engine.destinationCount !== DESTINATIONS_FOR_HEAP) throw new Error('destinations lost');
  return (after - before) / DESTINATIONS_FOR_HEAP;
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
  console.log("parse = JSON.parse alone of the dialect's lines, and as a share of the JSON path's whole decode:");
  const child = fileURLToPath(new URL('./dialect-trials.js', import.meta.url));
  for (const [label, name] of DIALECT_FILES) {
    const runs: TrialResult[] = [];
    for (let p = 0; p < DIALECT_PROCESSES; p++) {
      const [path, jsonPath] = paths.get(label)!;
      const out = execFileSync(process.execPath, ['--expose-gc', ...flags, child, name, path, jsonPath, String(DIALECT_TRIALS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      runs.push(JSON.parse(out) as TrialResult);
      if (process.env.BENCH_TRIALS_SHOW) console.log(out.trim());
    }
    const pooled = (k: 'decode' | 'replay' | 'parse') => ({ dialect: runs.flatMap((r) => r[k].dialect), json: runs.flatMap((r) => r[k].json) });
    const cell = (k: 'decode' | 'replay') => {
      const side = pooled(k);
      return `${k === 'decode' ? 'decode only' : 'decode + engine'} ${median(side.dialect).toFixed(2)} vs ${median(side.json).toFixed(2)} µs, ratio ${pairedRatio(side).toFixed(2)} [${runs.map((r) => pairedRatio(r[k]).toFixed(2)).join(' ')}]`;
    };
    const parse = pooled('parse');
    const parseCell = parse.dialect.length === 0 ? '' : `; parse ${median(parse.dialect).toFixed(2)} µs = ${(median(parse.dialect) / median(pooled('decode').json)).toFixed(2)} of the JSON path (its own parse ${median(parse.json).toFixed(2)})`;
    console.log(`  ${label.padEnd(10)} ${cell('replay')}; ${cell('decode')}${parseCell}`);
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
  if (!heapOnly) await dialectCosts(dir);
  const perDest = heapPerDestination();
  console.log(`engine heap and typed-array storage: ${Math.round(perDest)} bytes per destination (${DESTINATIONS_FOR_HEAP} destinations)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
