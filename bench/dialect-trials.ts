// The dialect comparison of `npm run bench`, made trustworthy on a shared, noisy machine: CPU
// (process.cpuUsage, user + system) per flow record of a dialect file against the JSON flow
// path on the same flows, in many short trials that alternate JSON and dialect in one process,
// each after a full GC (garbage of one trial is not collected on the next one's account), and
// the median of the per-pair ratios. Each dialect runs in child processes of its own, as a
// deployment reads one dialect: code the dialects share (fields.ts, orientation) then sees one
// dialect's value types, as in service, not a mix that depends on the order of the bench.
// A process can settle in a slower mode for its whole life (young-generation sizing, the
// moment the JIT optimised a function on a loaded machine), one side more than the other, so
// the bench runs several processes per dialect and pools their pairs.
// Run as a child: node --expose-gc dist/bench/dialect-trials.js FORMAT PATH JSON_PATH TRIALS [decode]
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { Pipeline } from '../src/engine/pipeline.js';
import { openFlowInput } from '../src/io/input.js';
import { readLineBatches } from '../src/io/jsonl.js';
import { packageRoot } from '../src/io/schemas.js';
import type { DialectName } from '../src/io/dialects/dialect.js';
import { dialectReadingFor } from '../src/io/dialects/open-input.js';

/** The JSON path's read size (the readers' default chunk, 1 MiB). */
export const JSON_CHUNK = 1 << 20;

/**
 * The read size that gives batches of as many records as the JSON path's 1 MiB chunks hold:
 * readers yield one batch per chunk, and a batch's records live until it is consumed, so a
 * compact format (VPC: a third of a JSON line) read in 1 MiB chunks keeps three times as many
 * records alive per batch and pays for it in garbage collection, which is not decoding cost.
 */
export function chunkFor(path: string, jsonPath: string): number {
  return Math.max(1 << 12, Math.round((JSON_CHUNK * statSync(path).size) / statSync(jsonPath).size));
}

/** What one child reports: per-record CPU µs of each trial, both sides, both measures. */
export interface TrialResult {
  /** Decode only: read, split, parse, orient, enrich, validate. */
  decode: { dialect: number[]; json: number[] };
  /** Decode and engine (Pipeline.push of every flow, then finish): what replay costs. */
  replay: { dialect: number[]; json: number[] };
  /** JSON.parse alone of every line (held in memory), per flow; empty for text dialects. */
  parse: { dialect: number[]; json: number[] };
  /** The floor of a JSON dialect's decode only: the file read and split as the decoder's
   *  reading does, each line made text and given to JSON.parse, nothing else (dialect), beside
   *  the JSON path's whole decode only of the same trial (json); empty for text dialects. */
  floor: { dialect: number[]; json: number[] };
  /** The same floor of the JSON path's own file (dialect: its floor; json: its whole decode
   *  only, the same trial as floor.json's): what the JSON path does beyond reading and
   *  parsing (checking the record against the contract) is the difference. */
  jsonFloor: { dialect: number[]; json: number[] };
  flows: number;
}

/** CPU µs per flow of JSON.parse of each of `lines` (the floor of a JSON dialect's decoding). */
function parseTrial(lines: readonly string[], flows: number): number {
  const before = process.cpuUsage();
  let keys = 0;
  for (const line of lines) if (JSON.parse(line) !== null) keys++;
  const used = process.cpuUsage(before);
  if (keys === 0) throw new Error('nothing parsed');
  return (used.user + used.system) / flows;
}

/** CPU µs per flow of reading `path` in chunks of `chunkSize` and JSON.parse of each line: what any decoder of it pays before its own work. */
async function floorTrial(path: string, chunkSize: number, flows: number): Promise<number> {
  let parsed = 0;
  const before = process.cpuUsage();
  for await (const batch of readLineBatches(path, { chunkSize }, (bytes, start, end) => {
    if (JSON.parse(bytes.toString('utf8', start, end)) !== null) parsed++;
  })) if (batch.length > 0) throw new Error('the floor reading yields no items');
  const used = process.cpuUsage(before);
  if (parsed !== flows) throw new Error(`${path}: ${parsed} lines parsed, ${flows} flows`);
  return (used.user + used.system) / flows;
}

/** The JSON lines of a file (those starting with '{'). */
function jsonLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.charCodeAt(0) === 123);
}

const config = loadConfig(join(packageRoot(), 'config/example.yaml'));

