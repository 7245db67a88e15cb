// Opens a flow file by its extension: .jsonl, .jsonl.gz or Avro container .avro; or, in an
// input dialect (src/io/dialects), any text file, gzip-compressed when its name ends in .gz.

import { accessSync, constants, statSync } from 'node:fs';
import { readAvroBatches } from './avro-file.js';
import { readDialectBatches } from './dialects/read-file.js';
import type { InputItem, ReadOptions } from './input-item.js';
import { readJsonlBatches } from './jsonl.js';

export type { InputItem, ReadOptions } from './input-item.js';
export { itemsOf } from './input-item.js';

/** A flow file that cannot be read at all (the CLI exits with code 2). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export type InputFormat = 'jsonl' | 'jsonl.gz' | 'avro';

/** The format a file name says, or null when the extension is not one we read. */
export function inputFormatOf(path: string): InputFormat | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl')) return 'jsonl';
  if (lower.endsWith('.jsonl.gz')) return 'jsonl.gz';
  if (lower.endsWith('.avro')) return 'avro';
  return null;
}

/**
 * Checks the file and returns its records in batches. Throws InputError, before
 * anything is read, when the extension is unknown or the file is missing,
 * not a regular file or not readable. Problems inside the file are error items.
 */
export function openFlowInput(path: string, options: ReadOptions = {}): AsyncIterable<InputItem[]> {
  if (options.dialect) {
    checkReadable(path);
    return readDialectBatches(path, options.dialect, options);
  }
  const format = inputFormatOf(path);
  if (format === null) {
    throw new InputError(`${path}: unknown input format; expected a .jsonl, .jsonl.gz or .avro file`);
  }
  checkReadable(path);
  return format === 'avro' ? readAvroBatches(path, options) : readJsonlBatches(path, options);
}

/** Size of the file in bytes (the total that onProgress reports against). */
export function countBytes(path: string): number {
  checkReadable(path);
  return statSync(path).size;
}

function checkReadable(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path}: no such file` : `${path}: ${(err as Error).message}`);
  }
  if (!isFile) throw new InputError(`${path}: not a regular file`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new InputError(`${path}: permission denied (not readable)`);
  }
}
