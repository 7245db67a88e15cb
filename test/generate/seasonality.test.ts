import { describe, expect, it } from 'vitest';
import { rampFactor, type Ramp } from '../../src/generate/ramp.js';
import { hourOfDayFactor, seasonalFactor, utcWeekday, weekdayFactor } from '../../src/generate/seasonality.js';

const MONDAY = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

describe('seasonality', () => {
  it('peaks at 14:00 UTC (1.7), is lowest at 02:00 (0.3) and 1 at 08:00', () => {
    expect(hourOfDayFactor(MONDAY + 14 * HOUR)).toBeCloseTo(1.7, 12);
    expect(hourOfDayFactor(MONDAY + 2 * HOUR)).toBeCloseTo(0.3, 12);
    expect(hourOfDayFactor(MONDAY + 8 * HOUR)).toBeCloseTo(1, 12);
  });

  it('knows weekdays: 2026-01-05 is a Monday, 2026-01-10 a Saturday; weekend is half a weekday', () => {
    expect(utcWeekday(MONDAY)).toBe(1);
    expect(utcWeekday(Date.UTC(2026, 0, 10, 12))).toBe(6);
    expect(utcWeekday(Date.UTC(1969, 11, 28))).toBe(0); // a Sunday before the epoch
    expect(weekdayFactor(Date.UTC(2026, 0, 10)) / weekdayFactor(MONDAY)).toBe(0.5);
  });

  it('averages exactly 1 over a week', () => {
    let sum = 0;
    const steps = 7 * 24 * 60;
    for (let i = 0; i < steps; i++) sum += seasonalFactor(MONDAY + i * 60_000);
    expect(sum / steps).toBeCloseTo(1, 9);
  });
});

describe('rampFactor', () => {
  const ramp: Ramp = { start_ms: MONDAY, creep_ms: 6 * HOUR, hold_ms: 2 * HOUR, growth_per_hour: 1.3 };
  it('grows 30 % per hour for 6 hours, holds for 2, then ends', () => {
    expect(rampFactor(ramp, MONDAY - 1)).toBe(1);
    expect(rampFactor(ramp, MONDAY)).toBe(1);
    expect(rampFactor(ramp, MONDAY + HOUR)).toBeCloseTo(1.3, 12);
    expect(rampFactor(ramp, MONDAY + 3 * HOUR)).toBeCloseTo(2.197, 12);
    expect(rampFactor(ramp, MONDAY + 7 * HOUR)).toBeCloseTo(1.3 ** 6, 12);
    expect(rampFactor(ramp, MONDAY + 8 * HOUR)).toBe(1);
  });
});
