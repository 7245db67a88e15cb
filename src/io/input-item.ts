// What the file readers yield: a valid flow, or a bad one with where and why.

import type { FlowRecord } from '../engine/types.js';
import type { DialectReading } from './dialects/dialect.js';

/**
 * One input record. `where` names the file and the position, e.g.
 * `flows.jsonl:17` (1-based line) or `flows.avro:block 3 record 17 (#2017)`
 * (1-based block, record in block, record in file).
 */
export type InputItem =
  | { ok: true; flow: FlowRecord; where: string }
  | { ok: false; where: string; reason: string };

export interface ReadOptions {
  /**
   * Called after each chunk read from the file with the bytes read so far and
   * the file size (both of the file on disk, so compressed bytes for .gz).
   */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** The file's name in `where`; defaults to the base name of the path. */
  label?: string;
  /** Size of the reads from disk, bytes; default 1 MiB. */
  chunkSize?: number;
  /** Text files: the most lines in one batch (default BATCH_LINES in jsonl.ts, about 1 MiB of flow JSON). */
  batchLines?: number;
  /** Read the file as text in this input dialect (any extension; .gz decompressed) instead of by its extension. */
  dialect?: DialectReading | null;
}

/** How a reader words a file it cannot open, or a read of it that failed (not one bad record). */
export const CANNOT_READ = 'cannot read file: ';
export const READ_FAILED = 'read failed: ';

/**
 * An item that says the file itself could not be read, not one record of it: it could not be
 * opened, a read failed, or its header (an Avro container's) does not parse.
 */
export function isFileUnreadable(item: { where: string; reason: string }): boolean {
  return item.where.endsWith(':header') || item.reason.startsWith(READ_FAILED) || item.reason.startsWith(CANNOT_READ);
}

/** Flattens batches into single items, for callers that do not care for batches. */
export async function* itemsOf(batches: AsyncIterable<InputItem[]>): AsyncIterable<InputItem> {
  for await (const batch of batches) yield* batch;
}
