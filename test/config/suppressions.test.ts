// suppressions: in the config: entries are normalised into suppression records, and a scope
// that would widen, an expiry beyond max_duration or a destination of the wrong kind for
// baseline.key is an error naming the file, the line and the key path.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const DAY = 86_400_000;
const CREATED = Date.UTC(2026, 0, 5, 9, 0, 0);

function entry(id: string, scope: string, expires = '2026-01-12T09:00:00Z'): string {
  return [
    `    - id: ${id}`,
    `      scope: ${scope}`,
    '      reason: nightly backup moved',
    '      owner: alice',
    '      created_at: 2026-01-05T09:00:00Z',
    `      expires_at: ${expires}`,
  ].join('\n');
}

function yaml(...entries: string[]): string {
  return ['baseline: {key: dst_host}', 'suppressions:', '  max_duration: 14d', '  entries:', ...entries].join('\n') + '\n';
}

function errorOf(text: string): string {
  try {
    parseConfig(text, 'c.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('suppressions in the config', () => {
  it('defaults to 30d and no entries', () => {
    expect(parseConfig('', 'c.yaml').suppressions).toEqual({ max_duration: 30 * DAY, entries: [] });
  });

  it('normalises entries into suppression records', () => {
    const config = parseConfig(yaml(entry('backup-move', '{destination: backup.example.com, type: VOLUME_SPIKE, principal: svc-eu-backup}')), 'c.yaml');
    expect(config.suppressions).toEqual({
      max_duration: 14 * DAY,
      entries: [
        {
          id: 'backup-move',
          scope: { type: 'VOLUME_SPIKE', destination: 'backup.example.com', data_class: null, principal: 'svc-eu-backup' },
          reason: 'nightly backup moved',
          owner: 'alice',
          created_at_ms: CREATED,
          expires_at_ms: CREATED + 7 * DAY,
        },
      ],
    });
  });

  it('names file, line and key path of a widening scope, a missing destination and a bad time', () => {
    expect(errorOf(yaml(entry('a', '{destination: "*.example.com"}'), entry('b', '{type: VOLUME_SPIKE}', 'next week')))).toBe(
      [
        'c.yaml:6: suppressions.entries[0].scope.destination: destination "*.example.com" is a pattern; a suppression covers one exact destination (a baseline key such as api.example.com), never a wildcard or a domain suffix',
        'c.yaml:16: suppressions.entries[1].expires_at: expected an ISO 8601 time such as 2026-01-05T00:00:00Z, got "next week"',
      ].join('\n'),
    );
    expect(errorOf(yaml(entry('b', '{type: VOLUME_SPIKE}')))).toBe(
      'c.yaml:6: suppressions.entries[0].scope.destination: a suppression needs a destination: the exact baseline key it covers (such as api.example.com); it never covers a whole vendor or country',
    );
  });

  it('checks max_duration, baseline.key and duplicate ids with the whole config', () => {
    expect(errorOf(yaml(entry('a', '{destination: backup.example.com}', '2026-01-20T09:00:00Z')))).toBe(
      'c.yaml:10: suppressions.entries[0].expires_at: expiry 2026-01-20T09:00:00.000Z is 15d after the creation 2026-01-05T09:00:00.000Z, longer than suppressions.max_duration 14d',
    );
    const byIp = yaml(entry('a', '{destination: backup.example.com}')).replace('key: dst_host', 'key: dst_ip');
    expect(errorOf(byIp)).toBe(
      'c.yaml:6: suppressions.entries[0].scope.destination: destination "backup.example.com" is not an IP address, and baseline.key dst_ip keys baselines by address',
    );
    expect(errorOf(yaml(entry('a', '{destination: x.example.com}'), entry('a', '{destination: y.example.com}')))).toBe(
      'c.yaml:11: suppressions.entries[1].id: id "a" is already used by suppressions.entries[0]',
    );
  });
});
