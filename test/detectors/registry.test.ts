// The detector is the unit of extension. The registry's alert types are the contract's (the
// alert schema's enum and ALERT_TYPES, in order), and a detector added as one file plus one
// registry line is configured (its block validated, with its defaults, unknown keys refused
// with file, line and key, overrides taken), explained by check-config, and alerts through
// the engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainConfig } from '../../src/config/explain.js';
import { ConfigError, defaultConfig, parseConfig } from '../../src/config/load.js';
import { DETECTORS, registerDetector } from '../../src/detectors/registry.js';
import { Engine } from '../../src/engine/engine.js';
import { schemaJson } from '../../src/io/schemas.js';
import { ALERT_TYPES } from '../../src/model/contract.js';
import { flow, T0 } from '../engine/fixtures.js';
import { toyLargeFlow } from './toy-detector.js';

describe('registry against the contract', () => {
  it('has exactly the alert schema type enum, in its order', () => {
    const fields = (schemaJson('alert') as { fields: Array<{ name: string; type: { symbols?: string[] } }> }).fields;
    const symbols = fields.find((f) => f.name === 'type')!.type.symbols;
    expect(DETECTORS.map((d) => d.type)).toEqual(symbols);
    expect([...ALERT_TYPES]).toEqual(symbols);
  });

  it('has one detector per config key', () => {
    expect(DETECTORS.map((d) => d.key)).toEqual([
      'residency_violation', 'unauthorized_principal', 'gateway_bypass', 'new_destination', 'volume_spike', 'sustained_increase', 'gateway_silent',
    ]);
  });
});

describe('a detector added in one file and one registry line', () => {
  let unregister: () => void;
  beforeAll(() => {
    unregister = registerDetector(toyLargeFlow);
  });
  afterAll(() => unregister());

  const toyConfig = (detectors: string) => parseConfig(`detectors:\n${detectors}`, 'toy.yaml');
  const settingsOf = (config: object) => (config as { detectors: Record<string, unknown> }).detectors.toy_large_flow;

  it('gets its block with its defaults', () => {
    expect(settingsOf(defaultConfig())).toEqual({ enabled: true, severity: 'LOW', min_bytes: 10_000_000 });
    expect(settingsOf(toyConfig('  toy_large_flow: {min_bytes: 2MB, severity: HIGH}\n'))).toEqual({ enabled: true, severity: 'HIGH', min_bytes: 2_000_000 });
  });

  it('refuses an unknown key of its block, and a bad value, naming file, line and key', () => {
    expect(() => toyConfig('  toy_large_flow:\n    min_byte: 1MB\n')).toThrow(
      new ConfigError([{ file: 'toy.yaml', line: 3, keyPath: 'detectors.toy_large_flow.min_byte', message: 'unknown key (expected one of: enabled, severity, min_bytes)' }]),
    );
    expect(() => toyConfig('  gateway_bypass: {enabled: true}\n  toy_large_flow:\n    min_bytes: lots\n')).toThrow(/^toy\.yaml:4: detectors\.toy_large_flow\.min_bytes: expected a size/);
  });

  it('is explained by check-config in its own words', () => {
    const lines = explainConfig(toyConfig('  toy_large_flow: {min_bytes: 2MB}\n'), 'toy.yaml');
    expect(lines).toContain('  toy_large_flow: LOW when a single flow carries at least 2 MB.');
  });

  it('alerts through the engine, with overrides applied', () => {
    const config = toyConfig(
      '  toy_large_flow: {min_bytes: 2MB}\n  overrides:\n    - match: {destination: small.example}\n      toy_large_flow: {min_bytes: 1KB}\n',
    );
    const engine = new Engine(config);
    const big = flow({ flow_id: 'big', dst_host: 'api.example.eu', bytes_out: 3_000_000, end_ms: T0 });
    const medium = flow({ flow_id: 'medium', dst_host: 'api.example.eu', bytes_out: 1_500_000, end_ms: T0 + 1 });
    const toSmall = flow({ flow_id: 'to-small', dst_host: 'small.example', bytes_out: 1_500, end_ms: T0 + 2 });
    const [alert] = engine.process(big);
    expect(alert).toMatchObject({
      type: 'TOY_LARGE_FLOW', severity: 'LOW', destination: 'api.example.eu', flow_count: 1, bytes: 3_000_000,
      observed: 3_000_000, sample_flow_ids: ['big'], reason: 'flow big to api.example.eu carried 3000000 bytes', detected_at_ms: T0,
    });
    expect(engine.process(medium)).toEqual([]);
    expect(engine.process(toSmall).map((a) => [a.type, a.destination])).toEqual([['TOY_LARGE_FLOW', 'small.example']]);
    expect(engine.counters.alerts).toEqual({ TOY_LARGE_FLOW: 2 });
  });
});
