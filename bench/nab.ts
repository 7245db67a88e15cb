// npm run bench:nab -- --nab-dir DIR [--scorer PATH] [--out DIR] [--python CMD]
// The volume detectors on the Numenta Anomaly Benchmark (NAB v1.1, github.com/numenta/NAB):
// every series through the real Engine (nab-series.ts), written as NAB results files, then
// scored by NAB's rules with an independent scorer (standard, reward_low_FP_rate,
// reward_low_FN_rate; threshold optimised as NAB does, and at the shipped thresholds).
// Not in CI: the corpus and the scorer are not part of the repository.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { packageRoot } from '../src/io/schemas.js';
import { scoreSeries, SHIPPED_THRESHOLD_SCORE, type NabSeries } from './nab-series.js';

const PROFILES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
/** NAB v1.1's scoreboard (standard, low FP, low FN), from NAB's README. */
const PUBLISHED: [string, number, number, number][] = [
  ['ARTime', 74.9, 65.1, 80.4],
  ['Numenta HTM', 70.1, 63.1, 74.3],
  ['windowedGaussian', 39.6, 20.9, 47.4],
  ['null', 0, 0, 0],
];

interface Options { nabDir: string; scorer: string; out: string; python: string }

function usage(message: string): never {
  console.error(`bench:nab: ${message}`);
  console.error('usage: npm run bench:nab -- --nab-dir DIR [--scorer nab_score.py] [--out DIR] [--python python3]');
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    if (i + 1 >= argv.length) usage(`${name} needs a value`);
    return argv[i + 1];
  };
  const nabDir = get('--nab-dir') ?? usage('--nab-dir is required (a checkout of github.com/numenta/NAB: data/, labels/, config/)');
  if (!existsSync(join(nabDir, 'data')) || !existsSync(join(nabDir, 'labels'))) usage(`${nabDir}: no data/ and labels/ in it (a NAB checkout?)`);
  const scorer = resolve(get('--scorer') ?? join(packageRoot(), '..', 'shared', 'tools', 'nab', 'nab_score.py'));
  if (!existsSync(scorer)) usage(`NAB scorer not found at ${scorer}: give its path with --scorer`);
  return { nabDir, scorer, out: get('--out') ?? join(tmpdir(), 'egress-watch-nab'), python: get('--python') ?? 'python3' };
}

/** NAB timestamps ("2014-04-01 00:05:00") are local times without a zone: read as UTC. */
function readSeries(nabDir: string, file: string): NabSeries {
  const lines = readFileSync(join(nabDir, 'data', file), 'utf8').split('\n');
  const s: NabSeries = { file, stamps: [], times: [], values: [] };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const [stamp, value] = line.split(',');
    const t = Date.parse(`${stamp.replace(' ', 'T')}Z`);
    const v = Number(value);
    if (!Number.isFinite(t) || !Number.isFinite(v)) throw new Error(`${file} line ${i + 1}: not "timestamp,value": ${line}`);
    s.stamps.push(stamp);
    s.times.push(t);
    s.values.push(v);
  }
  return s;
}

function seriesFiles(nabDir: string): string[] {
  const files: string[] = [];
  for (const category of readdirSync(join(nabDir, 'data'), { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const f of readdirSync(join(nabDir, 'data', category.name))) if (f.endsWith('.csv')) files.push(`${category.name}/${f}`);
  }
  return files.sort();
}

function runScorer(o: Options, args: string[]): Record<string, { normalized: number; threshold: number; windows_detected: number; fp_rows: number }> {
  const r = spawnSync(o.python, [o.scorer, ...args, '--nab-dir', o.nabDir, '--results', join(o.out, 'results'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${o.scorer} ${args[0]} failed (exit ${r.status}): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout);
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const shipped = loadConfig(join(packageRoot(), 'config/example.yaml'));
  const results = join(o.out, 'results');
  rmSync(results, { recursive: true, force: true });
  const t0 = Date.now();
  const files = seriesFiles(o.nabDir);
  for (const file of files) {
    const s = readSeries(o.nabDir, file);
    const scores = scoreSeries(shipped, s);
    const rows = s.stamps.map((stamp, i) => `${stamp},${s.values[i]},${scores[i]}`);
    const path = join(results, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `timestamp,value,anomaly_score\n${rows.join('\n')}\n`);
  }
  console.log(`${files.length} series replayed in ${((Date.now() - t0) / 1000).toFixed(1)} s; results in ${results}`);
  const best = runScorer(o, ['optimize']);
  const atShipped = runScorer(o, ['score', '--threshold', String(SHIPPED_THRESHOLD_SCORE)]);
  const cell = (n: number): string => n.toFixed(1).padStart(9);
  console.log(`\n${'detector'.padEnd(34)}${PROFILES.map((p) => p.replace('reward_', '').padStart(11)).join('')}`);
  console.log(`${'egress-watch, threshold optimised'.padEnd(34)}${PROFILES.map((p) => `  ${cell(best[p].normalized)}`).join('')}`);
  console.log(`${'egress-watch, shipped thresholds'.padEnd(34)}${PROFILES.map((p) => `  ${cell(atShipped[p].normalized)}`).join('')}`);
  for (const [name, ...scores] of PUBLISHED) console.log(`${`${name} (published)`.padEnd(34)}${scores.map((n) => `  ${cell(n)}`).join('')}`);
  const b = best.standard;
  const s = atShipped.standard;
  console.log(`\nstandard, optimised: threshold ${b.threshold.toFixed(4)}, ${b.windows_detected} of 116 windows detected, ${b.fp_rows} false-positive rows`);
  console.log(`standard, shipped:   ${s.windows_detected} of 116 windows detected, ${s.fp_rows} false-positive rows`);
}

main();
