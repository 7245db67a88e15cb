// JSON Lines flow files (.jsonl, or gzip-compressed .jsonl.gz): one flow
// record per line, blank lines skipped. Reads large chunks and splits lines
// itself (faster than readline) and yields one batch of items per chunk, of at
// most BATCH_LINES lines. The line splitting serves the input dialects' text
// files too (readLineBatches).

import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Readable, Writable } from 'node:stream';
import { checkFlow, invalidJsonReason } from './validate-flow.js';
import type { InputItem, ReadOptions } from './input-item.js';
import { CANNOT_READ, itemsOf, READ_FAILED } from './input-item.js';

const DEFAULT_CHUNK = 1 << 20;

/**
 * The most lines in one batch: about what a 1 MiB chunk of flow JSON holds (a record is
 * 300-400 bytes). Batches are counted in records, not bytes, so that every format gives the
 * shell batches of comparable size: a compact dialect (a VPC line is a third of a flow JSON
 * line) would otherwise keep three times the records of a batch alive, and the shell's
 * per-batch work (progress, draining the scores file) would come three times as seldom.
 */
export const BATCH_LINES = 3000;

/** Reads a .jsonl or .jsonl.gz file (gzip chosen by the .gz extension) in batches. */
export function readJsonlBatches(path: string, options: ReadOptions = {}): AsyncIterable<InputItem[]> {
  return readLineBatches(path, options, parseLine);
}

/**
 * Handles one line of a file: bytes[start, end) without the line end, `line` 1-based; pushes
 * what it makes of it onto `out`.
 */
export type LineHandler = (bytes: Buffer, start: number, end: number, label: string, line: number, out: InputItem[]) => void;

/**
 * Reads a text file of lines (gzip-compressed when the name ends in .gz) in batches, each line
 * given to `handle`: a batch ends at the end of a chunk read, or after `batchLines` lines
 * (default BATCH_LINES), whichever comes first; an empty batch is not yielded.
 */
export async function* readLineBatches(path: string, options: ReadOptions, handle: LineHandler): AsyncIterable<InputItem[]> {
  const label = options.label ?? basename(path);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const batchLines = options.batchLines ?? BATCH_LINES;
  const onProgress = options.onProgress;
  let totalBytes = 0;
  try {
    totalBytes = statSync(path).size;
  } catch (err) {
    yield [{ ok: false, where: `${label}:1`, reason: `${CANNOT_READ}${(err as Error).message}` }];
    return;
  }
  // An empty file holds no line, compressed or not (gunzip would call a 0-byte .gz cut short).
  if (totalBytes === 0) return;
  let bytesRead = 0;

  const file = createReadStream(path, { highWaterMark: chunkSize });
  if (onProgress) {
    file.on('data', (chunk: Buffer | string) => {
      bytesRead += chunk.length;
      onProgress(bytesRead, totalBytes);
    });
  }
  // pipeline() destroys the gunzip stream when the file stream fails, so a
  // read error surfaces in the loop below instead of hanging it.
  const source: Readable = path.toLowerCase().endsWith('.gz')
    ? pipeline(file, createGunzip({ chunkSize }), () => {})
    : file;

  // Lines are split on the byte 0x0A, which never occurs inside a multi-byte
  // UTF-8 character, and each line is decoded on its own: much faster than
  // decoding whole chunks to one big string first.
  let carry: Buffer | null = null;
  let line = 0;
  try {
    for await (const chunk of source) {
      const bytes: Buffer = carry === null ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
      let batch: InputItem[] = [];
      let linesInBatch = 0;
      let start = 0;
      let end: number;
      while ((end = bytes.indexOf(10, start)) !== -1) {
        line++;
        handle(bytes, line === 1 ? afterBom(bytes, start, end) : start, end, label, line, batch);
        start = end + 1;
        if (++linesInBatch === batchLines) {
          if (batch.length > 0) yield batch;
          batch = [];
          linesInBatch = 0;
        }
      }
      carry = start === bytes.length ? null : bytes.subarray(start);
      if (batch.length > 0) yield batch;
    }
  } catch (err) {
    yield [{ ok: false, where: `${label}:${line + 1}`, reason: `${READ_FAILED}${(err as Error).message}` }];
    return;
  } finally {
    source.destroy();
    file.destroy();
  }
  if (carry !== null) {
    const batch: InputItem[] = [];
    handle(carry, line === 0 ? afterBom(carry, 0, carry.length) : 0, carry.length, label, line + 1, batch);
    if (batch.length > 0) yield batch;
  }
}

