// `egress-watch run` instances as child processes the fault driver can signal: SIGKILL, SIGTERM,
// SIGSTOP/SIGCONT. Each one's JSON log lines go to a file of its own; every process ever started
// is remembered so that cleanup (also on failure or on the driver's own exit) kills them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../io/schemas.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface InstanceOptions {
  configFile: string;
  sessionTimeoutMs: number;
  logDir: string;
  /** Told about every exit the driver did not cause. */
  onUnplannedExit: (name: string, exit: Exit, lastLines: string[]) => void;
}

const KEEP_LINES = 40;

/** One process of one named instance (a restart is a new ServiceProcess with the same name). */
export class ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly url: Promise<string>;
  private readonly last: string[] = [];
  private planned = false;
  private stopped = false;

  constructor(
    readonly name: string,
    o: InstanceOptions,
    log: WriteStream,
  ) {
    const bin = join(packageRoot(), 'bin', 'egress-watch.js');
    const args = [bin, 'run', '--config', o.configFile, '--instance-id', name, '--http-port', '0', '--session-timeout', `${o.sessionTimeoutMs}ms`];
    this.child = spawn(process.execPath, args, { cwd: packageRoot(), stdio: ['ignore', 'ignore', 'pipe'] });
    let resolveUrl!: (url: string) => void;
    this.url = new Promise((resolve) => (resolveUrl = resolve));
    let buffered = '';
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log.write(chunk);
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        this.last.push(line);
        if (this.last.length > KEEP_LINES) this.last.shift();
        if (line.includes('"url"')) {
          try {
            const j = JSON.parse(line) as { url?: unknown };
            if (typeof j.url === 'string') resolveUrl(j.url);
          } catch {
            // not a JSON log line
          }
        }
      }
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        const exit = { code, signal };
        if (!this.planned) o.onUnplannedExit(name, exit, [...this.last]);
        resolve(exit);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get paused(): boolean {
    return this.stopped;
  }

  lastLines(): string[] {
    return [...this.last];
  }

  /** A signal whose exit (if any) the driver caused. */
  signal(signal: NodeJS.Signals): void {
    if (!this.alive) return;
    if (signal !== 'SIGSTOP' && signal !== 'SIGCONT') this.planned = true;
    if (signal === 'SIGSTOP') this.stopped = true;
    if (signal === 'SIGCONT') this.stopped = false;
    this.child.kill(signal);
  }

  async terminate(signal: 'SIGTERM' | 'SIGKILL', timeoutMs = 60_000): Promise<Exit> {
    this.signal(signal);
    if (this.stopped && signal === 'SIGTERM') this.signal('SIGCONT');
    const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
    const result = await Promise.race([this.exited, timer]);
    if (result !== 'timeout') return result;
    this.signal('SIGKILL');
    return this.exited;
  }

  /** Resolves once /readyz answers 200 (assigned partitions restored, consumer running). */
  async waitReady(timeoutMs: number): Promise<void> {
    const url = await Promise.race([this.url, this.exited.then(() => null)]);
    if (url === null) throw new Error(`instance ${this.name} exited before it listened:\n${this.last.slice(-10).join('\n')}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`instance ${this.name} exited:\n${this.last.slice(-10).join('\n')}`);
      if ((await fetch(`${url}/readyz`).then((r) => r.status, () => 0)) === 200) return;
      if (Date.now() > deadline) throw new Error(`instance ${this.name} not ready within ${timeoutMs} ms:\n${this.last.slice(-10).join('\n')}`);
      await sleep(200);
    }
  }
}

/** The instances of one run by name, plus every process ever started (for cleanup). */
export class InstanceSet {
  private readonly current = new Map<string, ServiceProcess>();
  private readonly all: ServiceProcess[] = [];
  private readonly logs = new Map<string, WriteStream>();

  constructor(private readonly o: InstanceOptions) {}

  start(name: string): ServiceProcess {
    const previous = this.current.get(name);
    if (previous?.alive) throw new Error(`instance ${name} is still running (pid ${previous.pid})`);
    let log = this.logs.get(name);
    if (log === undefined) {
      log = createWriteStream(join(this.o.logDir, `${name}.log`), { flags: 'a' });
      this.logs.set(name, log);
    }
    const p = new ServiceProcess(name, this.o, log);
    this.current.set(name, p);
    this.all.push(p);
    return p;
  }

  get(name: string): ServiceProcess | undefined {
    return this.current.get(name);
  }

  /** The latest process of each name that is still running. */
  running(): ServiceProcess[] {
    return [...this.current.values()].filter((p) => p.alive);
  }

  /** SIGKILL to every process still alive (a stopped one dies too), then wait for the exits. */
  async killAll(): Promise<void> {
    const alive = this.all.filter((p) => p.alive);
    for (const p of alive) p.signal('SIGKILL');
    await Promise.all(alive.map((p) => p.exited));
    for (const log of this.logs.values()) log.end();
  }

  /** For a synchronous exit handler: SIGKILL by pid, no waiting. */
  killAllNow(): void {
    for (const p of this.all) if (p.alive) p.signal('SIGKILL');
  }
}
