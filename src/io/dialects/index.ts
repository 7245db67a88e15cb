// The input dialects by name, and `auto`: the dialect a stream is in, told from its first
// non-comment line (or a Zeek `#` header), then kept for the rest of the stream.
import type { DecodeCounts, DecoderOptions, Dialect, DialectDecoder, DialectName, DialectRecord, InputFormatName } from './dialect.js';
import { DialectError, emptyCounts } from './dialect.js';
import { flow } from './flow.js';
import { goflow2 } from './goflow2.js';
import { ocsf } from './ocsf.js';
import { suricata } from './suricata.js';
import { vpc } from './vpc.js';
import { zeek } from './zeek.js';

export * from './dialect.js';

/** In the order `auto` tries them: the most specific marks first. */
export const DIALECTS: readonly Dialect[] = [zeek, flow, ocsf, suricata, goflow2, vpc];

export function dialectNamed(name: DialectName): Dialect {
  const d = DIALECTS.find((x) => x.name === name);
  if (d === undefined) throw new Error(`no dialect ${name}`);
  return d;
}

/** The dialect of a first line, or null when none claims it. */
export function sniffDialect(firstLine: string): Dialect | null {
  return DIALECTS.find((d) => d.sniff(firstLine)) ?? null;
}

/**
 * A decoder for `format`. With `auto`, the first line that is not blank (and not a `#` comment,
 * unless it is a Zeek header) picks the dialect; `onPicked` hears which, once.
 */
export function createDecoder(format: InputFormatName, options: DecoderOptions, onPicked?: (d: Dialect) => void): DialectDecoder {
  if (format !== 'auto') return dialectNamed(format).create(options);
  return new AutoDecoder(options, onPicked);
}

class AutoDecoder implements DialectDecoder {
  private inner: DialectDecoder | null = null;
  private readonly before: DecodeCounts = emptyCounts();
  constructor(
    private readonly options: DecoderOptions,
    private readonly onPicked?: (d: Dialect) => void,
  ) {}

  get dialect(): DialectName {
    return this.inner?.dialect ?? 'flow';
  }

  get counts(): DecodeCounts {
    return this.inner?.counts ?? this.before;
  }

  decode(line: string): DialectRecord[] {
    if (this.inner === null) {
      const zeekHeader = line.startsWith('#separator') || line.startsWith('#fields');
      if (line.charCodeAt(0) === 35 && !zeekHeader) return []; // a comment before the data
      const picked = sniffDialect(line);
      if (picked === null) {
        this.before.records_read++;
        throw new DialectError(`--input-format auto: no dialect recognises this line (${DIALECTS.map((d) => d.name).join(', ')}); name the format`);
      }
      this.inner = picked.create(this.options);
      const inner = this.inner;
      inner.counts.records_read += this.before.records_read;
      inner.counts.errors += this.before.errors;
      this.onPicked?.(picked);
    }
    return this.inner.decode(line);
  }
}
