// Shapes shared by the generator, the CLI and the scorecard.
import { ALERT_TYPES, type AlertType } from '../engine/types.js';

/** One injected incident: a line of the ground-truth file (DESIGN.md). */
export interface Incident {
  incident_id: string;
  type: AlertType;
  /** The baseline key of the destination: dst_host when set, else dst_ip. */
  destination: string;
  data_class: string | null;
  principal: string | null;
  /** The incident's traffic lies within [start_ms, end_ms] (event time, inclusive). */
  start_ms: number;
  end_ms: number;
  /**
   * Only on the volume scenario's shapes (absent: the type's standard shape), so the ground
   * truth of the standard scenario is unchanged. `lasting_change`: a legitimate step up that
   * stays to the end of the traffic (end_ms); at most LASTING_CHANGE_ALERTS alerts are due
   * for it, its onset and one final note that the new level is accepted.
   */
  shape?: IncidentShape;
}

export const INCIDENT_SHAPES = ['creep', 'lasting_change', 'night_burst'] as const;
export type IncidentShape = (typeof INCIDENT_SHAPES)[number];
/** Alerts a lasting change may draw: its onset and one final "accepted" note. */
export const LASTING_CHANGE_ALERTS = 2;

export interface GenerateOptions {
  /** Any non-negative safe integer; the same options give the same flows. */
  seed: number;
  /** First instant of the traffic, epoch ms (UTC). */
  start_ms: number;
  duration_ms: number;
  /** Mean flows per second over all destinations (internal ones included), averaged over a full week. */
  rate: number;
  /** Number of external destinations in normal traffic. */
  destinations: number;
  /** How many incidents of each type in `types`. */
  incidents_per_type: number;
  /** No incident starts before start_ms + learning_ms (the engine's new-destination learning). */
  learning_ms: number;
  /** Which alert types to inject. */
  types: AlertType[];
  /** Which shapes the incidents take and the rhythm of normal traffic (see SCENARIOS). */
  scenario: ScenarioName;
}

/**
 * `standard`: the generator's original traffic and incident shapes (2:1 weekday:weekend,
 * nights at 0.3 of the mean). `volume`: the shapes volume detection must survive, over a
 * deeper rhythm (nights at 0.1, weekends at a quarter of a weekday): compounding creeps that
 * plateau, lasting legitimate changes, night bursts, and classic bursts; 11 days from a
 * Friday, so a whole week (with its weekend and the Monday after) is seen before the
 * second weekend and the second Monday, where the incidents are.
 */
export const SCENARIOS = ['standard', 'volume'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The defaults of a scenario; every option given explicitly overrides them. */
export function defaultGenerateOptions(scenario: ScenarioName = 'standard'): GenerateOptions {
  if (scenario === 'volume') {
    return {
      seed: 1,
      start_ms: Date.UTC(2026, 0, 2), // Friday 2026-01-02T00:00:00Z: weekends on days 2-3 and 9-10
      duration_ms: 11 * DAY_MS, // to Tuesday 2026-01-13T00:00:00Z: both Mondays after a weekend
      rate: 5,
      destinations: 200,
      incidents_per_type: 2,
      learning_ms: 7 * DAY_MS, // a full week, weekend included, before the first incident
      types: ['VOLUME_SPIKE', 'SUSTAINED_INCREASE'],
      scenario,
    };
  }
  return {
    seed: 1,
    start_ms: Date.UTC(2026, 0, 5), // Monday 2026-01-05T00:00:00Z
    duration_ms: 3 * DAY_MS,
    rate: 5,
    destinations: 200,
    incidents_per_type: 3,
    learning_ms: DAY_MS + 2 * HOUR_MS,
    types: [...ALERT_TYPES],
    scenario,
  };
}

export class GenerateOptionsError extends Error {
  override name = 'GenerateOptionsError';
}

/** Defaults filled in and every option checked; an error names the option and the value. */
export function resolveGenerateOptions(partial: Partial<GenerateOptions> = {}): GenerateOptions {
  const scenario = partial.scenario ?? 'standard';
  if (!(SCENARIOS as readonly string[]).includes(scenario)) {
    throw new GenerateOptionsError(`generate option 'scenario' must be one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(scenario)}`);
  }
  const options: GenerateOptions = { ...defaultGenerateOptions(scenario), ...stripUndefined(partial) };
  const fail = (key: keyof GenerateOptions, rule: string): never => {
    throw new GenerateOptionsError(
      `generate option '${key}' ${rule}, got ${JSON.stringify(options[key])}`,
    );
  };
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) fail('seed', 'must be a non-negative integer');
  if (!Number.isSafeInteger(options.start_ms)) fail('start_ms', 'must be an integer epoch time in ms');
  if (!Number.isSafeInteger(options.duration_ms) || options.duration_ms <= 0) {
    fail('duration_ms', 'must be a positive integer number of ms');
  }
  if (!Number.isFinite(options.rate) || options.rate <= 0 || options.rate > 1e6) {
    fail('rate', 'must be a number of flows per second in (0, 1000000]');
  }
  if (!Number.isSafeInteger(options.destinations) || options.destinations < 1 || options.destinations > 20_000) {
    fail('destinations', 'must be an integer from 1 to 20000');
  }
  if (!Number.isSafeInteger(options.incidents_per_type) || options.incidents_per_type < 0 || options.incidents_per_type > 1000) {
    fail('incidents_per_type', 'must be an integer from 0 to 1000');
  }
  if (!Number.isSafeInteger(options.learning_ms) || options.learning_ms < 0) {
    fail('learning_ms', 'must be a non-negative integer number of ms');
  }
  if (!Array.isArray(options.types)) fail('types', 'must be a list of alert types');
  const seen = new Set<string>();
  for (const type of options.types) {
    if (!(ALERT_TYPES as readonly string[]).includes(type)) {
      fail('types', `must contain only ${ALERT_TYPES.join(', ')}`);
    }
    if (seen.has(type)) fail('types', `must not repeat ${type}`);
    seen.add(type);
  }
  return { ...options, types: [...options.types] };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
