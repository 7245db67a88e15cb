// A structural pass over one Avro binary value before avsc decodes it.
//
// avsc trusts the counts it reads: a corrupt array or map block count (say
// 2^40) makes it loop that many times, reading past the end of the buffer
// (a hang, then out of memory), and a negative block size in a skipped field
// moves its read position backwards. Any schema with an array or a map is
// exposed (alert.avsc's sample_flow_ids; a newer flow schema from a registry
// or a container file header). This pass walks the same layout with every
// length, count and index checked against the schema and the bytes left, and
// names the field path and byte offset of the first problem. It allocates
// nothing on the good path (strings are skipped, not decoded).

import type { Type } from 'avsc';

export type ScanResult =
  | { ok: true; end: number }
  /**
   * `truncated`: the bytes ended inside the value (everything read so far was
   * well-formed). `needsMore`: truncated, or a count larger than the bytes
   * left can hold: more bytes might make it whole (a stream reader reads on).
   */
  | { ok: false; truncated: boolean; needsMore: boolean; reason: string };

/** Items of a type that takes no bytes (null, empty records) cost avsc a loop each: capped per value. */
const MAX_ZERO_SIZE_ITEMS = 1_000_000;
const MAX_DEPTH = 500;

/**
 * Checks that `buf[start..end)` begins with one well-formed value of `type`;
 * returns where it ends, or the first problem with its field path and byte
 * offset (counted from `start`). Never throws.
 */
export function scanAvro(type: Type, buf: Uint8Array, start: number, end: number = buf.length): ScanResult {
  const s = new Scanner(buf, start, end);
  s.value(type, 0);
  if (s.problem === null) return { ok: true, end: s.pos };
  return { ok: false, truncated: s.truncated, needsMore: s.needsMore, reason: s.problem };
}

interface FieldLike {
  name: string;
  type: Type;
}

/** The parts of avsc's type classes the scan reads (typeName tells which apply). */
interface AnyType {
  typeName: string;
  fields?: FieldLike[];
  types?: Type[];
  itemsType?: Type;
  valuesType?: Type;
  symbols?: string[];
  size?: number;
  underlyingType?: Type;
}

class Scanner {
  pos: number;
  problem: string | null = null;
  truncated = false;
  needsMore = false;
  private zeroSizeItems = 0;
  /** Field names and [index] parts from the root to the value being read. */
  private readonly path: string[] = [];

