// The service under soak as its own process (`egress-watch run`), so the figures are those of
// the real service (its own event loop, heap and GC), not of a service sharing the load
// generator's process. Its JSON log lines go to a file; the first one names the HTTP address.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../src/io/schemas.js';

export interface ServiceChild {
  pid: number;
  /** http://127.0.0.1:PORT once it listens. */
  httpUrl: Promise<string>;
  /** Resolves when the process ends, with its exit code or signal. */
  exited: Promise<string>;
  hasExited(): boolean;
  /** SIGTERM (finish the batch, commit, leave the group), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<string>;
}

export function spawnServiceChild(configFile: string, logFile: string): ServiceChild {
  const root = packageRoot();
  const child = spawn(
    process.execPath,
    // SOAK_SERVICE_NODE_ARGS: node options for the service alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    [...(process.env.SOAK_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean), join(root, 'bin', 'egress-watch.js'), 'run', '--config', configFile, '--instance-id', 'soak', '--http-port', '0', '--log-level', 'info'],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const log = createWriteStream(logFile);
  let resolveUrl!: (url: string) => void;
  const httpUrl = new Promise<string>((resolve) => (resolveUrl = resolve));
  let pending = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    log.write(chunk);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as { url?: unknown };
        if (typeof entry.url === 'string') resolveUrl(entry.url);
      } catch {
        // not a JSON log line (a usage message, say): it is in the log file
      }
    }
  });
  let ended = false;
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = true;
      log.end();
      resolve(signal !== null ? `signal ${signal}` : `exit code ${code}`);
    }),
  );
  return {
    pid: child.pid!,
    httpUrl,
    exited,
    hasExited: () => ended,
    async stop(graceMs = 20_000) {
      if (ended) return exited;
      child.kill('SIGTERM');
      const outcome = await Promise.race([exited, sleep(graceMs).then(() => undefined)]);
      if (outcome !== undefined) return outcome;
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Resolves with the HTTP address once /readyz answers 200; fails if the process ends first. */
export async function waitServiceReady(service: ServiceChild, logFile: string, timeoutMs = 120_000): Promise<string> {
  const died = service.exited.then((how) => {
    throw new Error(`the service ended (${how}) before it was ready; see ${logFile}`);
  });
  died.catch(() => {});
  const url = await Promise.race([service.httpUrl, died]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return url;
    if (service.hasExited()) await died;
    if (Date.now() > deadline) throw new Error(`the service was not ready within ${timeoutMs / 1000} s; see ${logFile}`);
    await sleep(250);
  }
}
