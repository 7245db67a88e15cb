// Avro object container files (.avro) of flow records.
//
// Reading: avsc's BlockDecoder stream silently stops at a truncated last block
// and cannot say which block a bad record came from, so the container framing
// (header, then blocks of: record count, byte size, data, 16-byte sync marker;
// see the Avro specification, "Object Container Files") is walked here. avsc
// decodes the header; records written with the local schema go through the
// specialised decoder of flow-binary.ts, any other writer schema (older or
// newer) through avsc's schema resolution to schemas/flow-record.avsc, so
// missing defaulted fields read as null. Every problem becomes one error item
// naming the block: a truncated file ends the read, a block with broken
// framing is skipped up to the next sync marker (as Avro's own readers
// recover), a bad record skips the rest of its block.
//
// Writing: avsc's BlockEncoder piped to the file.

import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { inflateRawSync } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import avro from 'avsc';
import type { Type } from 'avsc';
import type { FlowRecord } from '../engine/types.js';
import type { InputItem, ReadOptions } from './input-item.js';
import { CANNOT_READ, itemsOf, READ_FAILED } from './input-item.js';
import { scanAvro } from './avro-scan.js';
import { canDecodeFast, decodeFlowBinary, decodeLong, newCursor, TRUNCATED } from './flow-binary.js';
import { flowRecordType, schemaJson } from './schemas.js';
import { checkFlow, checkFlowValues, errorText } from './validate-flow.js';

const DEFAULT_CHUNK = 1 << 20;
/**
 * Largest decompressed block accepted: writers cut blocks at 64 KiB to a few
 * MiB; a small deflated block could otherwise inflate to gigabytes (a
 * decompression bomb) and take the process's memory with it.
 */
const MAX_INFLATED_BLOCK = 64 << 20;
const MAGIC = Buffer.from('Obj\x01', 'latin1');
const SYNC_SIZE = 16;

const HEADER_TYPE = avro.Type.forSchema({
  type: 'record',
  name: 'Header',
  namespace: 'org.apache.avro.file',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: SYNC_SIZE } },
  ],
});

interface Header {
  magic: Buffer;
  meta: Record<string, Buffer>;
  sync: Buffer;
}

/**
 * A window on the file: `buf[pos..len)` holds the bytes not consumed yet.
 * Reads go straight into one reused buffer (grown for a block larger than
 * it), so big files cost no per-chunk allocation or concatenation.
 */
class FileWindow {
  buf: Buffer;
  pos = 0;
  len = 0;
  /** File offset of buf[0]. */
  base = 0;
  private eof = false;

