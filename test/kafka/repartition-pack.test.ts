import { describe, expect, it } from 'vitest';
import { decodePack, encodePack, isPack } from '../../src/kafka/repartition-pack.js';

describe('repartition packs', () => {
  it('encodes the header and flows byte for byte', () => {
    const flows = [{ offset: 300, value: Buffer.from([1, 2]) }, { offset: 302, value: Buffer.from([9]) }];
    const buf = encodePack({ sourcePartition: 3, flows });
    // magic, partition 3, count 2, offset 300 = 0xAC 0x02 (LEB128), len 2, 01 02, +2, len 1, 09
    expect([...buf]).toEqual([0x45, 0x57, 0x50, 0x01, 3, 2, 0xac, 0x02, 2, 1, 2, 2, 1, 9]);
    expect(decodePack(buf)).toEqual({ sourcePartition: 3, flows });
  });

  it('carries offsets beyond 2^31 exactly', () => {
    const flows = [{ offset: 2 ** 40 + 5, value: Buffer.from([7]) }, { offset: 2 ** 40 + 9, value: Buffer.from([8]) }];
    expect(decodePack(encodePack({ sourcePartition: 0, flows }))).toEqual({ sourcePartition: 0, flows });
    expect(() => encodePack({ sourcePartition: 0, flows: [...flows].reverse() })).toThrow('repartition pack: source offsets must increase');
  });

  it('names what is wrong with a damaged pack', () => {
    const buf = encodePack({ sourcePartition: 1, flows: [{ offset: 7, value: Buffer.from('abcdef') }] });
    expect(decodePack(buf.subarray(0, 10))).toBe('repartition pack: flow 0 of 1 truncated at byte 8');
    expect(decodePack(Buffer.concat([buf, Buffer.from([0])]))).toBe('repartition pack: 1 trailing bytes after 1 flows');
    expect(decodePack(Buffer.from([0x45, 0x57, 0x50, 0x01, 0x80]))).toBe('repartition pack: truncated header at byte 5');
    expect(decodePack(Buffer.from('{"flow_id":"x"}'))).toBe('not a repartition pack (no EWP1 magic)');
    expect(isPack(Buffer.from('EWP'))).toBe(false);
  });
});
