// Durations and sizes as the config file writes them, and back into words for alert reasons.
// Sizes: KB, MB, GB, TB are decimal (1 KB = 1000 B); KiB, MiB, GiB, TiB are binary (1 KiB = 1024 B).
import { describeValue } from './describe.js';

export const DURATION_HINT = 'expected a duration: a number with a unit ms, s, m, h or d, such as 500ms, 30s, 5m, 1h or 7d';
export const SIZE_HINT =
  'expected a size: a whole number of bytes or a number with a unit B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), such as 512KB or 10MB';

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS_BYTES: Record<string, number> = {
  B: 1,
  KB: 1e3,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)?$/;

/** Milliseconds of a duration such as "30s"; throws RangeError naming the accepted forms. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  const ms = match ? scaleDecimal(match[1], DURATION_UNITS_MS[match[2]]) : undefined;
  if (ms === undefined) throw new RangeError(`${DURATION_HINT}, got ${describeValue(text)}`);
  return ms;
}

/** Bytes of a size such as "10MB", "1.5KiB", "100B" or a plain whole number of bytes. */
export function parseSize(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return input;
    throw new RangeError(`${SIZE_HINT}, got ${describeValue(input)}`);
  }
  const match = SIZE_PATTERN.exec(input.trim());
  let bytes: number | undefined;
  if (match) {
    const unit = match[2] ?? 'B';
    const multiplier = SIZE_UNITS_BYTES[unit];
    // A plain number without unit must be whole: "1.5" bytes makes no sense.
    if (multiplier !== undefined) bytes = scaleDecimal(match[1], multiplier);
  }
  if (bytes === undefined) throw new RangeError(`${SIZE_HINT}, got ${describeValue(input)}`);
  return bytes;
}

/**
 * decimalText × multiplier computed exactly (1.1 × 3600000 is not exact in floating point),
 * or undefined when the result is not a whole number or not a safe integer.
 */
function scaleDecimal(decimalText: string, multiplier: number): number | undefined {
  const [whole, fraction = ''] = decimalText.split('.');
  const scaled = BigInt(whole + fraction) * BigInt(multiplier);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) return undefined;
  const result = scaled / divisor;
  return result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : undefined;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** Decimal units, three significant digits: 1500000 → "1.5 MB", 999 → "999 B". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1000) return `${sign}${Math.round(value)} B`;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  let rounded = Number(value.toPrecision(3));
  // 999.95 KB rounds to 1000 KB: say 1 MB instead.
  if (rounded >= 1000 && unit < BYTE_UNITS.length - 1) {
    rounded = Number((rounded / 1000).toPrecision(3));
    unit++;
  }
  return `${sign}${rounded} ${BYTE_UNITS[unit]}`;
}

const DURATION_PARTS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Exact, in config notation: 900000 → "15m", 90000 → "1m 30s", 1500 → "1s 500ms", 0 → "0ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms));
  if (rest === 0) return '0ms';
  const parts: string[] = [];
  for (const [unit, size] of DURATION_PARTS) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return sign + parts.join(' ');
}

/** An instant (epoch ms, event time) as reasons and records write it: ISO 8601 in UTC, to the millisecond. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/** "1 MB", or "524 KB (524288 bytes)" where three digits would round: a reviewer sees the real figure. */
export function exactBytes(bytes: number): string {
  const short = formatBytes(bytes);
  return parseSize(short.replace(' ', '')) === bytes ? short : `${short} (${bytes} bytes)`;
}