  constructor(
    private readonly buf: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  value(type: Type, depth: number): void {
    if (depth > MAX_DEPTH) return this.fail(`nested deeper than ${MAX_DEPTH} levels`, this.pos);
    const t = type as unknown as AnyType;
    const at = this.pos;
    switch (t.typeName) {
      case 'null':
        return;
      case 'boolean': {
        if (!this.need(1, at)) return;
        const b = this.buf[this.pos++];
        if (b > 1) this.fail(`invalid boolean byte ${b}`, at);
        return;
      }
      case 'int':
      case 'long':
        this.long();
        return;
      case 'float':
        this.skip(4, at);
        return;
      case 'double':
        this.skip(8, at);
        return;
      case 'string':
      case 'bytes': {
        const len = this.long();
        if (this.problem !== null) return;
        if (len < 0) return this.fail(`negative length ${len}`, at);
        this.skip(len, at);
        return;
      }
      case 'fixed':
        this.skip(t.size ?? 0, at);
        return;
      case 'enum': {
        const index = this.long();
        if (this.problem !== null) return;
        const n = t.symbols?.length ?? 0;
        if (index < 0 || index >= n) this.fail(`invalid enum index ${index} (expected 0..${n - 1})`, at);
        return;
      }
      case 'union:unwrapped':
      case 'union:wrapped': {
        const branches = t.types ?? [];
        const index = this.long();
        if (this.problem !== null) return;
        if (index < 0 || index >= branches.length) {
          return this.fail(`invalid union index ${index} (expected 0..${branches.length - 1})`, at);
        }
        this.value(branches[index], depth + 1);
        return;
      }
      case 'record':
      case 'error':
        for (const field of t.fields ?? []) {
          this.path.push(field.name);
          this.value(field.type, depth + 1);
          if (this.problem !== null) return;
          this.path.pop();
        }
        return;
      case 'array':
        this.blocks(t.itemsType!, null, depth);
        return;
      case 'map':
        this.blocks(t.valuesType!, 'key', depth);
        return;
      default:
        // A logical type: its bytes are those of the underlying type.
        if (t.underlyingType !== undefined) return this.value(t.underlyingType, depth);
        return this.fail(`unsupported Avro type ${t.typeName}`, at);
    }
  }

  /** Array items or map entries, in blocks: count (negative: followed by a byte size), items, ..., 0. */
  private blocks(items: Type, key: 'key' | null, depth: number): void {
    const itemMin = minSize(items) + (key === null ? 0 : 1);
    let index = 0;
    for (;;) {
      const at = this.pos;
      let count = this.long();
      if (this.problem !== null) return;
      if (count === 0) return;
      let sized = -1;
      if (count < 0) {
        count = -count;
        sized = this.long();
        if (this.problem !== null) return;
        if (sized < 0) return this.fail(`negative block size ${sized}`, at);
        if (sized > this.end - this.pos) return this.cut(at);
      }
      const left = this.end - this.pos;
      if (itemMin === 0) {
        this.zeroSizeItems += count;
        if (this.zeroSizeItems > MAX_ZERO_SIZE_ITEMS) {
          return this.fail(`block count ${count}: more than ${MAX_ZERO_SIZE_ITEMS} items that take no bytes`, at);
        }
        index += count;
        continue;
      }
      if (count > left / itemMin) {
        // Either cut short or a corrupt count: the bytes left cannot hold that many items.
        this.needsMore = true;
        return this.fail(`block count ${count} needs at least ${count * itemMin} bytes, ${left} left`, at);
      }
      const blockStart = this.pos;
      for (let i = 0; i < count; i++, index++) {
        this.path.push(`[${index}]`);
        if (key !== null) this.value(STRING, depth + 1);
        if (this.problem === null) this.value(items, depth + 1);
        if (this.problem !== null) return;
        this.path.pop();
      }
      if (sized >= 0 && this.pos - blockStart !== sized) {
        return this.fail(`block size ${sized} but its items take ${this.pos - blockStart} bytes`, at);
      }
    }
  }

  /** A zig-zag varint of at most 10 bytes whose value avsc reads (within +-(2^53 - 2)); NaN after a failure. */
  private long(): number {
    const at = this.pos;
    // The magnitude (z >>> 1) summed from exact parts: z itself would round beyond 2^53.
    let magnitude = 0;
    let sign = 0;
    let scale = 0.5;
    for (let i = 0; ; i++) {
      if (i === 10) {
        this.fail('invalid varint (more than 10 bytes)', at);
        return Number.NaN;
      }
      if (this.pos >= this.end) {
        this.cut(at);
        return Number.NaN;
      }
      const b = this.buf[this.pos++];
      if (i === 0) {
        sign = b & 1;
        magnitude = (b & 0x7f) >>> 1;
      } else {
        magnitude += (b & 0x7f) * scale;
      }
      scale *= 128;
      if ((b & 0x80) === 0) break;
    }
    // avsc's long reads no further than +-(2^53 - 2) (its isSafeLong): a value past that
    // passed here would throw out of avsc without its field and byte.
    if (magnitude > Number.MAX_SAFE_INTEGER - 1 - sign) {
      this.fail('long beyond 2^53 (potential precision loss)', at);
      return Number.NaN;
    }
    return sign === 1 ? -magnitude - 1 : magnitude;
  }

  private need(n: number, at: number): boolean {
    if (this.end - this.pos >= n) return true;
    this.cut(at);
    return false;
  }

  private skip(n: number, at: number): void {
    if (this.need(n, at)) this.pos += n;
  }

  private cut(at: number): void {
    this.truncated = true;
    this.needsMore = true;
    this.fail(`the data ends inside it (${this.end - at} bytes left)`, at);
  }

  private fail(reason: string, at: number): void {
    if (this.problem !== null) return;
    const where = this.path.length === 0 ? '' : `field ${this.path.join('.').replace(/\.\[/g, '[')} `;
    this.problem = `${where}at byte ${at - this.start}: ${reason}`;
  }
}

const STRING = { typeName: 'string' } as unknown as Type;

const minSizes = new WeakMap<object, number>();

/** The fewest bytes a value of the type can take (0 only for types with no variable part). */
function minSize(type: Type, visiting: Set<object> = new Set()): number {
  const known = minSizes.get(type);
  if (known !== undefined) return known;
  const t = type as unknown as AnyType;
  let size: number;
  switch (t.typeName) {
    case 'null':
      size = 0;
      break;
    case 'float':
      size = 4;
      break;
    case 'double':
      size = 8;
      break;
    case 'fixed':
      size = t.size ?? 0;
      break;
    case 'record':
    case 'error':
      if (visiting.has(type)) return 1; // a recursive record: at least its union index elsewhere
      visiting.add(type);
      size = 0;
      for (const f of t.fields ?? []) size += minSize(f.type, visiting);
      visiting.delete(type);
      break;
    default:
      // boolean, varints, strings, bytes, enums, unions, arrays and maps take at least one byte.
      size = t.underlyingType !== undefined ? minSize(t.underlyingType, visiting) : 1;
  }
  minSizes.set(type, size);
  return size;
}
