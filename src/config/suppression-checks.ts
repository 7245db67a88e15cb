// The checks of suppressions.entries that need the whole config: the destination must be a
// key of baseline.key's kind and no region of policy.regions, and the expiry within
// suppressions.max_duration of the creation.
import { validateSuppression, type SuppressionRules } from '../suppress/validate.js';
import type { PathIssue } from './issues.js';
import { ENTRY_PATH } from './schema/suppressions.js';
import type { Config } from './types.js';

export function suppressionRules(config: Pick<Config, 'baseline' | 'policy' | 'suppressions'>): SuppressionRules {
  return {
    baselineKey: config.baseline.key,
    maxDurationMs: config.suppressions.max_duration,
    regionNames: Object.keys(config.policy.regions),
  };
}

export function checkSuppressions(config: Pick<Config, 'baseline' | 'policy' | 'suppressions'>): PathIssue[] {
  const rules = suppressionRules(config);
  const firstOfId = new Map<string, number>();
  return config.suppressions.entries.flatMap((s, index): PathIssue[] => {
    const at = ['suppressions', 'entries', index];
    const first = firstOfId.get(s.id);
    if (first !== undefined) return [{ path: [...at, 'id'], message: `id ${JSON.stringify(s.id)} is already used by suppressions.entries[${first}]` }];
    firstOfId.set(s.id, index);
    const checked = validateSuppression(s, rules);
    if (checked.ok) return [];
    return checked.problems.map((p) => ({ path: [...at, ...ENTRY_PATH[p.field]], message: p.message }));
  });
}