  constructor(
    private readonly file: FileHandle,
    chunkSize: number,
    private readonly onRead: (bytesRead: number) => void,
  ) {
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  get available(): number {
    return this.len - this.pos;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  /** The valid bytes as a Buffer (a view, not a copy). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Reads more of the file after the unread bytes; false at end of file. */
  async more(): Promise<boolean> {
    if (this.eof) return false;
    if (this.pos > 0) {
      this.buf.copy(this.buf, 0, this.pos, this.len);
      this.base += this.pos;
      this.len -= this.pos;
      this.pos = 0;
    }
    if (this.len === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    const { bytesRead } = await this.file.read(this.buf, this.len, this.buf.length - this.len, null);
    if (bytesRead === 0) {
      this.eof = true;
      return false;
    }
    this.len += bytesRead;
    this.onRead(this.base + this.len);
    return true;
  }
}

/**
 * Reads an Avro container file of flow records, one batch of items per block.
 * Never throws: a bad header, block or record becomes an error item.
 */
export async function* readAvroBatches(path: string, options: ReadOptions = {}): AsyncIterable<InputItem[]> {
  const label = options.label ?? basename(path);
  const onProgress = options.onProgress;
  let file: FileHandle;
  let totalBytes: number;
  try {
    file = await open(path, 'r');
    totalBytes = (await file.stat()).size;
  } catch (err) {
    yield [{ ok: false, where: `${label}:header`, reason: `${CANNOT_READ}${(err as Error).message}` }];
    return;
  }
  const input = new FileWindow(file, options.chunkSize ?? DEFAULT_CHUNK, onProgress ? (n) => onProgress(n, totalBytes) : () => {});
  let block = 0;
  try {
    const header = await readHeader(input);
    if (typeof header === 'string') {
      yield [{ ok: false, where: `${label}:header`, reason: header }];
      return;
    }
    const decoding = prepareDecoding(header);
    if (typeof decoding === 'string') {
      yield [{ ok: false, where: `${label}:header`, reason: decoding }];
      return;
    }
    const sync = header.sync;
    const cursor = newCursor();
    let recordsBefore = 0;

    for (;;) {
      if (input.available === 0 && !(await input.more())) return; // clean end
      block++;
      const blockOffset = input.offset;
      const where = `${label}:block ${block} (byte ${blockOffset})`;

      // Block head: record count and data size, two zig-zag varints.
      let count = Number.NaN;
      let size = Number.NaN;
      for (;;) {
        cursor.pos = input.pos;
        count = decodeLong(input.buf, cursor, input.len);
        if (!Number.isNaN(count)) size = decodeLong(input.buf, cursor, input.len);
        if (!Number.isNaN(size) || cursor.error !== TRUNCATED || !(await input.more())) break;
      }
      if (Number.isNaN(size) && cursor.error === TRUNCATED) {
        yield [{ ok: false, where, reason: `truncated block: the file ends ${input.available} bytes into the block header` }];
        return;
      }
      const dataStart = cursor.pos - input.pos;
      if (!Number.isNaN(size) && count >= 0 && count <= size && size <= MAX_INFLATED_BLOCK && blockOffset + dataStart + size > totalBytes) {
        // Plausible framing (at least a byte a record, no larger than a block may inflate to)
        // that runs past the end of the file: a file cut inside its last block's data, unless a
        // sync marker follows (a damaged size in a block before the last: skip to that marker).
        const skipped = await resync(input, sync);
        if (!skipped.end) {
          yield [{ ok: false, where, reason: `corrupt block: size ${size} runs past the end of the file; ${skipText(skipped)}` }];
          continue;
        }
        yield [{
          ok: false,
          where,
          reason: `truncated block: the file ends ${totalBytes - blockOffset} bytes into a ${dataStart + size + SYNC_SIZE}-byte block; its ${count} records are lost`,
        }];
        return;
      }
      if (Number.isNaN(size) || count < 0 || size < 0 || blockOffset + dataStart + size > totalBytes) {
        // Nonsense framing (a huge size would otherwise read as "truncated").
        const what = Number.isNaN(size) ? cursor.error : `invalid record count ${count} or size ${size}`;
        const skipped = await resync(input, sync);
        yield [{ ok: false, where, reason: `corrupt block: ${what}; ${skipText(skipped)}` }];
        if (skipped.end) return;
        continue;
      }
      const need = dataStart + size + SYNC_SIZE;
      while (input.available < need && (await input.more()));
      if (input.available < need) {
        yield [{
          ok: false,
          where,
          reason: `truncated block: the file ends ${input.available} bytes into a ${need}-byte block; its ${count} records are lost`,
        }];
        return;
      }
      const dataAt = input.pos + dataStart;
      if (input.buf.compare(sync, 0, SYNC_SIZE, dataAt + size, dataAt + size + SYNC_SIZE) !== 0) {
        // The marker after the block is damaged, or the block's framing is wrong. A block whose
        // records fill its data exactly had its framing right: its records are read, and the next
        // block after the damaged marker (a search for the next good marker would skip that block
        // too). Otherwise the block is lost up to the next marker.
        const exact = decodeExactly(input.buf.subarray(dataAt, dataAt + size), count, decoding, `${label}:block ${block} record `, recordsBefore, where);
        if (exact !== null) {
          input.pos += need;
          recordsBefore += count;
          yield [...exact, { ok: false, where, reason: 'corrupt block: sync marker mismatch after a block whose records fill it exactly: they are read, and the next block after the marker' }];
          continue;
        }
        const skipped = await resync(input, sync);
        yield [{ ok: false, where, reason: `corrupt block: sync marker mismatch; ${skipText(skipped)}` }];
        if (skipped.end) return;
        continue;
      }
      let data = input.buf.subarray(dataAt, dataAt + size);
      input.pos += need;

      if (decoding.inflate) {
        try {
          data = inflateRawSync(data, { maxOutputLength: MAX_INFLATED_BLOCK });
        } catch (err) {
          const why = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
            ? `the block inflates to more than ${MAX_INFLATED_BLOCK} bytes, the limit`
            : `deflate decompression failed (${errorText(err)})`;
          yield [{ ok: false, where, reason: `${why}; its ${count} records are lost` }];
          recordsBefore += count;
          continue;
        }
      }
      // Decoded in full before the next read reuses the buffer under `data`.
      yield decodeBlock(data, count, decoding, `${label}:block ${block} record `, recordsBefore, where);
      recordsBefore += count;
    }
  } catch (err) {
    // A read error of the file itself (the disk, not the content).
    const at = block === 0 ? 'header' : `block ${block}`;
    yield [{ ok: false, where: `${label}:${at}`, reason: `${READ_FAILED}${(err as Error).message}` }];
  } finally {
    await file.close();
  }
}

/** Reads an Avro container file one item at a time (a wrapper of readAvroBatches). */
export function readAvro(path: string, options: ReadOptions = {}): AsyncIterable<InputItem> {
  return itemsOf(readAvroBatches(path, options));
}

async function readHeader(input: FileWindow): Promise<Header | string> {
  while (input.available < MAGIC.length && (await input.more()));
  if (input.available < MAGIC.length || !input.buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    return 'not an Avro object container file (bad magic bytes)';
  }
  for (;;) {
    // avsc would loop on a corrupt map count in the metadata: the scan checks the counts first.
    const scan = scanAvro(HEADER_TYPE, input.buf, input.pos, input.len);
    if (scan.ok) {
      let decoded: { value: unknown; offset: number };
      try {
        decoded = HEADER_TYPE.decode(input.view(), input.pos);
      } catch (err) {
        return `corrupt header: ${errorText(err)}`;
      }
      input.pos = decoded.offset;
      return decoded.value as Header;
    }
    if (!scan.needsMore) return `corrupt header: ${scan.reason}`;
    if (!(await input.more())) return scan.truncated ? 'truncated header' : `corrupt header: ${scan.reason}`;
  }
}

interface Decoding {
  /** The writer schema is the local one: decodeFlowBinary applies. */
  fast: boolean;
  writer: Type;
  reader: Type;
  resolver: ReturnType<Type['createResolver']> | undefined;
  inflate: boolean;
}

function prepareDecoding(header: Header): Decoding | string {
  const codec = header.meta['avro.codec']?.toString() ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') return `unsupported codec ${JSON.stringify(codec)} (supported: null, deflate)`;
  const inflate = codec === 'deflate';
  const schemaBytes = header.meta['avro.schema'];
  if (schemaBytes === undefined) return 'header has no avro.schema';
  let writer: Type;
  try {
    writer = avro.Type.forSchema(JSON.parse(schemaBytes.toString('utf8')) as avro.Schema);
  } catch (err) {
    return `invalid writer schema: ${errorText(err)}`;
  }
  const reader = flowRecordType();
  if (writer.typeName !== 'record') return `the file's schema cannot be read as ${reader.name}: it is a ${writer.typeName}, not a record`;
  if (canDecodeFast(writer)) return { fast: true, writer, reader, resolver: undefined, inflate };
  try {
    const resolver = writer.equals(reader) ? undefined : reader.createResolver(writer);
    return { fast: false, writer, reader, resolver, inflate };
  } catch (err) {
    return `the file's schema cannot be read as ${reader.name}: ${errorText(err)}`;
  }
}

const blockCursor = newCursor();

/** The block's items when its `count` records fill its data exactly (deflated: once inflated), else null. */
function decodeExactly(raw: Buffer, count: number, decoding: Decoding, prefix: string, recordsBefore: number, blockWhere: string): InputItem[] | null {
  let data = raw;
  if (decoding.inflate) {
    try {
      // inflateRaw ignores bytes after the end of the deflate stream: a size too large would pass.
      const { buffer, engine } = inflateRawSync(raw, { maxOutputLength: MAX_INFLATED_BLOCK, info: true } as ZlibOptions) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      if (engine.bytesWritten !== raw.length) return null;
      data = buffer;
    } catch {
      return null;
    }
  }
  const items = decodeBlock(data, count, decoding, prefix, recordsBefore, blockWhere);
  return items.length === count && blockCursor.pos === data.length ? items : null;
}

function decodeBlock(
  data: Buffer,
  count: number,
  decoding: Decoding,
  prefix: string,
  recordsBefore: number,
  blockWhere: string,
): InputItem[] {
  const items = new Array<InputItem>();
  const cursor = blockCursor;
  cursor.pos = 0;
  for (let i = 1; i <= count; i++) {
    const where = `${prefix}${i} (#${recordsBefore + i})`;
    let flow: FlowRecord | string;
    if (decoding.fast) {
      const decoded = decodeFlowBinary(data, cursor, data.length);
      if (decoded === null) return skipRest(items, where, cursor.error === TRUNCATED ? 'the record runs past the end of the block' : cursor.error, count - i);
      flow = checkFlowValues(decoded) ?? decoded;
    } else {
      // avsc trusts array and map counts (a corrupt one hangs it): checked first.
      const scan = scanAvro(decoding.writer, data, cursor.pos);
      if (!scan.ok) return skipRest(items, where, scan.truncated ? 'the record runs past the end of the block' : scan.reason, count - i);
      let decoded: { value: unknown; offset: number };
      try {
        decoded = decoding.reader.decode(data, cursor.pos, decoding.resolver);
      } catch (err) {
        return skipRest(items, where, errorText(err), count - i);
      }
      if (decoded.offset < 0) return skipRest(items, where, 'the record runs past the end of the block', count - i);
      cursor.pos = decoded.offset;
      flow = checkFlow(decoded.value);
    }
    if (typeof flow === 'string') items.push({ ok: false, where, reason: flow });
    else items.push({ ok: true, flow, where });
  }
  if (cursor.pos !== data.length) {
    items.push({ ok: false, where: blockWhere, reason: `${data.length - cursor.pos} bytes left after the block's ${count} records` });
  }
  return items;
}

function skipRest(items: InputItem[], where: string, problem: string, rest: number): InputItem[] {
  items.push({ ok: false, where, reason: `undecodable record: ${problem}; the ${rest} records after it in the block are skipped` });
  return items;
}

interface Skip {
  bytes: number;
  end: boolean;
}

/**
 * Skips to just past the next sync marker that starts after the current
 * position (the way Avro's own readers recover from a corrupt block).
 */
async function resync(input: FileWindow, sync: Buffer): Promise<Skip> {
  const start = input.offset;
  let from = input.pos + 1;
  for (;;) {
    const found = input.view().indexOf(sync, from);
    if (found >= 0) {
      input.pos = found + SYNC_SIZE;
      return { bytes: input.offset - start, end: false };
    }
    // Keep the last SYNC_SIZE-1 bytes: a marker may straddle two reads.
    input.pos = Math.max(input.pos, input.len - (SYNC_SIZE - 1));
    if (!(await input.more())) {
      input.pos = input.len;
      return { bytes: input.offset - start, end: true };
    }
    from = input.pos;
  }
}

function skipText(skip: Skip): string {
  return skip.end
    ? `no further sync marker: the remaining ${skip.bytes} bytes of the file are unreadable`
    : `skipped ${skip.bytes} bytes to the next sync marker, records in them are lost`;
}

export interface AvroFileWriterOptions {
  /** Block compression; default 'null' (none). */
  codec?: 'null' | 'deflate';
  /** Writer schema (JSON); default schemas/flow-record.avsc. An older schema writes old-style files. */
  schema?: object;
  /** Uncompressed block size in bytes; default 64 KiB (avsc's default). */
  blockSize?: number;
  /** The 16-byte sync marker; default random. Fix it for byte-identical files from the same records. */
  syncMarker?: Buffer;
}

/** Writes flow records (or, with the alert schema, alerts) to an Avro object container file. */
export class AvroFileWriter<T extends object = FlowRecord> {
  private readonly type: Type;
  private readonly encoder: InstanceType<typeof avro.streams.BlockEncoder>;
  private readonly done: Promise<void>;
  private failure: Error | null = null;
  private count = 0;

  constructor(readonly path: string, options: AvroFileWriterOptions = {}) {
    const schema = options.schema ?? schemaJson('flow-record');
    this.type = avro.Type.forSchema(schema as avro.Schema);
    // The schema JSON (not the Type) goes to the encoder so that the header
    // keeps the logicalType annotations.
    this.encoder = new avro.streams.BlockEncoder(schema as avro.Schema, {
      codec: options.codec ?? 'null',
      ...(options.blockSize ? { blockSize: options.blockSize } : {}),
      ...(options.syncMarker ? { syncMarker: options.syncMarker } : {}),
    });
    this.done = pipeline(this.encoder, createWriteStream(path));
    this.done.catch((err: Error) => {
      this.failure ??= err;
    });
  }

  /**
   * Appends one record. Throws at once when it does not fit the schema.
   * Returns false when buffers are full: await drain().
   */
  write(flow: T): boolean {
    if (this.failure) throw this.failure;
    this.count++;
    let problem = '';
    if (!this.type.isValid(flow, { errorHook: (path, value) => (problem ||= `field ${path.join('.')}: invalid value ${JSON.stringify(value)}`) })) {
      throw new Error(`${this.path}: record ${this.count} does not fit the schema: ${problem}`);
    }
    return this.encoder.write(flow);
  }

  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.encoder.writableNeedDrain) await once(this.encoder, 'drain');
  }

  /** Flushes the last block and closes the file. */
  async close(): Promise<void> {
    this.encoder.end();
    await this.done;
  }
}
