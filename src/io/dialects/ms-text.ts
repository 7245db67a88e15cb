// The decimal text of a time in epoch milliseconds, for the flow ids the dialects make of a
// record's fields (goflow2, OCSF): the same text as String(ms), made faster. Such a time is
// above 2^31 (after January 1970's 25th day), so V8 holds it as a double, and String() of a
// double goes through the general shortest-digits conversion (about 0.1 µs); two whole
// numbers below 2^31 (the milliseconds' millions and the rest) are written by the integer
// conversion.

/** String(ms), for any number; the fast way for whole numbers from 2^31 to 2^31 * 10^6. */
export function msText(ms: number): string {
  if (ms >= 2147483648 && ms < 2147483648e6 && Number.isInteger(ms)) {
    // Both exact: a remainder of doubles is exact, and ms - low is a multiple of 10^6.
    const low = ms % 1e6;
    const high = (ms - low) / 1e6;
    // high >= 2147, so its digits lead; low is written as 6 digits (1000000 + low without its 1).
    return String(high) + String(1e6 + low).slice(1);
  }
  return String(ms);
}
