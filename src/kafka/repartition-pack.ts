// Many flows in one repartition record. Producing one Kafka record per flow made the
// forwarder CPU-bound in kafkajs's per-record encoding (headers above all), so the forwarder
// packs the flows of one source batch that go to the same engine partition into one record:
//
//   "EWP" 0x01 | varint source partition | varint count
//   | count × (varint source offset delta | varint length | raw Avro flow)
//
// Each flow keeps its own source offset (the first as is, the rest as increases), replacing
// the per-record provenance headers: a flow at or below the highest source offset applied
// is a copy left by a forwarder that crashed before committing. Per flow, not per pack: a
// re-read after a crash may cut the source into other batches and so other packs.
// Partitions are chosen as kafkajs's default partitioner does for the destination key
// (murmur2.ts), so a destination lands where its single-flow records always did.

const MAGIC = [0x45, 0x57, 0x50, 0x01];

export interface PackedFlow {
  /** Offset of the flow's record in its source (flows topic) partition. */
  offset: number;
  /** The flow as raw Avro. */
  value: Buffer;
}

export interface Pack {
  sourcePartition: number;
  /** In increasing source offset order. */
  flows: PackedFlow[];
}

export function isPack(buf: Buffer | null): boolean {
  return buf !== null && buf.length >= 4 && buf[0] === MAGIC[0] && buf[1] === MAGIC[1] && buf[2] === MAGIC[2] && buf[3] === MAGIC[3];
}

export function encodePack(p: Pack): Buffer {
  let size = 4 + varintSize(p.sourcePartition) + varintSize(p.flows.length);
  let prev = 0;
  for (const f of p.flows) {
    if (!(f.offset >= prev)) throw new Error(`repartition pack: source offsets must increase (${f.offset} after ${prev})`);
    size += varintSize(f.offset - prev) + varintSize(f.value.length) + f.value.length;
    prev = f.offset;
  }
  const out = Buffer.allocUnsafe(size);
  out.set(MAGIC, 0);
  let at = 4;
  at = writeVarint(out, at, p.sourcePartition);
  at = writeVarint(out, at, p.flows.length);
  prev = 0;
  for (const f of p.flows) {
    at = writeVarint(out, at, f.offset - prev);
    prev = f.offset;
    at = writeVarint(out, at, f.value.length);
    f.value.copy(out, at);
    at += f.value.length;
  }
  return out;
}

/** The pack, or what is wrong with it (with the byte offset). Flow values are views into `buf`. */
export function decodePack(buf: Buffer): Pack | string {
  if (!isPack(buf)) return 'not a repartition pack (no EWP1 magic)';
  const r = { at: 4 };
  const sourcePartition = readVarint(buf, r);
  const count = readVarint(buf, r);
  if (sourcePartition === null || count === null) return `repartition pack: truncated header at byte ${r.at}`;
  const flows: PackedFlow[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const delta = readVarint(buf, r);
    const len = delta === null ? null : readVarint(buf, r);
    if (delta === null || len === null || r.at + len > buf.length) return `repartition pack: flow ${i} of ${count} truncated at byte ${r.at}`;
    offset += delta;
    flows.push({ offset, value: buf.subarray(r.at, r.at + len) });
    r.at += len;
  }
  if (r.at !== buf.length) return `repartition pack: ${buf.length - r.at} trailing bytes after ${count} flows`;
  return { sourcePartition, flows };
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Unsigned LEB128 of a non-negative safe integer (arithmetic, not 32-bit shifts: offsets exceed 2^31). */
function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 128) {
    out[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

function readVarint(buf: Buffer, r: { at: number }): number | null {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (r.at >= buf.length) return null;
    const b = buf[r.at++];
    n += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return Number.isSafeInteger(n) ? n : null;
    scale *= 128;
  }
  return null;
}
