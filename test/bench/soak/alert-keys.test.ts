import { describe, expect, it } from 'vitest';
import { alertKey, compareAlerts } from '../../../bench/soak/alert-keys.js';

const a = (type: string, destination: string, window_start_ms: number) => ({ type, destination, window_start_ms });

describe('compareAlerts', () => {
  it('counts findings in both, only in the service, only in the reference, per type; repeats once', () => {
    const service = [a('SUSTAINED_INCREASE', 'x', 60), a('SUSTAINED_INCREASE', 'x', 60), a('SUSTAINED_INCREASE', 'y', 120), a('RESIDENCY_VIOLATION', 'p', 0)];
    const reference = [a('SUSTAINED_INCREASE', 'x', 60), a('SUSTAINED_INCREASE', 'z', 60), a('SUSTAINED_INCREASE', 'y', 180)];
    expect(compareAlerts(service, reference).byType).toEqual({
      SUSTAINED_INCREASE: { both: 1, serviceOnly: 1, referenceOnly: 2 },
      RESIDENCY_VIOLATION: { both: 0, serviceOnly: 1, referenceOnly: 0 },
    });
  });

  it('keys by type, destination and window start', () => {
    expect(alertKey(a('VOLUME_SPIKE', 'host.example', 1_767_571_200_000))).toBe('VOLUME_SPIKE|host.example|1767571200000');
  });
});
