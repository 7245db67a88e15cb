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

/** Bytes an event stream may have queued before its page counts as gone. */
const MAX_BUFFERED = 4 * 1024 * 1024;
/**
 * Open alert streams at most: each holds a socket and up to MAX_BUFFERED of memory, and a
 * console is for a SOC team's handful of screens, not for every tab anyone leaves open.
 */
export const DEFAULT_MAX_STREAMS = 32;

/** Host headers this server answers: its own address or localhost, with any port. */
function allowedHost(header: string | undefined, bound: string): boolean {
  if (header === undefined) return false;
  const host = header.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === bound || bound === '0.0.0.0' || bound === '::';
}

export async function startConsoleServer(o: {
  feed: AlertFeed;
  volume: RecentVolume;
  title: string;
  host: string;
  port: number;
  maxStreams?: number;
}): Promise<ConsoleServer> {
  const maxStreams = o.maxStreams ?? DEFAULT_MAX_STREAMS;
  const page = consolePage(o.title);
  const epoch = Date.now().toString(36); // the shell may read the clock: it only tells restarts apart
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
    // DNS rebinding: a page on another site that resolves its name to 127.0.0.1 must not read alerts.
    if (!allowedHost(req.headers.host, o.host)) return send(res, 403, 'text/plain', 'unexpected Host header\n');
    if (url.pathname === '/') {
      // Only this page's own inline code and this server: nothing an alert field could smuggle in loads or runs elsewhere.
      res.setHeader('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:");
      return send(res, 200, 'text/html; charset=utf-8', page);
    }
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
    if (streams.size >= maxStreams) {
      // An EventSource does not retry after a non-200 answer: the page says so (page.ts).
      res.setHeader('retry-after', '30');
      return send(res, 503, 'text/plain', `the console serves at most ${maxStreams} alert streams at once; close another page or try again later\n`);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': egress-watch alerts\n\n'); // a comment: sends the headers now, so the page knows it is live
    const write = (alert: unknown, seq: number) => {
      // A page that stops reading is dropped rather than buffered without bound; it reconnects.
      if (res.writableLength > MAX_BUFFERED) return res.destroy();
      res.write(`id: ${epoch}-${seq}\ndata: ${JSON.stringify(alert)}\n\n`);
    };
    // Event ids carry this server's start, so a page resuming after a console restart gets the kept alerts again, not a gap.
    const [lastEpoch, lastSeq] = String(req.headers['last-event-id'] ?? '').split('-');
    const after = lastEpoch === epoch && Number.isSafeInteger(Number(lastSeq)) ? Number(lastSeq) : 0;
    for (const r of o.feed.since(after)) write(r.alert, r.seq);
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
