import { readFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Asks the kernel for a free port on 127.0.0.1 (bind to port 0, read it, close). */
export function pickFreePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePromise(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port and we may bind it. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
  });
}

/** True when a TCP connection to 127.0.0.1:port is accepted within timeoutMs. */
export function isPortOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolvePromise(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True only when pid is a live JVM running kafka.Kafka on exactly this server.properties.
 * This is the guard that keeps `stop` from signalling a recycled pid or someone else's broker.
 */
export function isOurBroker(pid: number, serverPropertiesPath: string): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false; // gone (or no /proc): nothing of ours to touch
  }
  const argv = cmdline.split('\0').filter((arg) => arg !== '');
  if (argv.length === 0 || !/(^|\/)java$/.test(argv[0])) return false;
  const main = argv.indexOf('kafka.Kafka');
  return main >= 0 && argv[main + 1] === serverPropertiesPath;
}

/** Waits until pid has exited; false when it is still alive after timeoutMs. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid) || isZombie(pid)) return true;
    await sleep(100);
  }
  return !isProcessAlive(pid) || isZombie(pid);
}

// A detached child of this very process lingers as a zombie until reaped; it has exited all the same.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
