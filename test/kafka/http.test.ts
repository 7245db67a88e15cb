// The operations endpoint listens on loopback unless the operator says otherwise: metrics and
// health reveal topic names, lag and traffic volumes, which are not for the whole network.
import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.js';
import { startOpsServer, type OpsServer } from '../../src/kafka/http.js';

const endpoints = {
  metrics: async () => 'egress_watch_ready 1\n',
  metricsContentType: 'text/plain; version=0.0.4',
  readiness: () => ({ ready: true, detail: {} }),
};

/** 'open' or the connection error code. */
function connect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the metrics and health endpoint', () => {
  it('binds to 127.0.0.1 by default', async () => {
    const { service } = defaultConfig();
    expect(service).toEqual({ http_host: '127.0.0.1', http_port: 9464 });
    // The default host with any free port (9464 may be taken by a running service on this machine).
    server = await startOpsServer(service.http_host, 0, endpoints);
    expect(server.address).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok\n');
    // Not reachable on this machine's other addresses, where there are any.
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of external) expect(await connect(address, server.port)).toBe('ECONNREFUSED');
  });

  it('binds where service.http_host says, and only there', async () => {
    // Another loopback address (all of 127/8 is loopback on Linux), so the test opens nothing to the network.
    server = await startOpsServer('127.0.0.2', 0, endpoints);
    expect(server.address).toBe('127.0.0.2');
    expect(await connect('127.0.0.2', server.port)).toBe('open');
    expect(await connect('127.0.0.1', server.port)).toBe('ECONNREFUSED');
  });
});
