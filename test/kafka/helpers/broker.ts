/**
 * A real single-node Kafka for integration tests, started with the same code as
 * `egress-watch local start`, in a fresh temp state folder on free ports.
 *
 *   let broker: TestBroker;
 *   beforeAll(async () => { broker = await startTestBroker(); });
 *   afterAll(async () => { await broker.stop(); });
 *
 * Without options, every call in one test file shares one broker (vitest gives each file its
 * own module instance) and the last stop() shuts it down and deletes its folder. With options
 * (extra listeners or properties, SCRAM users) each call gets a broker of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type StartLocalBrokerOptions,
  startLocalBroker,
  stopLocalBroker,
} from '../../../src/kafka/local-broker.js';

export interface TestBroker {
  /** `127.0.0.1:PORT` of the PLAINTEXT listener. */
  bootstrap: string;
  /** Every advertised listener by name (PLAINTEXT plus any extra ones). */
  listeners: Record<string, string>;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

export type TestBrokerOptions = Pick<StartLocalBrokerOptions, 'extraProperties' | 'extraListeners' | 'scramCredentials'>;

interface Shared {
  broker: Promise<TestBroker>;
  users: number;
}

let shared: Shared | undefined;
const startedPids = new Set<number>();

export async function startTestBroker(opts?: TestBrokerOptions): Promise<TestBroker> {
  if (opts !== undefined) return startOwnBroker(opts);
  if (shared === undefined) {
    const entry: Shared = { broker: startOwnBroker({}), users: 0 };
    shared = entry;
    entry.broker.catch(() => {
      if (shared === entry) shared = undefined; // let the next test try again
    });
  }
  const entry = shared;
  entry.users += 1;
  const broker = await entry.broker;
  let released = false;
  return {
    ...broker,
    async stop() {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      if (shared === entry) shared = undefined;
      await broker.stop();
    },
  };
}

async function startOwnBroker(opts: TestBrokerOptions): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'egress-watch-broker-'));
  try {
    const started = await startLocalBroker({ ...opts, dir });
    startedPids.add(started.pid);
    return {
      bootstrap: started.bootstrap,
      listeners: started.listeners,
      dir,
      pid: started.pid,
      async stop() {
        await stopLocalBroker({ dir });
        startedPids.delete(started.pid);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

// The broker is detached so `local start` can outlive its CLI; a test run that dies before
// afterAll must not leave JVMs behind, so kill ours (by pid, started here) on exit.
process.once('exit', () => {
  for (const pid of startedPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
