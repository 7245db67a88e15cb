// Validation of a suppression: every widening scope is refused with its own message, and an
// expiry must lie after the creation and within suppressions.max_duration of it.
import { describe, expect, it } from 'vitest';
import { ALERT_TYPES } from '../../src/engine/types.js';
import { validateSuppression, type SuppressionDraft, type SuppressionRules } from '../../src/suppress/validate.js';

const DAY = 86_400_000;
const CREATED = Date.UTC(2026, 0, 5, 9, 0, 0);
const rules: SuppressionRules = { baselineKey: 'dst_host', maxDurationMs: 30 * DAY, regionNames: ['EEA', 'Alps'] };

function draft(over: Partial<SuppressionDraft> & { scope?: SuppressionDraft['scope'] } = {}): SuppressionDraft {
  return {
    id: 'backup-move',
    scope: { destination: 'backup.example.com', type: 'VOLUME_SPIKE' },
    reason: 'nightly backup moved; OPS-1234',
    owner: 'alice',
    created_at_ms: CREATED,
    expires_at_ms: CREATED + 7 * DAY,
    ...over,
  };
}

function problems(d: SuppressionDraft, r: SuppressionRules = rules): string[] {
  const v = validateSuppression(d, r);
  return v.ok ? [] : v.problems.map((p) => `${p.field}: ${p.message}`);
}

