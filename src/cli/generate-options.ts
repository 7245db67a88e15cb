// The generator's command-line options, read into GenerateOptions: shared by `generate` (to a
// file or, through generate-topic.ts, to a topic) so neither imports the other.
import { parseDuration } from '../config/units.js';
import { ALERT_TYPES, type AlertType } from '../engine/types.js';
import { resolveGenerateOptions, type GenerateOptions } from '../generate/index.js';
import { UsageError } from './errors.js';

export interface GenerateCliOptions {
  seed: string;
  output?: string;
  truth?: string;
  start?: string;
  duration: string;
  rate: string;
  destinations: string;
  incidents: string;
  types?: string;
  learning?: string;
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
  try {
    return resolveGenerateOptions({
      seed: int('seed', opts.seed),
      start_ms,
      duration_ms: dur('duration', opts.duration),
      rate: num('rate', opts.rate),
      destinations: int('destinations', opts.destinations),
      incidents_per_type: int('incidents', opts.incidents),
      learning_ms: opts.learning === undefined ? undefined : dur('learning', opts.learning),
      types,
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}
