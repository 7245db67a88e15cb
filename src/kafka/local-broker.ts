/**
 * `egress-watch local`: a single-node Apache Kafka (KRaft combined mode) on 127.0.0.1, run from
 * Maven-resolved jars cached on the machine. Used by the CLI, the demo and the integration tests.
 *
 * State folder layout (see stateFiles): server.properties, data/, broker.pid, broker.log, bootstrap.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isOurBroker, isPortOpen, isProcessAlive, waitForExit } from './local/broker-process.js';
import { ensureKafkaJars } from './local/jars.js';
import { kafkaVersion } from './local/kafka-version.js';
import {
  checkPort,
  chooseLayout,
  type ListenerLayout,
  layoutPorts,
  pinnedPortOption,
  portInUseMessage,
  portTakenAtBind,
} from './local/listener-ports.js';
import { logSize, readLogSince, tailFile } from './local/log-tail.js';
import { localStateDir, stateFiles } from './local/paths.js';
import { brokerAnswers } from './local/readiness.js';
import { type ExtraListener, parseProperties, renderServerProperties } from './local/server-properties.js';
import { formatStorage, type ScramCredential } from './local/storage-format.js';

export { ensureKafkaJars } from './local/jars.js';
export { DEFAULT_KAFKA_VERSION, kafkaVersion } from './local/kafka-version.js';
export type { ExtraListener } from './local/server-properties.js';
export type { ScramCredential } from './local/storage-format.js';

export interface StartLocalBrokerOptions {
  /** State folder; default EGRESS_WATCH_LOCAL_DIR, else ./.egress-watch/local. */
  dir?: string;
  /** PLAINTEXT port on 127.0.0.1; default the previous run's port if free, else a free one. */
  port?: number;
  /** Progress lines (downloading, formatting, starting); the bootstrap address is returned, not logged. */
  log?: (line: string) => void;
  /** Broker settings added to (or replacing keys of) kafka/server.properties.template. */
  extraProperties?: Record<string, string>;
  /** Listeners besides PLAINTEXT, e.g. `{ name: 'SASL_SSL', securityProtocol: 'SASL_SSL' }`. */
  extraListeners?: ExtraListener[];
  /** SCRAM users created when the storage is formatted (only on a fresh data folder). */
  scramCredentials?: ScramCredential[];
  /** How long to wait for the broker to answer; default 90 s. */
  readyTimeoutMs?: number;
  /**
   * Called with the ports of each start attempt (listener name → port, CONTROLLER included) after
   * server.properties is written and just before the JVM starts and binds them. An attempt whose
   * unpinned port was taken meanwhile is retried on new ports, and this is called again.
   */
  onPortsChosen?: (ports: Record<string, number>) => void | Promise<void>;
}

export interface LocalBroker {
  /** `127.0.0.1:PORT` of the PLAINTEXT listener. */
  bootstrap: string;
  pid: number;
  /** Absolute state folder. */
  dir: string;
  /** Every advertised listener by name, e.g. `{ PLAINTEXT: '127.0.0.1:9092', SASL_SSL: '127.0.0.1:9094' }`. */
  listeners: Record<string, string>;
  /** True when start found this broker already running and started nothing. */
  alreadyRunning: boolean;
  kafkaVersion: string;
  logFile: string;
}

export interface LocalBrokerStatus {
  running: boolean;
  dir: string;
  pid?: number;
  bootstrap?: string;
  /** Whether the PLAINTEXT port accepts connections (only checked while running). */
  listening?: boolean;
}

const DEFAULT_READY_TIMEOUT_MS = 90_000;
/** Start attempts when another process takes an unpinned listener port between our pick and the JVM's bind. */
const MAX_START_ATTEMPTS = 5;
const STOP_GRACE_MS = 30_000;
const JVM_OPTIONS = [
  '-Xms256m',
  '-Xmx1g',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
  // slf4j-simple writes to stderr, which is broker.log; timestamps make it readable.
  '-Dorg.slf4j.simpleLogger.showDateTime=true',
  "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
];

