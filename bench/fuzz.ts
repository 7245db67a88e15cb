// npm run fuzz: a bounded fuzz run of every decoder entry point and the engine with bad input
// at scale (random bytes, damaged Avro, JSON with wrong, missing and extra fields, bad numbers,
// IPs and country codes, 1 MiB strings, unknown schema ids, damaged files, random flow
// sequences). Prints the inputs tried and the outcome counts per target and the heap used;
// exits 1 when an exception escaped, an outcome was wrong, an input hung, or the heap grew
// past its bound.
//
// Options (argv or env): --seconds N (FUZZ_SECONDS, default 60), --inputs N (FUZZ_INPUTS:
// stop after this many inputs in all, default no limit), --seed N (FUZZ_SEED, default 1),
// --max-heap-mb N (FUZZ_MAX_HEAP_MB, default 384: the largest heap used allowed),
// --hang-seconds N (FUZZ_HANG_SECONDS, default 20: one input taking longer is a hang).
//
// The targets run in a worker thread that marks its progress in shared memory: a synchronous
// endless loop cannot report itself, so the main thread watches and names the input that hung.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { parseArgs } from 'node:util';

interface Options {
  seconds: number;
  inputs: number;
  seed: number;
  maxHeapMb: number;
  hangSeconds: number;
}

interface TargetReport {
  name: string;
  unit: string;
  tried: number;
  counts: Record<string, number>;
  failures: string[];
  failureCount: number;
}

interface Report {
  targets: TargetReport[];
  heapMaxBytes: number;
  heapStartBytes: number;
  heapEndBytes: number;
  seconds: number;
}

/** Progress in shared memory: [0] inputs done, [1] target index, [2] batch seed, [3] index in batch. */
const DONE = 0;
const TARGET = 1;
const SEED = 2;
const INDEX = 3;

function options(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      inputs: { type: 'string' },
      seed: { type: 'string' },
      'max-heap-mb': { type: 'string' },
      'hang-seconds': { type: 'string' },
    },
  });
  const num = (arg: string | undefined, env: string, fallback: number): number => {
    const text = arg ?? process.env[env];
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${env} / option: not a non-negative number: ${text}`);
    return n;
  };
  return {
    seconds: num(values.seconds, 'FUZZ_SECONDS', 60),
    inputs: num(values.inputs, 'FUZZ_INPUTS', Number.POSITIVE_INFINITY),
    seed: num(values.seed, 'FUZZ_SEED', 1),
    maxHeapMb: num(values['max-heap-mb'], 'FUZZ_MAX_HEAP_MB', 384),
    hangSeconds: num(values['hang-seconds'], 'FUZZ_HANG_SECONDS', 20),
  };
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The worker: round-robin over the targets, one batch at a time, until time or inputs run out. */
async function fuzz(opts: Options, progress: Int32Array): Promise<Report> {
  const { TARGETS, cleanup } = await import('./fuzz/targets.js');
  // Loading takes seconds on a busy machine: the watchdog starts from here.
  parentPort!.postMessage({ ready: TARGETS.map((t) => t.name) });
  const reports: TargetReport[] = TARGETS.map((t) => ({ name: t.name, unit: t.unit, tried: 0, counts: {}, failures: [], failureCount: 0 }));
  const counts = TARGETS.map(() => new Map<string, number>());
  const start = performance.now();
  const deadline = start + opts.seconds * 1000;
  collectGarbage();
  const heapStart = heapUsed();
  let heapMax = heapStart;
  let total = 0;
  let round = 0;
  try {
    outer: for (;;) {
      for (let t = 0; t < TARGETS.length; t++) {
        const target = TARGETS[t];
        // Seeds differ per target and round, and repeat for the same --seed.
        const seed = (opts.seed * 1_000_003 + round * 101 + t) | 0;
        Atomics.store(progress, TARGET, t);
        Atomics.store(progress, SEED, seed);
        const inputs = target.draw(seed, target.batch);
        for (let i = 0; i < inputs.length; i++) {
          if (performance.now() >= deadline || total >= opts.inputs) break outer;
          Atomics.store(progress, INDEX, i);
          try {
            await target.run(inputs[i], counts[t]);
          } catch (err) {
            const r = reports[t];
            r.failureCount++;
            if (r.failures.length < 5) r.failures.push(`seed ${seed} input ${i}: ${(err as Error).stack ?? String(err)}`.slice(0, 1500));
          }
          reports[t].tried++;
          total++;
          Atomics.add(progress, DONE, 1);
          if ((total & 63) === 0) heapMax = Math.max(heapMax, heapUsed());
        }
        heapMax = Math.max(heapMax, heapUsed());
      }
      round++;
    }
  } finally {
    cleanup();
  }
  heapMax = Math.max(heapMax, heapUsed());
  collectGarbage();
  const heapEnd = heapUsed();
  reports.forEach((r, t) => {
    r.counts = Object.fromEntries([...counts[t]].sort((a, b) => b[1] - a[1]));
  });
  return { targets: reports, heapMaxBytes: heapMax, heapStartBytes: heapStart, heapEndBytes: heapEnd, seconds: (performance.now() - start) / 1000 };
}

const MB = 1024 * 1024;

function printReport(report: Report, opts: Options): boolean {
  let total = 0;
  let failures = 0;
  console.log(`egress-watch fuzz run: seed ${opts.seed}, ${report.seconds.toFixed(1)} s`);
  for (const t of report.targets) {
    total += t.tried;
    failures += t.failureCount;
    console.log(`\n${t.name}\n  ${t.tried} ${t.unit}s tried, ${t.failureCount} failed`);
    const parts = Object.entries(t.counts).map(([k, v]) => `${k} ${v}`);
    for (let i = 0; i < parts.length; i += 5) console.log(`  ${parts.slice(i, i + 5).join(', ')}`);
    for (const f of t.failures) console.log(`  FAILED ${f.replace(/\n/g, '\n    ')}`);
  }
  const heapOk = report.heapMaxBytes <= opts.maxHeapMb * MB;
  console.log(`\ninputs tried: ${total}; failures (escaped exceptions or wrong outcomes): ${failures}`);
  console.log(
    `heap used: ${(report.heapStartBytes / MB).toFixed(1)} MiB at start, max ${(report.heapMaxBytes / MB).toFixed(1)} MiB ` +
      `(bound ${opts.maxHeapMb} MiB: ${heapOk ? 'kept' : 'EXCEEDED'}), ${(report.heapEndBytes / MB).toFixed(1)} MiB at the end after GC`,
  );
  console.log(`peak RSS of the process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  return failures === 0 && heapOk;
}

