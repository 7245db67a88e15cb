// The generator's command-line options, read into GenerateOptions: shared by `generate` (to a
// file or, through generate-topic.ts, to a topic) so neither imports the other.
import { parseDuration } from '../config/units.js';
import { ALERT_TYPES, type AlertType } from '../engine/types.js';
import { SCENARIOS, resolveGenerateOptions, type GenerateOptions, type ScenarioName } from '../generate/index.js';
import { UsageError } from './errors.js';

export interface GenerateCliOptions {
  seed: string;
  output?: string;
  truth?: string;
  start?: string;
  duration?: string;
  rate?: string;
  destinations?: string;
  incidents?: string;
  types?: string;
  learning?: string;
  scenario?: string;
}

export function generateOptionsFrom(opts: GenerateCliOptions): GenerateOptions {
  const int = (name: string, text: string): number => {
    if (!/^\d+$/.test(text)) throw new UsageError(`--${name}: expected a whole number, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  const num = (name: string, text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got ${JSON.stringify(text)}`);
    return n;
  };
  const dur = (name: string, text: string): number => {
    try {
      return parseDuration(text);
    } catch (err) {
      throw new UsageError(`--${name}: ${(err as Error).message}`);
    }
  };
  let start_ms: number | undefined;
  if (opts.start !== undefined) {
    start_ms = Date.parse(opts.start);
    if (Number.isNaN(start_ms)) throw new UsageError(`--start: expected an ISO 8601 time such as 2026-01-05T00:00:00Z, got ${JSON.stringify(opts.start)}`);
  }
  let types: AlertType[] | undefined;
  if (opts.types !== undefined) {
    types = opts.types.split(',').map((t) => t.trim().toUpperCase()) as AlertType[];
    const bad = types.filter((t) => !(ALERT_TYPES as readonly string[]).includes(t));
    if (bad.length > 0) throw new UsageError(`--types: unknown alert type ${bad.join(', ')}; expected some of ${ALERT_TYPES.join(', ')}`);
  }
  let scenario: ScenarioName | undefined;
  if (opts.scenario !== undefined) {
    if (!(SCENARIOS as readonly string[]).includes(opts.scenario)) {
      throw new UsageError(`--scenario: expected one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(opts.scenario)}`);
    }
    scenario = opts.scenario as ScenarioName;
  }
  // Options not given take the scenario's defaults (resolveGenerateOptions).
  const given = <T>(text: string | undefined, parse: (text: string) => T): T | undefined => (text === undefined ? undefined : parse(text));
  try {
    return resolveGenerateOptions({
      seed: int('seed', opts.seed),
      start_ms,
      duration_ms: given(opts.duration, (t) => dur('duration', t)),
      rate: given(opts.rate, (t) => num('rate', t)),
      destinations: given(opts.destinations, (t) => int('destinations', t)),
      incidents_per_type: given(opts.incidents, (t) => int('incidents', t)),
      learning_ms: given(opts.learning, (t) => dur('learning', t)),
      types,
      scenario,
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}
