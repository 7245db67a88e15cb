// The service as a child process (`egress-watch run`), for tests that SIGKILL it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startTestBroker } from './broker.js';
import { testKafka } from './service-fixtures.js';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const runner = fileURLToPath(new URL('./run-service.mjs', import.meta.url));

/** Compiles src/ into dist/ unless dist/ is already newer than every source file (npm test builds first). */
export function ensureBuilt(): void {
  const stale = sourceFiles(join(root, 'src')).some((ts) => {
    const js = join(root, 'dist', relative(root, ts)).replace(/\.ts$/, '.js');
    try {
      return statSync(js).mtimeMs < statSync(ts).mtimeMs;
    } catch {
      return true;
    }
  });
  if (!stale) return;
  // Errors in files other engineers are still writing do not stop tsc from emitting ours.
  spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'ignore' });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

export interface ServiceProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT, from the service's first log line. */
  httpUrl: Promise<string>;
  /** Every stderr line so far (JSON log lines). */
  lines: string[];
  /** Everything written to stdout so far, in chunks (the service writes nothing there). */
  stdout: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `env` replaces the child's environment (default: ours), e.g. to hand it a password variable. */
export function spawnService(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): ServiceProcess {
  const child = spawn(process.execPath, [runner, 'run', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env });
  const lines: string[] = [];
  let resolveUrl!: (url: string) => void;
  const httpUrl = new Promise<string>((resolve) => (resolveUrl = resolve));
  let buffered = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (process.env.EW_TEST_CHILD_LOG) process.stderr.write(`[${child.pid}] ${line}\n`);
      try {
        const j = JSON.parse(line) as { url?: string };
        if (typeof j.url === 'string') resolveUrl(j.url);
      } catch {
        // not a log line (e.g. a usage message)
      }
    }
  });
  const stdout: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    httpUrl,
    lines,
    stdout,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Resolves once /readyz answers 200. */
export async function waitReady(p: ServiceProcess, timeoutMs = 60_000): Promise<string> {
  const url = await Promise.race([
    p.httpUrl,
    p.exited.then(({ code }) => {
      throw new Error(`service exited (code ${code}) before it listened:\n${p.lines.slice(-10).join('\n')}`);
    }),
  ]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return url;
    if (p.child.exitCode !== null) throw new Error(`service exited (code ${p.child.exitCode}):\n${p.lines.slice(-10).join('\n')}`);
    if (Date.now() > deadline) throw new Error(`service not ready within ${timeoutMs} ms:\n${p.lines.slice(-10).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The shared set-up of the child-process service tests: a built CLI, a broker, a client
 * and a temp folder for config files, all torn down after the file; `run` starts an
 * instance and remembers it so that a failing test cannot leave it running.
 */
export function useServiceHarness(prefix: string): {
  readonly broker: import('./broker.js').TestBroker;
  readonly kafka: import('kafkajs').Kafka;
  readonly dir: string;
  run(configFile: string, instance: string): ServiceProcess;
} {
  const children: ServiceProcess[] = [];
  const h = {
    broker: undefined as unknown as import('./broker.js').TestBroker,
    kafka: undefined as unknown as import('kafkajs').Kafka,
    dir: '',
    run(configFile: string, instance: string): ServiceProcess {
      const p = spawnService(['--config', configFile, '--instance-id', instance, '--session-timeout', '10s', '--http-port', '0']);
      children.push(p);
      return p;
    },
  };
  beforeAll(async () => {
    ensureBuilt();
    h.broker = await startTestBroker();
    h.kafka = testKafka(h.broker.bootstrap);
    h.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    for (const c of children) await c.kill('SIGKILL');
    await h.broker?.stop();
    if (h.dir) rmSync(h.dir, { recursive: true, force: true });
  });
  return h;
}
