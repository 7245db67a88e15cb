// Kafka's key hash (murmur2, as the Java client's Utils.murmur2 and kafkajs's default
// partitioner compute it), in 32-bit integer arithmetic. kafkajs's own version does every
// step in its 64-bit Long emulation, allocating several objects per 4 bytes of key: the
// forwarder hashes every flow's destination, and that alone took about a tenth of the
// service's CPU under bench:kafka. Only the low 32 bits of kafkajs's Long products and xors
// ever reach its result, and those depend only on the low 32 bits of the operands, so
// Math.imul gives the same hash bit for bit (tested against kafkajs's function).
import { createRequire } from 'node:module';
import type { ICustomPartitioner } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Reused for ASCII keys (the usual hostnames and addresses): no Buffer per key. */
let scratch = new Uint8Array(256);

/** The UTF-8 bytes of `key` and their count, in `scratch` when the key is ASCII. */
function bytesOf(key: string): Uint8Array {
  if (key.length > scratch.length) scratch = new Uint8Array(2 * key.length);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return Buffer.from(key, 'utf8');
    scratch[i] = c;
  }
  return scratch;
}

/** murmur2 of the key's UTF-8 bytes (a string) or of the bytes themselves, as a signed 32-bit integer. */
export function murmur2(key: string | Uint8Array): number {
  const data = typeof key === 'string' ? bytesOf(key) : key;
  const length = data === scratch ? (key as string).length : data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[tail + 2] << 16;
    if (rest >= 2) h ^= data[tail + 1] << 8;
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a key among `partitions`, as kafkajs's DefaultPartitioner (and the Java client) picks it. */
export function partitionOfKey(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

type PartitionerFactory = (hash: (key: string | Buffer) => number) => ICustomPartitioner;
const legacyPartitioner = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/legacy/partitioner.js') as PartitionerFactory;

/**
 * kafkajs's DefaultPartitioner (its own partition choice, round robin for unkeyed records)
 * with this hash in place of its Long-based one: the same partitions, less CPU per record.
 */
export const DefaultPartitioner: ICustomPartitioner = legacyPartitioner(murmur2);
