// The console's alert streams are capped: past the limit a page gets 503 with the reason, and
// a stream that closes frees its place.
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFeed } from '../../src/console/alert-feed.js';
import { RecentVolume } from '../../src/console/recent-volume.js';
import { startConsoleServer, type ConsoleServer } from '../../src/console/server.js';

let server: ConsoleServer | undefined;
const open: ClientRequest[] = [];

afterEach(async () => {
  for (const req of open.splice(0)) req.destroy();
  await server?.close();
  server = undefined;
});

/** GET /events; resolves with the response once its headers are in (the body stays open). */
function stream(url: string): Promise<{ status: number; body: () => Promise<string>; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/events`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise<string>((done) => res.on('end', () => done(Buffer.concat(chunks).toString('utf8'))));
      resolve({ status: res.statusCode ?? 0, body: () => ended, headers: res.headers });
    });
    req.on('error', reject);
    open.push(req);
  });
}

describe('console server', () => {
  it('serves at most maxStreams alert streams at once and frees a place when one closes', async () => {
    server = await startConsoleServer({ feed: new AlertFeed(), volume: new RecentVolume(), title: 't', host: '127.0.0.1', port: 0, maxStreams: 2 });
    const first = await stream(server.url);
    const second = await stream(server.url);
    expect([first.status, second.status]).toEqual([200, 200]);

    const third = await stream(server.url);
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('30');
    expect(await third.body()).toBe('the console serves at most 2 alert streams at once; close another page or try again later\n');

    // The first page goes away: its place is free once the server has seen the close.
    open[0].destroy();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await stream(server.url)).status;
    }
    expect(status).toBe(200);
  });
});
