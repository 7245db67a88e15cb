// `npm run faults [-- --seed N --faults N --size full|short --kinds a,b --keep-logs]`: the full
// fault schedule against a broker of its own. Exits 0 when every check passed, 1 when one
// failed, 2 on a usage error. FAULTS_SEED and FAULTS_COUNT set the seed and count too.
import { parseArgs } from 'node:util';
import { runFaultSuite } from './driver.js';
import { formatReport } from './report.js';
import { FAULT_KINDS, type FaultKind } from './schedule.js';

const USAGE = `usage: npm run faults -- [--seed N] [--faults N] [--size full|short] [--kinds ${FAULT_KINDS.join(',')}] [--keep-logs]
  --seed N       workload and fault schedule (default 1, or FAULTS_SEED)
  --faults N     faults to inject (default 10, or FAULTS_COUNT)
  --size S       workload: full (36 h, ~150,000 records) or short (36 h, ~76,000 records); default full
  --kinds LIST   fault kinds to draw from (default all five)
  --keep-logs    keep the run folder (config, instance logs) even when the suite passes`;

function usage(message: string): never {
  process.stderr.write(`faults: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) usage(`${what}: expected a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: 'string' },
        faults: { type: 'string' },
        size: { type: 'string' },
        kinds: { type: 'string' },
        'keep-logs': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const seed = wholeNumber(values.seed ?? process.env.FAULTS_SEED ?? '1', '--seed');
  const faults = wholeNumber(values.faults ?? process.env.FAULTS_COUNT ?? '10', '--faults');
  const size = values.size ?? 'full';
  if (size !== 'full' && size !== 'short') usage(`--size: expected full or short, got ${JSON.stringify(size)}`);
  const kinds = values.kinds?.split(',').map((k) => k.trim());
  for (const k of kinds ?? []) if (!(FAULT_KINDS as readonly string[]).includes(k)) usage(`--kinds: unknown fault kind ${JSON.stringify(k)}`);

  // Ctrl-C or a kill: exit, and the driver's exit hook kills every process it started.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  const result = await runFaultSuite({ seed, faults, size, kinds: kinds as FaultKind[] | undefined, keepLogs: values['keep-logs'] });
  process.stdout.write(`${formatReport(result)}\n`);
  process.exitCode = result.passed ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
