import { describe, expect, it } from 'vitest';
import { msText } from '../../../src/io/dialects/ms-text.js';

describe('msText', () => {
  it('writes times as String() does, by hand', () => {
    expect(msText(1767571197905)).toBe('1767571197905');
    expect(msText(1767571000005)).toBe('1767571000005'); // the rest below 10^5: zeros kept
    expect(msText(1767571000000)).toBe('1767571000000');
    expect(msText(2147483648)).toBe('2147483648'); // the fast way's first value
    expect(msText(2147483647)).toBe('2147483647');
    expect(msText(0)).toBe('0');
    expect(msText(-0)).toBe('0');
    expect(msText(2147483647999999)).toBe('2147483647999999'); // the fast way's last value
    expect(msText(2147483648000000)).toBe('2147483648000000');
    expect(msText(9007199254740991)).toBe('9007199254740991');
    expect(msText(1e21)).toBe('1e+21');
    expect(msText(1767571197905.5)).toBe('1767571197905.5');
    expect(msText(Infinity)).toBe('Infinity');
    expect(msText(Number.NaN)).toBe('NaN');
  });

  it('agrees with String() over seeded random whole and fractional numbers of every size', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 100000; i++) {
      const whole = Math.floor(next() * 2 ** (next() * 53));
      const value = i % 10 === 9 ? whole + next() : whole;
      expect(msText(value)).toBe(String(value));
    }
  });
});