async function main(): Promise<void> {
  const opts = options();
  const shared = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  const progress = new Int32Array(shared);
  const worker = new Worker(new URL(import.meta.url), { workerData: { opts, shared } });
  let report: Report | undefined;
  let failure: string | undefined;
  let names: string[] | undefined;
  worker.on('message', (m: Report | { ready: string[] }) => {
    if ('ready' in m) names = m.ready;
    else report = m;
  });
  worker.on('error', (err) => {
    failure = `the fuzz worker crashed: ${err.stack ?? String(err)}`;
  });
  // The watchdog: no input finished for hangSeconds means one hangs (or takes far too long).
  let lastDone = -1;
  let lastChange = performance.now();
  const watchdog = setInterval(() => {
    const done = Atomics.load(progress, DONE);
    if (names === undefined || done !== lastDone) {
      lastDone = done;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > opts.hangSeconds * 1000) {
      const target = Atomics.load(progress, TARGET);
      failure = `HANG: no input finished for ${opts.hangSeconds} s in target "${names[target]}": ` +
        `input ${Atomics.load(progress, INDEX)} of the batch drawn with seed ${Atomics.load(progress, SEED)} (draw(seed) again to reproduce)`;
      void worker.terminate();
    }
  }, 500);
  await new Promise<void>((resolve) => worker.on('exit', () => resolve()));
  clearInterval(watchdog);
  if (failure !== undefined) {
    console.error(failure);
    process.exitCode = 1;
    return;
  }
  if (report === undefined) {
    console.error('the fuzz worker ended without a report');
    process.exitCode = 1;
    return;
  }
  if (!printReport(report, opts)) process.exitCode = 1;
}

if (isMainThread) {
  await main();
} else {
  const { opts, shared } = workerData as { opts: Options; shared: SharedArrayBuffer };
  parentPort!.postMessage(await fuzz(opts, new Int32Array(shared)));
}
