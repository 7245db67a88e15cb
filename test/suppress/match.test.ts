// Matching an alert: exact scope, the alert's event time against the expiry (covered strictly
// before it), and the smallest id when several cover it; plus the book of config and topic
// suppressions and the topic record codec.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/engine/types.js';
import { SuppressionBook } from '../../src/suppress/book.js';
import { coveringSuppression, covers } from '../../src/suppress/match.js';
import { decodeAuditEvent, decodeSuppression, encodeAuditEvent, encodeSuppression } from '../../src/suppress/records.js';
import type { Suppression } from '../../src/suppress/types.js';

const T = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3_600_000;

function alert(over: Partial<Alert> = {}): Alert {
  return {
    alert_id: 'a1',
    type: 'VOLUME_SPIKE',
    severity: 'HIGH',
    destination: 'backup.example.com',
    dst_country: 'DE',
    data_class: 'eu_user_data',
    principal: 'svc-eu-backup',
    gateway_id: 'gw-1',
    window_start_ms: T - 60_000,
    window_end_ms: T,
    flow_count: 40,
    bytes: 4_000_000,
    observed: 4_000_000,
    expected: 1000,
    score: 9,
    threshold: 6,
    reason: 'spike',
    sample_flow_ids: ['f1'],
    config_version: '0123456789abcdef',
    detected_at_ms: T,
    ...over,
  };
}

function suppression(id: string, scope: Partial<Suppression['scope']> = {}, expires = T + HOUR): Suppression {
  return {
    id,
    scope: { type: null, destination: 'backup.example.com', data_class: null, principal: null, ...scope },
    reason: 'benign',
    owner: 'alice',
    created_at_ms: T - HOUR,
    expires_at_ms: expires,
  };
}

describe('covers', () => {
  it('needs the exact destination and each scope field given', () => {
    expect(covers(suppression('s'), alert())).toBe(true);
    expect(covers(suppression('s'), alert({ destination: 'backup.example.com.evil' }))).toBe(false);
    expect(covers(suppression('s', { type: 'VOLUME_SPIKE' }), alert())).toBe(true);
    expect(covers(suppression('s', { type: 'VOLUME_SPIKE' }), alert({ type: 'SUSTAINED_INCREASE' }))).toBe(false);
    expect(covers(suppression('s', { data_class: 'eu_user_data' }), alert())).toBe(true);
    expect(covers(suppression('s', { data_class: 'eu_user_data' }), alert({ data_class: null }))).toBe(false);
    expect(covers(suppression('s', { principal: 'svc-eu-backup' }), alert())).toBe(true);
    expect(covers(suppression('s', { principal: 'svc-eu-backup' }), alert({ principal: 'mallory' }))).toBe(false);
  });

  it('covers alerts whose event time is before the expiry, not at or after it', () => {
    const s = suppression('s', {}, T + HOUR);
    expect(covers(s, alert({ detected_at_ms: T + HOUR - 1 }))).toBe(true);
    expect(covers(s, alert({ detected_at_ms: T + HOUR }))).toBe(false);
    expect(covers(s, alert({ detected_at_ms: T + HOUR + 1 }))).toBe(false);
  });
});

describe('coveringSuppression', () => {
  it('names the smallest id among those that cover, whatever the order', () => {
    const list = [suppression('s-b'), suppression('s-a', { type: 'VOLUME_SPIKE' }), suppression('s-0', { type: 'NEW_DESTINATION' })];
    expect(coveringSuppression(alert(), list)?.id).toBe('s-a');
    expect(coveringSuppression(alert(), [...list].reverse())?.id).toBe('s-a');
    expect(coveringSuppression(alert({ destination: 'other.example.com' }), list)).toBeNull();
  });
});

describe('SuppressionBook', () => {
  it('holds the config list and topic records; a tombstone removes; config ids are not overridden by the topic', () => {
    const book = new SuppressionBook([suppression('cfg', { type: 'NEW_DESTINATION' })]);
    expect(book.cover(alert())).toBeNull();
    expect(book.applyTopicRecord('t1', suppression('t1'))).toBeNull();
    expect(book.cover(alert())?.id).toBe('t1');
    expect(book.applyTopicRecord('cfg', suppression('cfg'))).toBe(
      'id "cfg" belongs to a suppression of the config (suppressions.entries); the topic\'s record is ignored',
    );
    expect(book.applyTopicRecord('t1', null)).toBeNull();
    expect(book.cover(alert())).toBeNull();
    expect(book.cover(alert({ type: 'NEW_DESTINATION' }))?.id).toBe('cfg');
    book.setConfigured([]);
    expect(book.cover(alert({ type: 'NEW_DESTINATION' }))).toBeNull();
  });
});

describe('topic records', () => {
  const rules = { baselineKey: 'dst_host' as const, maxDurationMs: 30 * 24 * HOUR };

  it('round-trips a suppression and an audit event', () => {
    const s = suppression('s1', { type: 'VOLUME_SPIKE' });
    expect(decodeSuppression('s1', encodeSuppression(s), rules)).toEqual({ ok: true, value: s });
    const e = { action: 'add' as const, suppression: s, actor: 'alice', at_ms: T };
    expect(decodeAuditEvent(encodeAuditEvent(e))).toEqual({ ok: true, value: e });
  });

  it('refuses a record that does not check, or whose key is not its id', () => {
    const wide = { ...suppression('s1'), scope: { type: null, destination: '*.example.com', data_class: null, principal: null } };
    expect(decodeSuppression('s1', encodeSuppression(wide), rules)).toEqual({
      ok: false,
      reason: 'destination "*.example.com" is a pattern; a suppression covers one exact destination (a baseline key such as api.example.com), never a wildcard or a domain suffix',
    });
    expect(decodeSuppression('s2', encodeSuppression(suppression('s1')), rules)).toEqual({ ok: false, reason: 'key "s2" is not the suppression\'s id "s1"' });
    expect(decodeSuppression('s1', Buffer.from('{"v":2}'), rules)).toEqual({ ok: false, reason: 'unknown version 2 (expected 1)' });
    expect(decodeSuppression('s1', Buffer.from('nope'), rules)).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON: /) });
  });
});