/**
 * The reading of the dialect's latest trial, kept until the next one replaces it, as a
 * service keeps its partitions' decoders. Without it the full GC before each trial finds no
 * decoder alive and collects the shapes (hidden classes) of the decoder's objects, which V8
 * reached only from the dying instances; every optimised function that checked those shapes
 * is then thrown away ("weak objects" in --trace-deopt: 12-16 functions of the Zeek JSON
 * decoder a trial) and the next trial pays for running unoptimised and compiling again, a
 * cost of the bench's forced GC, not of decoding. The JSON path keeps no such objects.
 */
let lastReading: unknown = null;

/** CPU µs per flow of reading `path` to validated flows, and pushing them into an engine when `engine`. */
async function trial(path: string, format: DialectName, chunkSize: number, engine: boolean): Promise<[number, number]> {
  const dialect = dialectReadingFor(config, format, path);
  if (dialect !== null) lastReading = dialect;
  const pipeline = engine ? new Pipeline(config) : null;
  const before = process.cpuUsage();
  let n = 0;
  let alerts = 0;
  for await (const batch of openFlowInput(path, { dialect, chunkSize })) {
    for (const item of batch) {
      if (!item.ok) continue;
      n++;
      if (pipeline !== null) alerts += pipeline.push(item.flow).length;
    }
  }
  if (pipeline !== null) alerts += pipeline.finish().length;
  const used = process.cpuUsage(before);
  if (n === 0) throw new Error(`${path}: no flows read`);
  return [(used.user + used.system) / n, n + alerts * 0];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of the ratios of pairs run side by side (dialect i against JSON i). */
export function pairedRatio(side: { dialect: number[]; json: number[] }): number {
  return median(side.dialect.map((d, i) => d / side.json[i]));
}

export async function runTrials(format: DialectName, path: string, jsonPath: string, trials: number, decodeOnly = false): Promise<TrialResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const chunk = chunkFor(path, jsonPath);
  const result: TrialResult = { decode: { dialect: [], json: [] }, replay: { dialect: [], json: [] }, parse: { dialect: [], json: [] }, floor: { dialect: [], json: [] }, jsonFloor: { dialect: [], json: [] }, flows: 0 };
  // Warm-up: both paths, both measures, until the JIT has settled (not counted).
  const measures = decodeOnly ? [false] : [false, true];
  for (let i = 0; i < 2; i++) {
    for (const engine of measures) {
      if (engine && i > 0) continue; // the engine's own code is warm after one round
      await trial(jsonPath, 'flow', JSON_CHUNK, engine);
      await trial(path, format, chunk, engine);
    }
  }
  for (let i = 0; i < trials; i++) {
    for (const engine of measures) {
      const side = engine ? result.replay : result.decode;
      // Alternate which goes first: a slow moment of the machine falls on both sides alike.
      const order = i % 2 === 0 ? ['json', 'dialect'] : ['dialect', 'json'];
      for (const who of order) {
        gc();
        const [cost, n] = who === 'json' ? await trial(jsonPath, 'flow', JSON_CHUNK, engine) : await trial(path, format, chunk, engine);
        (who === 'json' ? side.json : side.dialect).push(cost);
        if (who === 'dialect') result.flows = n;
      }
    }
  }
  // JSON.parse alone, for the JSON dialects: lines in memory, alternating as above; and the
  // floor, the dialect's file read and parsed, against the JSON path's whole decode.
  const lines = jsonLines(path);
  if (lines.length > 0) {
    for (let i = 0; i < trials + 2; i++) {
      gc();
      const [j] = await trial(jsonPath, 'flow', JSON_CHUNK, false);
      gc();
      const d = await floorTrial(path, chunk, lines.length);
      gc();
      const jf = await floorTrial(jsonPath, JSON_CHUNK, lines.length);
      if (i < 2) continue; // warm-up
      result.floor.json.push(j);
      result.floor.dialect.push(d);
      result.jsonFloor.json.push(j);
      result.jsonFloor.dialect.push(jf);
    }
    const json = jsonLines(jsonPath);
    for (let i = 0; i < trials + 2; i++) {
      gc();
      const j = parseTrial(json, result.flows);
      gc();
      const d = parseTrial(lines, result.flows);
      if (i < 2) continue; // warm-up
      result.parse.json.push(j);
      result.parse.dialect.push(d);
    }
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [format, path, jsonPath, trials, only] = process.argv.slice(2);
  runTrials(format as DialectName, path, jsonPath, Number(trials), only === 'decode')
    .then((r) => process.stdout.write(JSON.stringify(r) + '\n'))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
