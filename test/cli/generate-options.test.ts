// `generate`'s command-line options: the options left out take the scenario's defaults (the
// commander defaults were removed so `--scenario volume` can change them), and bad values are
// named.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addGenerateOptions } from '../../src/cli/generate-command.js';
import { generateOptionsFrom, type GenerateCliOptions } from '../../src/cli/generate-options.js';
import { defaultGenerateOptions } from '../../src/generate/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function parse(args: string[]): GenerateCliOptions {
  const cmd = addGenerateOptions(new Command('generate')).exitOverride();
  cmd.parse(args, { from: 'user' });
  return cmd.opts<GenerateCliOptions>();
}

describe('generate options', () => {
  it('without --scenario: the standard defaults, as before scenarios existed (3d, 5/s, 200, 3, 26h, every type)', () => {
    const options = generateOptionsFrom(parse(['--seed', '4']));
    expect(options).toEqual({ ...defaultGenerateOptions(), seed: 4 });
    expect([options.duration_ms, options.rate, options.destinations, options.incidents_per_type, options.learning_ms]).toEqual([
      3 * DAY, 5, 200, 3, 26 * HOUR,
    ]);
  });

  it('--scenario volume: its defaults (11d from Friday 2026-01-02, 7d learning, 2 per shape, the volume types)', () => {
    const options = generateOptionsFrom(parse(['--seed', '4', '--scenario', 'volume']));
    expect(options).toEqual({
      seed: 4, start_ms: Date.UTC(2026, 0, 2), duration_ms: 11 * DAY, rate: 5, destinations: 200, incidents_per_type: 2,
      learning_ms: 7 * DAY, types: ['VOLUME_SPIKE', 'SUSTAINED_INCREASE'], scenario: 'volume',
    });
  });

  it('an option given overrides the scenario\'s default', () => {
    const options = generateOptionsFrom(parse(['--seed', '4', '--scenario', 'volume', '--duration', '9d', '--incidents', '1', '--learning', '2d']));
    expect([options.duration_ms, options.incidents_per_type, options.learning_ms, options.rate]).toEqual([9 * DAY, 1, 2 * DAY, 5]);
  });

  it('names a bad scenario and a bad value', () => {
    expect(() => generateOptionsFrom(parse(['--seed', '1', '--scenario', 'weekly']))).toThrow('--scenario: expected one of standard, volume, got "weekly"');
    expect(() => generateOptionsFrom(parse(['--seed', '1', '--rate', 'fast']))).toThrow('--rate: expected a number, got "fast"');
  });
});
