// The console's measure of an alert: bytes (decimal units, three significant digits), or for
// GATEWAY_SILENT a duration, its measure being milliseconds of silence.
import { describe, expect, it } from 'vitest';
import { measureText } from '../../src/console/measure-text.js';

describe('measureText', () => {
  it('shows bytes in decimal units with three significant digits', () => {
    expect(measureText('VOLUME_SPIKE', 999)).toBe('999 B');
    expect(measureText('VOLUME_SPIKE', 4_000_000)).toBe('4.00 MB');
    expect(measureText('RESIDENCY_VIOLATION', 12_345_678_901)).toBe('12.3 GB');
  });

  it("shows a gateway's silence as a duration (the demo's blind spot of 7,201,138 ms: 2h 0m 1s)", () => {
    expect(measureText('GATEWAY_SILENT', 7_201_138)).toBe('2h 0m 1s');
    expect(measureText('GATEWAY_SILENT', 960_000)).toBe('16m 0s');
    expect(measureText('GATEWAY_SILENT', 60_000)).toBe('1m 0s');
    expect(measureText('GATEWAY_SILENT', 45_400)).toBe('45s');
  });

  it('runs from its own source text, as the page inlines it', () => {
    const inlined = new Function(`return ${measureText.toString()};`)() as typeof measureText;
    expect(inlined('GATEWAY_SILENT', 3_060_000)).toBe('51m 0s');
    expect(inlined('VOLUME_SPIKE', 1500)).toBe('1.50 KB');
  });
});
