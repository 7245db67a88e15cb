import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/config/canonical.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, 2], c: null } })).toBe('{"a":{"c":null,"d":[3,1,2]},"b":1}');
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    const first = { x: 1, y: { p: 'a', q: 'b' } };
    const second = { y: { q: 'b', p: 'a' }, x: 1 };
    expect(canonicalJson(first)).toBe(canonicalJson(second));
  });

  it('sorts by code unit, upper case before lower case', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3 })).toBe('{"B":2,"a":3,"b":1}');
  });

  it('leaves out undefined members as JSON does, and writes undefined in arrays as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"ey': 'line\nbreak' })).toBe('{"k\\"ey":"line\\nbreak"}');
  });

  it('refuses numbers JSON cannot hold instead of turning them into null', () => {
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow('canonicalJson: $.a.b is NaN');
    expect(() => canonicalJson([Infinity])).toThrow('canonicalJson: $[0] is Infinity');
  });
});
