// Reading the local broker's log file for error messages: its last lines, or what it wrote since a
// start-up attempt began (to find the port another process took). A missing file reads as empty.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** The last `lines` lines of a log file (reads at most the last 64 KiB); '' when it does not exist. */
export function tailFile(file: string, lines = 20): string {
  return readOpenFile(file, (fd) => {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  });
}

/** What was appended to a log file after byte `offset` (at most the last 256 KiB of it); '' when it does not exist. */
export function readLogSince(file: string, offset: number): string {
  return readOpenFile(file, (fd) => {
    const size = fstatSync(fd).size;
    const start = Math.max(offset, size - 256 * 1024, 0);
    const buffer = Buffer.alloc(Math.max(size - start, 0));
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  });
}

/** `read` applied to the file opened for reading, closed after; '' when it cannot be opened. */
function readOpenFile(file: string, read: (fd: number) => string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    return read(fd);
  } finally {
    closeSync(fd);
  }
}

/** The size of a log file in bytes; 0 when it does not exist. */
export function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
