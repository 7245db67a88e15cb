/**
 * Which 127.0.0.1 ports the local broker's listeners use, and what to do when one is taken.
 * Free ports are found by binding and closing them, and the JVM binds them seconds later, so
 * another process can take one in between; the broker then exits with "Socket server failed to
 * bind". start reads that from the broker log and asks for a new layout avoiding that port.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isPortFree, pickFreePort } from './broker-process.js';
import { type ExtraListener, parseProperties } from './server-properties.js';

export interface ListenerLayout {
  port: number;
  controllerPort: number;
  extraListeners: Array<Required<ExtraListener>>;
}

/** Ports the caller named (absent ones are chosen here). */
export interface WantedPorts {
  port?: number;
  extraListeners?: ExtraListener[];
}

export function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${what}: ${port} is not a TCP port (1-65535)`);
  }
}

/** The one message for a port the caller pinned that something else holds, before or during start. */
export function portInUseMessage(what: string, port: number): string {
  return `${what}: port ${port} on 127.0.0.1 is already in use`;
}

/**
 * Ports for one start attempt. A pinned port is taken as given (an error when it is in use); an
 * unpinned one keeps the port remembered from serverProperties (the previous run, or the previous
 * attempt) when it is still free and not in `avoid`, so the bootstrap address users copied stays
 * valid; otherwise the kernel picks a free one.
 */
export async function chooseLayout(
  serverProperties: string,
  wanted: WantedPorts,
  avoid: ReadonlySet<number> = new Set(),
): Promise<ListenerLayout> {
  const previous = previousPorts(serverProperties);
  const taken = new Set<number>();
  const choose = async (pinned: number | undefined, remembered: number | undefined, what: string) => {
    if (pinned !== undefined) {
      checkPort(pinned, what);
      if (taken.has(pinned) || !(await isPortFree(pinned))) throw new Error(portInUseMessage(what, pinned));
      taken.add(pinned);
      return pinned;
    }
    if (remembered !== undefined && !taken.has(remembered) && !avoid.has(remembered) && (await isPortFree(remembered))) {
      taken.add(remembered);
      return remembered;
    }
    for (;;) {
      const port = await pickFreePort();
      if (!taken.has(port) && !avoid.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const port = await choose(wanted.port, previous.get('PLAINTEXT'), '--port');
  const controllerPort = await choose(undefined, previous.get('CONTROLLER'), 'controller port');
  const extraListeners: Array<Required<ExtraListener>> = [];
  for (const listener of wanted.extraListeners ?? []) {
    const listenerPort = await choose(listener.port, previous.get(listener.name), `extraListeners ${listener.name}`);
    extraListeners.push({ ...listener, port: listenerPort });
  }
  return { port, controllerPort, extraListeners };
}

/** Listener name → port, e.g. `{ PLAINTEXT: 9092, CONTROLLER: 9093, SASL_SSL: 9094 }`. */
export function layoutPorts(layout: ListenerLayout): Record<string, number> {
  const ports: Record<string, number> = { PLAINTEXT: layout.port, CONTROLLER: layout.controllerPort };
  for (const listener of layout.extraListeners) ports[listener.name] = listener.port;
  return ports;
}

/** How the caller's option that pinned this listener's port is named in messages, or undefined when it was not pinned. */
export function pinnedPortOption(listenerName: string, wanted: WantedPorts): string | undefined {
  if (listenerName === 'PLAINTEXT') return wanted.port === undefined ? undefined : '--port';
  const listener = wanted.extraListeners?.find((l) => l.name === listenerName);
  return listener?.port === undefined ? undefined : `extraListeners ${listenerName}`;
}

/**
 * The port Kafka's SocketServer could not bind because it was in use, read from what the broker
 * logged while it started (Kafka: "Socket server failed to bind to 127.0.0.1:9092: Address
 * already in use."); undefined for any other start-up failure.
 */
export function portTakenAtBind(brokerLog: string): number | undefined {
  const match = /Socket server failed to bind to [^\s:]+:(\d+): Address already in use/.exec(brokerLog);
  return match ? Number(match[1]) : undefined;
}

function previousPorts(serverProperties: string): Map<string, number> {
  const ports = new Map<string, number>();
  if (!existsSync(serverProperties)) return ports;
  const listeners = parseProperties(readFileSync(serverProperties, 'utf8')).get('listeners') ?? '';
  for (const entry of listeners.split(',')) {
    const match = /^([A-Z0-9_]+):\/\/127\.0\.0\.1:(\d+)$/.exec(entry.trim());
    if (match) ports.set(match[1], Number(match[2]));
  }
  return ports;
}