/** Starts the local broker, or returns the running one (idempotent), once it answers requests. */
export async function startLocalBroker(opts: StartLocalBrokerOptions = {}): Promise<LocalBroker> {
  const dir = localStateDir(opts.dir);
  const files = stateFiles(dir);
  const readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const version = kafkaVersion();
  if (opts.port !== undefined) checkPort(opts.port, '--port');

  const running = readRunningPid(files.pidFile, files.serverProperties);
  if (running !== undefined) {
    const listeners = advertisedListeners(files.serverProperties);
    const bootstrap = listeners.PLAINTEXT;
    if (bootstrap === undefined) throw new Error(`${files.serverProperties} has no PLAINTEXT listener`);
    if (opts.port !== undefined && bootstrap !== `127.0.0.1:${opts.port}`) {
      throw new Error(
        `a local broker (pid ${running}) already runs from ${dir} on ${bootstrap}, not port ${opts.port}; run "egress-watch local stop" first`,
      );
    }
    await waitUntilReady({ pid: running, bootstrap, logFile: files.logFile, timeoutMs: readyTimeoutMs, stoppedOnTimeout: false });
    return { bootstrap, pid: running, dir, listeners, alreadyRunning: true, kafkaVersion: version, logFile: files.logFile };
  }
  if (existsSync(files.pidFile)) {
    opts.log?.(`removing stale pid file ${files.pidFile} (its process is not running)`);
    rmSync(files.pidFile, { force: true });
  }

  const libsDir = await ensureKafkaJars({ log: opts.log, version });
  const java = javaCommand();
  const classpath = join(libsDir, '*');
  mkdirSync(files.dataDir, { recursive: true });

  const wanted = { port: opts.port, extraListeners: opts.extraListeners };
  const avoid = new Set<number>();
  for (let attempt = 1; ; attempt += 1) {
    const layout = await chooseLayout(files.serverProperties, wanted, avoid);
    writeFileSync(
      files.serverProperties,
      renderServerProperties({
        port: layout.port,
        controllerPort: layout.controllerPort,
        dataDir: files.dataDir,
        extraListeners: layout.extraListeners,
        extraProperties: opts.extraProperties ?? {},
      }),
    );

    appendLog(files.logFile, `\n=== egress-watch local: Kafka ${version}, ${new Date().toISOString()} ===\n`);
    if (!existsSync(files.metaProperties)) {
      // The format records the cluster, node and directory ids, not the listener ports, so a
      // later attempt on other ports starts from this same storage.
      opts.log?.(`formatting KRaft storage in ${files.dataDir}`);
      try {
        await formatStorage({
          java,
          classpath,
          serverProperties: files.serverProperties,
          logFile: files.logFile,
          cwd: dir,
          scramCredentials: opts.scramCredentials,
        });
      } catch (err) {
        throw new Error(`${describeJavaError(err, java)}; last lines of ${files.logFile}:\n${tailFile(files.logFile)}`);
      }
    }

    const bootstrap = `127.0.0.1:${layout.port}`;
    opts.log?.(`starting Kafka ${version} on ${bootstrap} (state in ${dir})`);
    await opts.onPortsChosen?.(layoutPorts(layout));
    const logOffset = logSize(files.logFile);
    const pid = await spawnBroker({ java, classpath, serverProperties: files.serverProperties, logFile: files.logFile, cwd: dir });
    writeFileSync(files.pidFile, `${pid}\n`);
    writeFileSync(files.bootstrapFile, `${bootstrap}\n`);

    try {
      await waitUntilReady({ pid, bootstrap, logFile: files.logFile, timeoutMs: readyTimeoutMs, stoppedOnTimeout: true });
    } catch (err) {
      // Do not leave a half-started JVM behind: the caller gets the error and a clean state folder.
      await terminate(pid, files.serverProperties);
      rmSync(files.pidFile, { force: true });
      const retry = err instanceof BrokerExitedDuringStartup ? portToRetry(readLogSince(files.logFile, logOffset), layout) : undefined;
      if (retry === undefined) throw err;
      const pinnedBy = pinnedPortOption(retry.listener, wanted);
      if (pinnedBy !== undefined) throw new Error(portInUseMessage(pinnedBy, retry.port));
      if (attempt >= MAX_START_ATTEMPTS) {
        throw new Error(
          `the Kafka broker did not start in ${attempt} attempts: each time another process took one of its ports before it bound them (last: port ${retry.port} of the ${retry.listener} listener); last lines of ${files.logFile}:\n${tailFile(files.logFile)}`,
        );
      }
      opts.log?.(`port ${retry.port} of the ${retry.listener} listener was taken before Kafka bound it; starting again on other ports`);
      avoid.add(retry.port);
      continue;
    }
    const listeners = advertisedListeners(files.serverProperties);
    return { bootstrap, pid, dir, listeners, alreadyRunning: false, kafkaVersion: version, logFile: files.logFile };
  }
}

/** The listener whose port the broker found taken, when that is why it exited (see portTakenAtBind). */
function portToRetry(logSinceStart: string, layout: ListenerLayout): { listener: string; port: number } | undefined {
  const port = portTakenAtBind(logSinceStart);
  if (port === undefined) return undefined;
  const listener = Object.entries(layoutPorts(layout)).find(([, p]) => p === port)?.[0];
  return listener === undefined ? undefined : { listener, port };
}

