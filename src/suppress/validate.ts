// What makes a suppression acceptable: one exact scope that can never widen to a whole
// vendor, network or country, a reason, an owner and an expiry no later than
// suppressions.max_duration after creation. Pure: the caller supplies the rules (from the
// config) and the times (the CLI reads the clock, the config states them).
import type { BaselineKey } from '../model/contract.js';
import { prefixOf } from '../model/destination-prefix.js';
import { ALERT_TYPES, type AlertType } from '../model/contract.js';
import { isIp } from '../values/ip.js';
import { otherIpv6Spelling } from '../values/ipv6-text.js';
import { formatDuration, formatInstant as iso } from '../values/units.js';
import type { Suppression } from './types.js';

/** A suppression as given, before validation: any field may be missing or of the wrong kind. */
export interface SuppressionDraft {
  id?: unknown;
  scope?: { type?: unknown; destination?: unknown; data_class?: unknown; principal?: unknown } | null;
  reason?: unknown;
  owner?: unknown;
  created_at_ms?: unknown;
  expires_at_ms?: unknown;
}

export interface SuppressionRules {
  /** baseline.key: what a destination key looks like; absent: only the checks that hold for every key. */
  baselineKey?: BaselineKey;
  /** suppressions.max_duration: longest time from creation to expiry. */
  maxDurationMs: number;
  /** Region names of policy.regions (EEA included): never a destination. */
  regionNames?: readonly string[];
}

export type SuppressionField = 'id' | 'type' | 'destination' | 'data_class' | 'principal' | 'reason' | 'owner' | 'created_at' | 'expires_at';

export interface SuppressionProblem {
  field: SuppressionField;
  message: string;
}

export type Validated = { ok: true; suppression: Suppression } | { ok: false; problems: SuppressionProblem[] };

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Glob syntax of picomatch (as overrides and principals in the policy use it). */
const PATTERN_CHARS = /[*?[\]{}]|^!/;
const COUNTRY_LIKE = /^[A-Za-z]{2}$/;

export function validateSuppression(draft: SuppressionDraft, rules: SuppressionRules): Validated {
  const problems: SuppressionProblem[] = [];
  const scope = draft.scope ?? {};
  const id = requiredText(draft.id);
  if (id === null) problems.push({ field: 'id', message: 'a suppression needs an id' });
  else if (!ID_PATTERN.test(id)) problems.push({ field: 'id', message: `id ${quote(id)}: expected 1 to 64 letters, digits, ".", "_" or "-"` });

  const type = optionalText('type', scope.type, problems);
  if (type !== null && !(ALERT_TYPES as readonly string[]).includes(type)) {
    problems.push({ field: 'type', message: `type ${quote(type)} is not an alert type (expected one of ${ALERT_TYPES.join(', ')})` });
  }
  const destination = requiredText(scope.destination);
  if (destination === null) {
    problems.push({
      field: 'destination',
      message: 'a suppression needs a destination: the exact baseline key it covers (such as api.example.com); it never covers a whole vendor or country',
    });
  } else {
    const problem = destinationProblem(destination, rules);
    if (problem !== null) problems.push({ field: 'destination', message: problem });
  }
  for (const field of ['data_class', 'principal'] as const) {
    const value = optionalText(field, scope[field], problems);
    if (value !== null && PATTERN_CHARS.test(value)) {
      problems.push({ field, message: `${field} ${quote(value)} is a pattern; a suppression covers one exact ${field.replace('_', ' ')}, never a wildcard` });
    }
  }
  const reason = requiredText(draft.reason);
  if (reason === null) problems.push({ field: 'reason', message: 'a suppression needs a reason: why the alerts it covers are benign' });
  const owner = requiredText(draft.owner);
  if (owner === null) problems.push({ field: 'owner', message: 'a suppression needs an owner: who answers for it' });

  const created = time(draft.created_at_ms);
  const expires = time(draft.expires_at_ms);
  if (created === null) problems.push({ field: 'created_at', message: 'a suppression needs its creation time' });
  if (expires === null) {
    const limit = Number.isFinite(rules.maxDurationMs) ? ` (${formatDuration(rules.maxDurationMs)})` : '';
    problems.push({ field: 'expires_at', message: `a suppression needs an expiry, at most suppressions.max_duration${limit} after its creation` });
  } else if (created !== null) {
    if (expires <= created) {
      problems.push({ field: 'expires_at', message: `expiry ${iso(expires)} is not after the creation ${iso(created)}` });
    } else if (expires - created > rules.maxDurationMs) {
      problems.push({
        field: 'expires_at',
        message:
          `expiry ${iso(expires)} is ${formatDuration(expires - created)} after the creation ${iso(created)}, ` +
          `longer than suppressions.max_duration ${formatDuration(rules.maxDurationMs)}`,
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    suppression: {
      id: id!,
      scope: {
        type: type as AlertType | null,
        destination: destination!,
        data_class: (scope.data_class as string | null | undefined) ?? null,
        principal: (scope.principal as string | null | undefined) ?? null,
      },
      reason: reason!,
      owner: owner!,
      created_at_ms: created!,
      expires_at_ms: expires!,
    },
  };
}

/** Why a destination is not one exact baseline key under `rules`, or null when it is. */
export function destinationProblem(destination: string, rules: SuppressionRules): string | null {
  const d = quote(destination);
  if (PATTERN_CHARS.test(destination) || destination.startsWith('.')) {
    return `destination ${d} is a pattern; a suppression covers one exact destination (a baseline key such as api.example.com), never a wildcard or a domain suffix`;
  }
  if (/\s|,/.test(destination)) return `destination ${d} is not one baseline key: it holds white space or a comma`;
  if (COUNTRY_LIKE.test(destination)) return `destination ${d} looks like a country code; a suppression never covers a whole country`;
  const region = rules.regionNames?.find((r) => r.toLowerCase() === destination.toLowerCase());
  if (region !== undefined) return `destination ${d} is the region ${region} of policy.regions; a suppression never covers a whole region`;
  if (rules.baselineKey === undefined) return null;
  if (rules.baselineKey === 'dst_prefix') {
    const address = destination.split('/')[0];
    if (!isIp(address) || prefixOf(address) !== destination) {
      return `destination ${d} is not a baseline key under baseline.key dst_prefix (a /24 or /64 network as the engine writes it, such as 203.0.113.0/24)`;
    }
    return null;
  }
  if (destination.includes('/')) return `destination ${d} is a network; a suppression covers one exact destination, never a range of addresses`;
  if (rules.baselineKey === 'dst_ip' && !isIp(destination)) {
    return `destination ${d} is not an IP address, and baseline.key dst_ip keys baselines by address`;
  }
  const canonical = otherIpv6Spelling(destination);
  if (canonical !== null) {
    return `destination ${d} is not the baseline key of that address: egress-watch reads every IPv6 address in RFC 5952 form, ${canonical}`;
  }
  return null;
}

function requiredText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Absent (undefined or null) means "any"; anything else must be non-empty text, or the scope would silently widen. */
function optionalText(field: SuppressionField, value: unknown, problems: SuppressionProblem[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: `${field} must be non-empty text (leave it out to cover any), got ${value === '' ? 'an empty string' : JSON.stringify(value)}` });
    return null;
  }
  return value;
}

function time(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

function quote(text: string): string {
  return JSON.stringify(text);
}
