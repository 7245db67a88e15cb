// Field schemas shared by the config sections and the detectors' settings. Each produces the normalised value
// (milliseconds, bytes) and words its own error so the message says what is accepted.
import { z } from 'zod';
import { SEVERITIES } from '../model/contract.js';
import { describeValue } from './describe.js';
import { DURATION_HINT, SIZE_HINT, parseDuration, parseSize } from './units.js';

/** An object that rejects unknown keys and names the keys it does accept. */
export function strict<S extends z.ZodRawShape>(shape: S) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key (expected one of: ${accepted})` : undefined),
  });
}

/**
 * A section whose keys all have defaults: absent, or present but empty (`kafka:` with every
 * line below it commented out, which YAML reads as null), it takes the defaults.
 */
export function section<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.prefault({} as z.input<T>));
}

export function duration(minimum: 'zero' | 'positive') {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== 'string') {
      ctx.addIssue({ code: 'custom', message: `${DURATION_HINT}, got ${describeValue(value)}` });
      return z.NEVER;
    }
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
    if (minimum === 'positive' && ms === 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration above zero, got ${describeValue(value)}` });
      return z.NEVER;
    }
    return ms;
  });
}

export function size() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== 'string' && typeof value !== 'number') {
      ctx.addIssue({ code: 'custom', message: `${SIZE_HINT}, got ${describeValue(value)}` });
      return z.NEVER;
    }
    try {
      return parseSize(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

export const severity = z.enum(SEVERITIES);
export const nonEmptyString = z.string().min(1);
export const positiveNumber = z.number().positive();

export function wholeNumber(minimum: number) {
  return z.int().min(minimum);
}

/** An IANA zone name the runtime knows (Intl throws RangeError for others). */
export const timeZone = z.string().superRefine((zone, ctx) => {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `unknown time zone ${describeValue(zone)} (expected an IANA zone such as UTC or Europe/Berlin)`,
    });
  }
});
