// suppressions: the longest a suppression may last, and suppressions written in the config
// (for `replay`, and as a static list for the service besides those on the suppressions
// topic). Each entry is checked here as `suppress add` checks one, except what depends on
// other sections (baseline.key, policy.regions, max_duration): load.ts checks that with
// the whole config (src/config/suppression-checks.ts).
import { z } from 'zod';
import type { Suppression } from '../../model/contract.js';
import { validateSuppression, type SuppressionField } from '../../suppress/validate.js';
import { describeValue } from '../describe.js';
import { duration, section, strict } from './fields.js';

/** Where a field of a suppression sits inside one entry of suppressions.entries. */
export const ENTRY_PATH: Record<SuppressionField, readonly string[]> = {
  id: ['id'],
  type: ['scope', 'type'],
  destination: ['scope', 'destination'],
  data_class: ['scope', 'data_class'],
  principal: ['scope', 'principal'],
  reason: ['reason'],
  owner: ['owner'],
  created_at: ['created_at'],
  expires_at: ['expires_at'],
};

const ISO_HINT = 'expected an ISO 8601 time such as 2026-01-05T00:00:00Z';

const isoTime = z.unknown().transform((value, ctx): number | undefined => {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `${ISO_HINT}, got ${describeValue(value)}` });
    return z.NEVER;
  }
  return ms;
});

// Every key optional to zod: what is missing is said by validateSuppression, in its own words.
const anything = z.unknown().optional();
const entry = strict({
  id: anything,
  scope: strict({ type: anything, destination: anything, data_class: anything, principal: anything }).optional(),
  reason: anything,
  owner: anything,
  created_at: isoTime.optional(),
  expires_at: isoTime.optional(),
}).transform((raw, ctx): Suppression => {
  // No limit and no baseline key here: those need the rest of the config (suppression-checks.ts).
  const checked = validateSuppression({ ...raw, created_at_ms: raw.created_at, expires_at_ms: raw.expires_at }, { maxDurationMs: Infinity });
  if (!checked.ok) {
    for (const p of checked.problems) ctx.addIssue({ code: 'custom', path: [...ENTRY_PATH[p.field]], message: p.message });
    return z.NEVER;
  }
  return checked.suppression;
});

export const suppressionsSection = section(
  strict({
    max_duration: duration('positive').prefault('30d'),
    // `entries:` with every item commented out reads as null: no entries.
    entries: z.preprocess((v) => (v === null ? undefined : v), z.array(entry).default([])),
  }),
);