/**
 * Where the first line's text starts: after a UTF-8 byte order mark (EF BB BF), which editors
 * and tools on Windows write at the start of a file; it is no part of the first record.
 */
function afterBom(bytes: Buffer, start: number, end: number): number {
  return end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf ? start + 3 : start;
}

/** Reads a .jsonl or .jsonl.gz file one item at a time (a wrapper of readJsonlBatches). */
export function readJsonl(path: string, options: ReadOptions = {}): AsyncIterable<InputItem> {
  return itemsOf(readJsonlBatches(path, options));
}

function parseLine(bytes: Buffer, start: number, end: number, label: string, line: number, out: InputItem[]): void {
  if (end > start && bytes[end - 1] === 13) end--; // CRLF line ends
  if (end === start) return; // blank line
  const source = bytes.toString('utf8', start, end);
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (err) {
    if (source.trim().length === 0) return; // a line of only spaces is blank too
    out.push({ ok: false, where: `${label}:${line}`, reason: invalidJsonReason(err) });
    return;
  }
  const flow = checkFlow(value);
  if (typeof flow === 'string') out.push({ ok: false, where: `${label}:${line}`, reason: flow });
  else out.push({ ok: true, flow, where: `${label}:${line}` });
}

/**
 * Writes one JSON value a line to a file (gzip-compressed when the name ends
 * in .gz), to stdout for '-', or to a given stream. Lines are gathered into
 * 64 KiB writes; `write` returns false when the caller should `await drain()`.
 */
export class JsonlWriter {
  private readonly out: Writable;
  private readonly sink: Writable;
  private readonly ownsSink: boolean;
  private pending = '';
  private failure: Error | null = null;
  private closed = false;

  constructor(target: string | Writable) {
    if (target === '-') {
      this.out = this.sink = process.stdout;
      this.ownsSink = false;
    } else if (typeof target === 'string') {
      this.sink = createWriteStream(target);
      this.ownsSink = true;
      if (target.toLowerCase().endsWith('.gz')) {
        const gzip = createGzip();
        gzip.pipe(this.sink);
        gzip.on('error', (err) => this.sink.destroy(err));
        this.out = gzip;
      } else {
        this.out = this.sink;
      }
    } else {
      this.out = this.sink = target;
      this.ownsSink = false;
    }
    const remember = (err: Error): void => {
      this.failure ??= err;
    };
    this.out.on('error', remember);
    if (this.sink !== this.out) this.sink.on('error', remember);
  }

  /** Appends one value as a line. Returns false when buffers are full: await drain(). */
  write(value: unknown): boolean {
    if (this.closed) throw new Error('JsonlWriter: write after close');
    if (this.failure) throw this.failure;
    this.pending += JSON.stringify(value) + '\n';
    if (this.pending.length < 65536) return true;
    return this.flushPending();
  }

  /** Waits until the underlying stream has room again. */
  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  /** Flushes everything and, for a file, closes it; resolves when the data is on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushPending();
    this.closed = true;
    if (this.failure) throw this.failure;
    if (this.ownsSink) {
      this.out.end();
      await finished(this.sink);
    } else if (this.out.writableNeedDrain) {
      await once(this.out, 'drain');
    }
    if (this.failure) throw this.failure;
  }

  private flushPending(): boolean {
    if (this.pending.length === 0) return true;
    const text = this.pending;
    this.pending = '';
    return this.out.write(text);
  }
}
