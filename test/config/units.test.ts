import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, parseDuration, parseSize } from '../../src/config/units.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['0s', 0],
    ['1.5h', 5_400_000],
    // 1.1 * 3600000 is 3960000.0000000005 in floating point: the parser must be exact.
    ['1.1h', 3_960_000],
    [' 2 m ', 120_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['60', '5M', '5 minutes', '-1s', '1.5ms', '', 'ms', '1w'])('refuses %j and names the accepted forms', (text) => {
    expect(() => parseDuration(text)).toThrow(
      `expected a duration: a number with a unit ms, s, m, h or d, such as 500ms, 30s, 5m, 1h or 7d, got ${JSON.stringify(text)}`,
    );
  });
});

describe('parseSize', () => {
  it.each([
    ['10MB', 10_000_000],
    ['512KB', 512_000],
    ['512kB', 512_000],
    ['1GB', 1_000_000_000],
    ['2TB', 2_000_000_000_000],
    ['100B', 100],
    ['1024', 1024],
    ['1KiB', 1024],
    ['1.5KiB', 1536],
    ['1MiB', 1_048_576],
    ['1GiB', 1_073_741_824],
    ['1.5MB', 1_500_000],
    ['10 MB', 10_000_000],
  ])('%s is %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('takes a plain whole number as bytes', () => {
    expect(parseSize(1_048_576)).toBe(1_048_576);
    expect(parseSize(0)).toBe(0);
  });

  it.each([['10mb'], ['1.5'], ['0.5B'], ['1 XB'], ['MB'], [-1], [1.5]])('refuses %j', (input) => {
    expect(() => parseSize(input)).toThrow(
      'expected a size: a whole number of bytes or a number with a unit B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), such as 512KB or 10MB, got ' +
        (typeof input === 'string' ? JSON.stringify(input) : String(input)),
    );
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1 KB'],
    [1500, '1.5 KB'],
    [1_500_000, '1.5 MB'],
    [1_234_567, '1.23 MB'],
    [12_345_678, '12.3 MB'],
    [123_456_789, '123 MB'],
    [999_999, '1 MB'],
    [1e12, '1 TB'],
    [-1_500_000, '-1.5 MB'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [500, '500ms'],
    [1500, '1s 500ms'],
    [90_000, '1m 30s'],
    [900_000, '15m'],
    [604_800_000, '7d'],
    [90_061_001, '1d 1h 1m 1s 1ms'],
    [-30_000, '-30s'],
  ])('%i → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('gives back text that parseDuration reads as the same value when it is one unit', () => {
    expect(parseDuration(formatDuration(900_000))).toBe(900_000);
  });
});
