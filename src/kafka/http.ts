// The operations endpoint: /metrics (Prometheus text), /healthz (the process is alive),
// /readyz (200 only when the assigned partitions are restored and the consumer runs).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpsEndpoints {
  metrics: () => Promise<string>;
  metricsContentType: string;
  /** Readiness and a small JSON body explaining it. */
  readiness: () => { ready: boolean; detail: Record<string, unknown> };
}

export interface OpsServer {
  host: string;
  /** The address the socket is bound to, as the kernel reports it (e.g. 127.0.0.1). */
  address: string;
  port: number;
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

export async function startOpsServer(host: string, port: number, endpoints: OpsEndpoints, onError?: (err: Error) => void): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      endpoints.metrics().then(
        (text) => res.writeHead(200, { 'content-type': endpoints.metricsContentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const { ready, detail } = endpoints.readiness();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify({ ready, ...detail })}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
    }
  });
  // Scrapers keep connections open; do not let them hold up a shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Once listening, a socket error (e.g. out of file descriptors on accept) must not end the
  // process: the server keeps serving the connections it can.
  server.on('error', (err) => onError?.(err));
  const bound = server.address() as AddressInfo;
  const actual = bound.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    address: bound.address,
    port: actual,
    url: `http://${urlHost}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
