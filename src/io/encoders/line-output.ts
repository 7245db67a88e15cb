// A text file written line by line (gzip-compressed when the name ends in .gz), or stdout for
// "-": where `generate --format` puts a sensor's lines.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';

export class LineOutput {
  private readonly sink: WriteStream | Gzip | NodeJS.WriteStream;
  private readonly file: WriteStream | null;

  constructor(path: string) {
    if (path === '-') {
      this.sink = process.stdout;
      this.file = null;
      return;
    }
    this.file = createWriteStream(path);
    if (path.toLowerCase().endsWith('.gz')) {
      const gzip = createGzip();
      gzip.pipe(this.file);
      this.sink = gzip;
    } else {
      this.sink = this.file;
    }
  }

  /** False when buffers are full: await drain(). */
  write(line: string): boolean {
    return this.sink.write(`${line}\n`);
  }

  async drain(): Promise<void> {
    await once(this.sink, 'drain');
  }

  async close(): Promise<void> {
    if (this.file === null) return;
    if (this.sink !== this.file) (this.sink as Gzip).end();
    else this.file.end();
    await finished(this.file);
  }
}
