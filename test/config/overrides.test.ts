import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { resolveDetectorSettings } from '../../src/config/overrides.js';

const EXAMPLE = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));

describe('resolveDetectorSettings', () => {
  it('applies the example override to its destination only', () => {
    const config = loadConfig(EXAMPLE);
    expect(resolveDetectorSettings(config, 'volume_spike', 'backup.example.com', null)).toEqual({
      enabled: true,
      severity: 'HIGH',
      threshold: 12,
      min_bytes: 1_000_000,
      accept_after: 3_600_000,
    });
    expect(resolveDetectorSettings(config, 'volume_spike', 'Backup.Example.COM', 'eu_user_data').threshold).toBe(12);
    expect(resolveDetectorSettings(config, 'volume_spike', 'api.example.com', null).threshold).toBe(6);
    expect(resolveDetectorSettings(config, 'sustained_increase', 'backup.example.com', null).threshold).toBe(5);
  });

  const config = parseConfig(
    [
      'policy:',
      '  data_classes:',
      '    telemetry: {allowed_countries: ["*"]}',
      '    payment_data: {allowed_countries: [EEA]}',
      'detectors:',
      '  overrides:',
      '    - match: {destination: "*.example.com"}',
      '      volume_spike: {threshold: 10, min_bytes: 5MB}',
      '      new_destination: {enabled: false}',
      '    - match: {destination: "cdn.example.com"}',
      '      volume_spike: {threshold: 20}',
      '    - match: {data_class: telemetry}',
      '      residency_violation: {severity: LOW}',
      '    - match: {destination: "**", data_class: payment_data}',
      '      residency_violation: {severity: MEDIUM}',
    ].join('\n'),
    'config.yaml',
  );

  it('merges matching overrides in order, a later one winning', () => {
    expect(resolveDetectorSettings(config, 'volume_spike', 'cdn.example.com', null)).toEqual({
      enabled: true,
      severity: 'HIGH',
      threshold: 20,
      min_bytes: 5_000_000,
      accept_after: 3_600_000,
    });
    expect(resolveDetectorSettings(config, 'volume_spike', 'a.b.example.com', null)).toEqual({
      enabled: true,
      severity: 'HIGH',
      threshold: 10,
      min_bytes: 5_000_000,
      accept_after: 3_600_000,
    });
    expect(resolveDetectorSettings(config, 'new_destination', 'x.example.com', null)).toEqual({
      enabled: false,
      severity: 'MEDIUM',
      learning_period: 86_400_000,
    });
  });

  it('matches data_class exactly, and needs both match keys when both are given', () => {
    expect(resolveDetectorSettings(config, 'residency_violation', '203.0.113.0/24', 'payment_data').severity).toBe('MEDIUM');
    expect(resolveDetectorSettings(config, 'residency_violation', 'other.org', 'Payment_Data').severity).toBe('CRITICAL');
    expect(resolveDetectorSettings(config, 'residency_violation', 'other.org', 'telemetry')).toEqual({ enabled: true, severity: 'LOW' });
    expect(resolveDetectorSettings(config, 'residency_violation', 'example.com', null).severity).toBe('CRITICAL');
  });

  it('returns a copy: changing it leaves the config alone', () => {
    const settings = resolveDetectorSettings(config, 'gateway_bypass', 'x', null);
    settings.enabled = false;
    expect(config.detectors.gateway_bypass.enabled).toBe(true);
  });
});