describe('validateSuppression', () => {
  it('accepts one exact scope and fills absent scope fields with null', () => {
    expect(validateSuppression(draft(), rules)).toEqual({
      ok: true,
      suppression: {
        id: 'backup-move',
        scope: { type: 'VOLUME_SPIKE', destination: 'backup.example.com', data_class: null, principal: null },
        reason: 'nightly backup moved; OPS-1234',
        owner: 'alice',
        created_at_ms: CREATED,
        expires_at_ms: CREATED + 7 * DAY,
      },
    });
  });

  it('refuses a scope without a destination: it would cover every destination', () => {
    expect(problems(draft({ scope: { type: 'VOLUME_SPIKE' } }))).toEqual([
      'destination: a suppression needs a destination: the exact baseline key it covers (such as api.example.com); it never covers a whole vendor or country',
    ]);
    expect(problems(draft({ scope: null }))).toHaveLength(1);
  });

  it('refuses destinations that would widen to a vendor, a network, a country or a region', () => {
    const dest = (destination: string) => problems(draft({ scope: { destination } }));
    expect(dest('*.amazonaws.com')).toEqual([
      'destination: destination "*.amazonaws.com" is a pattern; a suppression covers one exact destination (a baseline key such as api.example.com), never a wildcard or a domain suffix',
    ]);
    expect(dest('.amazonaws.com')).toEqual([
      'destination: destination ".amazonaws.com" is a pattern; a suppression covers one exact destination (a baseline key such as api.example.com), never a wildcard or a domain suffix',
    ]);
    expect(dest('s3.{eu,us}.example.com')[0]).toMatch(/^destination: destination "s3\.\{eu,us\}\.example\.com" is a pattern;/);
    expect(dest('203.0.113.0/24')).toEqual([
      'destination: destination "203.0.113.0/24" is a network; a suppression covers one exact destination, never a range of addresses',
    ]);
    expect(dest('CN')).toEqual(['destination: destination "CN" looks like a country code; a suppression never covers a whole country']);
    expect(dest('us')).toEqual(['destination: destination "us" looks like a country code; a suppression never covers a whole country']);
    expect(dest('eea')).toEqual(['destination: destination "eea" is the region EEA of policy.regions; a suppression never covers a whole region']);
    expect(dest('a.example.com b.example.com')).toEqual(['destination: destination "a.example.com b.example.com" is not one baseline key: it holds white space or a comma']);
  });

  it('checks the destination against baseline.key', () => {
    expect(problems(draft({ scope: { destination: '198.51.100.7' } }), { ...rules, baselineKey: 'dst_ip' })).toEqual([]);
    expect(problems(draft({ scope: { destination: 'api.example.com' } }), { ...rules, baselineKey: 'dst_ip' })).toEqual([
      'destination: destination "api.example.com" is not an IP address, and baseline.key dst_ip keys baselines by address',
    ]);
    // IPv6 as the dialects key it (RFC 5952), not as Suricata or a person may spell it.
    expect(problems(draft({ scope: { destination: '2001:db8::42' } }), { ...rules, baselineKey: 'dst_ip' })).toEqual([]);
    expect(problems(draft({ scope: { destination: '2001:0db8:0000:0000:0000:0000:0000:0042' } }), { ...rules, baselineKey: 'dst_ip' })).toEqual([
      'destination: destination "2001:0db8:0000:0000:0000:0000:0000:0042" is not the baseline key of that address: egress-watch reads every IPv6 address in RFC 5952 form, 2001:db8::42',
    ]);
    expect(problems(draft({ scope: { destination: 'FE80::1' } }), { ...rules, baselineKey: 'dst_host' })).toEqual([
      'destination: destination "FE80::1" is not the baseline key of that address: egress-watch reads every IPv6 address in RFC 5952 form, fe80::1',
    ]);
    const prefix = { ...rules, baselineKey: 'dst_prefix' as const };
    expect(problems(draft({ scope: { destination: '203.0.113.0/24' } }), prefix)).toEqual([]);
    expect(problems(draft({ scope: { destination: '203.0.0.0/16' } }), prefix)).toEqual([
      'destination: destination "203.0.0.0/16" is not a baseline key under baseline.key dst_prefix (a /24 or /64 network as the engine writes it, such as 203.0.113.0/24)',
    ]);
  });

  it('refuses patterns, empty text and other kinds for type, data class and principal', () => {
    expect(problems(draft({ scope: { destination: 'backup.example.com', principal: 'svc-*', data_class: '' } }))).toEqual([
      'data_class: data_class must be non-empty text (leave it out to cover any), got an empty string',
      'principal: principal "svc-*" is a pattern; a suppression covers one exact principal, never a wildcard',
    ]);
    expect(problems(draft({ scope: { destination: 'backup.example.com', type: 'SPIKE' } }))).toEqual([
      // The list follows the contract's types (more may be added): its start is the six of DESIGN.md.
      `type: type "SPIKE" is not an alert type (expected one of ${ALERT_TYPES.join(', ')})`,
    ]);
    expect(ALERT_TYPES.slice(0, 6).join(', ')).toBe('RESIDENCY_VIOLATION, UNAUTHORIZED_PRINCIPAL, GATEWAY_BYPASS, NEW_DESTINATION, VOLUME_SPIKE, SUSTAINED_INCREASE');
    expect(problems(draft({ scope: { destination: 'backup.example.com', type: 7 } }))).toEqual([
      'type: type must be non-empty text (leave it out to cover any), got 7',
    ]);
  });

  it('needs an id of safe characters, a reason and an owner', () => {
    expect(problems(draft({ id: 'a b', reason: ' ', owner: undefined }))).toEqual([
      'id: id "a b": expected 1 to 64 letters, digits, ".", "_" or "-"',
      'reason: a suppression needs a reason: why the alerts it covers are benign',
      'owner: a suppression needs an owner: who answers for it',
    ]);
  });

  it('needs an expiry after the creation and at most max_duration after it', () => {
    expect(problems(draft({ expires_at_ms: undefined }))).toEqual([
      'expires_at: a suppression needs an expiry, at most suppressions.max_duration (30d) after its creation',
    ]);
    expect(problems(draft({ expires_at_ms: CREATED }))).toEqual([
      'expires_at: expiry 2026-01-05T09:00:00.000Z is not after the creation 2026-01-05T09:00:00.000Z',
    ]);
    expect(problems(draft({ expires_at_ms: CREATED + 30 * DAY }))).toEqual([]);
    expect(problems(draft({ expires_at_ms: CREATED + 30 * DAY + 1 }))).toEqual([
      'expires_at: expiry 2026-02-04T09:00:00.001Z is 30d 1ms after the creation 2026-01-05T09:00:00.000Z, longer than suppressions.max_duration 30d',
    ]);
    expect(problems(draft({ expires_at_ms: CREATED + 90 * DAY }), { ...rules, maxDurationMs: 90 * DAY })).toEqual([]);
  });
});
