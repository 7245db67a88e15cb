// The console's HTTP side: the page, the alert stream (server-sent events, resumable by
// Last-Event-ID) and each destination's recent volume as JSON. Plain node:http: three
// routes need no framework.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertFeed } from './alert-feed.js';
import { consolePage } from './page.js';
import type { RecentVolume } from './recent-volume.js';

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

export async function startConsoleServer(o: { feed: AlertFeed; volume: RecentVolume; title: string; host: string; port: number }): Promise<ConsoleServer> {
  const page = consolePage(o.title);
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
    if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', page);
    if (url.pathname === '/events') return events(req, res);
    if (url.pathname === '/api/volume') {
      const destination = url.searchParams.get('destination');
      if (!destination) return send(res, 400, 'text/plain', 'destination= is required\n');
      return send(res, 200, 'application/json', JSON.stringify(o.volume.series(destination)));
    }
    if (url.pathname === '/api/alerts') return send(res, 200, 'application/json', JSON.stringify(o.feed.since().map((r) => r.alert)));
    send(res, 404, 'text/plain', 'not found\n');
  });

  function events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': egress-watch alerts\n\n'); // a comment: sends the headers now, so the page knows it is live
    const write = (alert: unknown, seq: number) => res.write(`id: ${seq}\ndata: ${JSON.stringify(alert)}\n\n`);
    const after = Number(req.headers['last-event-id'] ?? 0);
    for (const r of o.feed.since(Number.isSafeInteger(after) ? after : 0)) write(r.alert, r.seq);
    const unsubscribe = o.feed.subscribe(write);
    streams.add(res);
    req.on('close', () => {
      unsubscribe();
      streams.delete(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