/** Stops the broker of the state folder; false when none was running. Only ever signals our own kafka.Kafka JVM. */
export async function stopLocalBroker(opts: { dir?: string } = {}): Promise<boolean> {
  const files = stateFiles(localStateDir(opts.dir));
  const pid = readRunningPid(files.pidFile, files.serverProperties);
  if (pid === undefined) {
    rmSync(files.pidFile, { force: true }); // a stale pid file, if any, names no broker of ours
    return false;
  }
  await terminate(pid, files.serverProperties);
  rmSync(files.pidFile, { force: true });
  return true;
}

/** Whether the state folder's broker runs, with its pid and bootstrap address. */
export async function localBrokerStatus(opts: { dir?: string } = {}): Promise<LocalBrokerStatus> {
  const dir = localStateDir(opts.dir);
  const files = stateFiles(dir);
  const pid = readRunningPid(files.pidFile, files.serverProperties);
  const bootstrap = readTrimmed(files.bootstrapFile);
  if (pid === undefined) return { running: false, dir, bootstrap };
  const port = bootstrap === undefined ? undefined : Number(bootstrap.split(':').pop());
  const listening = port !== undefined && Number.isInteger(port) ? await isPortOpen(port) : false;
  return { running: true, dir, pid, bootstrap, listening };
}

function readRunningPid(pidFile: string, serverProperties: string): number | undefined {
  const text = readTrimmed(pidFile);
  if (text === undefined) return undefined;
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return isOurBroker(pid, serverProperties) ? pid : undefined;
}

function readTrimmed(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Listener name → 127.0.0.1:port, read from advertised.listeners of the written server.properties. */
function advertisedListeners(serverProperties: string): Record<string, string> {
  const result: Record<string, string> = {};
  let text = '';
  try {
    text = readFileSync(serverProperties, 'utf8');
  } catch {
    return result;
  }
  const value = parseProperties(text).get('advertised.listeners') ?? '';
  for (const entry of value.split(',')) {
    const match = /^([A-Z0-9_]+):\/\/(.+)$/.exec(entry.trim());
    if (match) result[match[1]] = match[2];
  }
  return result;
}

function javaCommand(): string {
  const javaHome = process.env.JAVA_HOME?.trim();
  return javaHome ? join(javaHome, 'bin', 'java') : 'java';
}

function describeJavaError(err: unknown, java: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `"${java}" not found: a Java 17+ runtime is needed to run Kafka (or set JAVA_HOME)`;
  return err instanceof Error ? err.message : String(err);
}

function appendLog(logFile: string, text: string): void {
  const fd = openSync(logFile, 'a');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Spawns `java ... kafka.Kafka server.properties` detached from us, output to broker.log; resolves its pid. */
async function spawnBroker(opts: {
  java: string;
  classpath: string;
  serverProperties: string;
  logFile: string;
  cwd: string;
}): Promise<number> {
  const logFd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(opts.java, [...JVM_OPTIONS, '-cp', opts.classpath, 'kafka.Kafka', opts.serverProperties], {
      cwd: opts.cwd,
      detached: true, // its own process group: outlives `egress-watch local start` and a Ctrl-C there
      stdio: ['ignore', logFd, logFd],
    });
    const pid = await new Promise<number>((resolvePromise, reject) => {
      child.once('error', (err) => reject(new Error(describeJavaError(err, opts.java))));
      child.once('spawn', () => (child.pid === undefined ? reject(new Error('java started without a pid')) : resolvePromise(child.pid)));
    });
    child.unref();
    return pid;
  } finally {
    closeSync(logFd);
  }
}

class BrokerExitedDuringStartup extends Error {}

async function waitUntilReady(opts: {
  pid: number;
  bootstrap: string;
  logFile: string;
  timeoutMs: number;
  /** Wording only: a fresh start stops the broker that never answered. */
  stoppedOnTimeout: boolean;
}): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await waitForExit(opts.pid, 0)) {
      throw new BrokerExitedDuringStartup(
        `the Kafka broker (pid ${opts.pid}) exited during startup; last lines of ${opts.logFile}:\n${tailFile(opts.logFile)}`,
      );
    }
    if (await brokerAnswers(opts.bootstrap)) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `the Kafka broker (pid ${opts.pid}) did not answer on ${opts.bootstrap} within ${Math.round(opts.timeoutMs / 1000)} s${opts.stoppedOnTimeout ? ' and was stopped' : ''}; last lines of ${opts.logFile}:\n${tailFile(opts.logFile)}`,
      );
    }
    await sleep(500);
  }
}

/** SIGTERM (Kafka shuts down cleanly), SIGKILL after the grace period; only for our own broker JVM. */
async function terminate(pid: number, serverProperties: string): Promise<void> {
  if (!isOurBroker(pid, serverProperties)) return;
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, STOP_GRACE_MS)) return;
  if (isOurBroker(pid, serverProperties)) signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, 10_000)) && isProcessAlive(pid)) {
    throw new Error(`the Kafka broker (pid ${pid}) did not exit after SIGKILL`);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: already gone
  }
}
