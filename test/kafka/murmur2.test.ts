// The 32-bit murmur2 must place every key exactly where kafkajs's own partitioner (and the
// Java client) would: destinations already on the repartition topic and alerts already keyed
// must not move. Checked against published Java values and, for arbitrary keys, against
// kafkajs's Long-based function itself. No broker.
import fc from 'fast-check';
import kafkajs from 'kafkajs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DefaultPartitioner, murmur2, partitionOfKey } from '../../src/kafka/murmur2.js';

const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;

const metadata = (n: number) => Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));

describe('murmur2', () => {
  // Apache Kafka's UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
  const java: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];

  it.each(java)('gives the Java client\'s hash of %j', (key, expected) => {
    expect(murmur2(key)).toBe(expected);
    expect(murmur2(Buffer.from(key))).toBe(expected);
    expect(kafkajsMurmur2(key)).toBe(expected); // the reference below agrees with Java too
  });

  it('equals kafkajs\'s function on any string, ASCII or not, of any length', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ minLength: 250, maxLength: 600 })), (key) => {
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }),
      { numRuns: 3000 },
    );
  });

  it('equals kafkajs\'s function on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(murmur2(bytes)).toBe(kafkajsMurmur2(Buffer.from(bytes)));
      }),
      { numRuns: 3000 },
    );
  });

  it('hashes a non-ASCII key by its UTF-8 bytes, also right after a longer ASCII key', () => {
    murmur2('x'.repeat(300)); // grows the scratch buffer; must not leak into the next key
    expect(murmur2('bücher.example')).toBe(kafkajsMurmur2(Buffer.from('bücher.example', 'utf8')));
    expect(murmur2('ab')).toBe(kafkajsMurmur2('ab'));
  });
});

describe('partitionOfKey and DefaultPartitioner', () => {
  it('partition = (hash & 0x7fffffff) % n, worked out by hand for the Java values', () => {
    const keys = ['21', 'foobar', 'a-little-bit-long-string', 'abc'];
    expect(keys.map((k) => partitionOfKey(k, 7))).toEqual([3, 0, 1, 4]);
    expect(keys.map((k) => partitionOfKey(k, 12))).toEqual([0, 6, 8, 3]);
  });

  it('pick the partition kafkajs\'s DefaultPartitioner picks for a key', () => {
    const theirs = kafkajs.Partitioners.DefaultPartitioner();
    const ours = DefaultPartitioner();
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const expected = theirs({ topic: 't', partitionMetadata: metadata(n), message: { key, value: null } });
        expect(partitionOfKey(key, n)).toBe(expected);
        expect(ours({ topic: 't', partitionMetadata: metadata(n), message: { key, value: null } })).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps an explicit partition and spreads unkeyed records round robin', () => {
    const ours = DefaultPartitioner();
    expect(ours({ topic: 't', partitionMetadata: metadata(4), message: { key: 'k', value: null, partition: 3 } })).toBe(3);
    const seen = Array.from({ length: 8 }, () => ours({ topic: 'u', partitionMetadata: metadata(4), message: { value: null } }));
    // Consecutive counters modulo 4: each partition twice, each one after its predecessor.
    expect([...seen].sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe((seen[i - 1] + 1) % 4);
  });
});
