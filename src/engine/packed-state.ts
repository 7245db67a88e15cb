// A destination's typed-array states (the seasonal baseline's Float32Array, and any detector's,
// such as SUSTAINED_INCREASE's Float64Array) share one ArrayBuffer. Each ArrayBuffer past 64
// bytes lives outside the JS heap and costs, besides its contents, about 100 bytes of heap (its
// JSArrayBuffer) and about 200 bytes of allocator bookkeeping that process.memoryUsage() shows
// nowhere (docs/benchmarks.md, engine memory; the change: docs/benchmarks-history.md): one
// buffer instead of two is ~300 bytes less per destination. The views keep their types, lengths
// and values, so every computation on them is unchanged; the detectors write their state in
// place and never replace the array.

/** The typed arrays a state may be made of (never a DataView). */
type TypedState = Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

function isTypedState(x: unknown): x is TypedState {
  return ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array);
}

/** A view of the same type and length at `offset` in `buffer`, holding a copy of `a`. */
function moved<T extends TypedState>(a: T, buffer: ArrayBuffer, offset: number): T {
  const view = new (a.constructor as new (b: ArrayBuffer, o: number, n: number) => T)(buffer, offset, a.length);
  view.set(a as never);
  return view;
}

/**
 * Re-homes `baseline` and every typed-array value of `detectors` (replaced in place) into
 * one new ArrayBuffer; returns the baseline's view. Each part starts on an 8-byte boundary.
 */
export function packTypedStates<B extends TypedState>(baseline: B, detectors: Record<string, unknown>): B {
  const keys = Object.keys(detectors).filter((k) => isTypedState(detectors[k]));
  const align = (n: number): number => Math.ceil(n / 8) * 8;
  let size = align(baseline.byteLength);
  for (const k of keys) size += align((detectors[k] as TypedState).byteLength);
  const buffer = new ArrayBuffer(size);
  const packed = moved(baseline, buffer, 0);
  let offset = align(baseline.byteLength);
  for (const k of keys) {
    const a = detectors[k] as TypedState;
    detectors[k] = moved(a, buffer, offset);
    offset += align(a.byteLength);
  }
  return packed;
}
