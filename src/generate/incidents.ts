// Plans the injected incidents: when, on which destination (never two on one), and the
// exact flows each adds. Everything is decided here, before any traffic is generated,
// so the ground truth is known up front and is exact.
import { ALERT_TYPES, type AlertType, type FlowRecord } from '../engine/types.js';
import { composeFlow, hostOf, normalSender } from './flow-builder.js';
import { sampleBytesOut } from './flow-size.js';
import {
  RESIDENCY_TARGETS,
  RESTRICTED_CLASSES,
  UNAUTHORIZED_PRINCIPALS,
  countryAllowed,
  type DataClass,
  type RestrictedClass,
} from './policy.js';
import { createDestination, isBusy, pickEeaCountry, type Destination, type Population } from './population.js';
import type { Prng } from './prng.js';
import { RAMP_CREEP_MS, RAMP_GROWTH_PER_HOUR, RAMP_HOLD_MS, rampEnd, type Ramp } from './ramp.js';
import { seasonalFactor, seasonalityOf, type SeasonalProfile } from './seasonality.js';
import type { PlannedIncident, VolumeDetail } from './planned.js';
import { planSilences } from './silence.js';
import { DAY_MS, GenerateOptionsError, HOUR_MS, MINUTE_MS, type GenerateOptions, type Incident, type IncidentShape } from './types.js';
import { formatDuration } from '../values/units.js';

/** No incident reaches into the last hour of the traffic. */
export const END_MARGIN_MS = HOUR_MS;
/** Policy incidents: 1-4 flows spread over up to this long. */
const POLICY_SPREAD_MS = 10 * MINUTE_MS;
/** Incident flows last at most this long, so they start inside the incident's interval. */
const INCIDENT_FLOW_MAX_MS = MINUTE_MS;
const BURST_MIN_MS = MINUTE_MS;
const BURST_MAX_MS = 3 * MINUTE_MS;
const SPIKE_FACTOR_MIN = 5;
const SPIKE_FACTOR_MAX = 50;

/**
 * What one incident looks like. `standard`: the type's original shape (policy flows, a 1-3
 * minute burst, a +30 %/h ramp held 2 h, a gateway silence). The volume scenario adds:
 * `creep_25` (+25 %/h compounding for 8 h, then a 6 h plateau at 1.25^8 = 5.96x),
 * `creep_50` (+50 %/h for 6 h, then 6 h at 1.5^6 = 11.39x), `lasting_change` (a legitimate
 * step to LASTING_STEP x that stays to the end of the traffic) and `night_burst` (10x the
 * destination's own night level for an hour around its quietest time).
 */
export type ShapeName = 'standard' | 'creep_25' | 'creep_50' | 'lasting_change' | 'night_burst';

interface IncidentSpec {
  type: AlertType;
  shape: ShapeName;
}

export const CREEP_25: Pick<Ramp, 'growth_per_hour' | 'creep_ms' | 'hold_ms'> = { growth_per_hour: 1.25, creep_ms: 8 * HOUR_MS, hold_ms: 6 * HOUR_MS };
export const CREEP_50: Pick<Ramp, 'growth_per_hour' | 'creep_ms' | 'hold_ms'> = { growth_per_hour: 1.5, creep_ms: 6 * HOUR_MS, hold_ms: 6 * HOUR_MS };
/** A lasting change multiplies the rate by this and starts at least LASTING_MIN_MS before the end margin. */
export const LASTING_STEP = 3;
const LASTING_MIN_MS = 12 * HOUR_MS;
/** A night burst: NIGHT_BURST_FACTOR x the rate for NIGHT_BURST_MS, starting NIGHT_BURST_OFFSET_MS into the destination's own day. */
export const NIGHT_BURST_FACTOR = 10;
export const NIGHT_BURST_MS = HOUR_MS;
/** 01:30 of the destination's curve: the hour around its 02:00 minimum. */
export const NIGHT_BURST_OFFSET_MS = 90 * MINUTE_MS;

/** The shapes each volume type takes in a scenario; every other type keeps its standard shape. */
function shapesOf(type: AlertType, options: GenerateOptions): ShapeName[] {
  if (options.scenario === 'volume') {
    if (type === 'VOLUME_SPIKE') return ['standard', 'night_burst'];
    if (type === 'SUSTAINED_INCREASE') return ['creep_25', 'creep_50', 'lasting_change'];
  }
  return ['standard'];
}

/** The longest stretch an incident of this shape can cover (for the last start that still fits). */
function incidentSpan(spec: IncidentSpec): number {
  switch (spec.shape) {
    case 'creep_25':
      return CREEP_25.creep_ms + CREEP_25.hold_ms;
    case 'creep_50':
      return CREEP_50.creep_ms + CREEP_50.hold_ms;
    case 'lasting_change':
      return LASTING_MIN_MS;
    case 'night_burst':
      return DAY_MS + NIGHT_BURST_MS; // snapped forward to the next night
    case 'standard':
      if (spec.type === 'SUSTAINED_INCREASE') return RAMP_CREEP_MS + RAMP_HOLD_MS;
      if (spec.type === 'VOLUME_SPIKE') return BURST_MAX_MS;
      return INCIDENT_FLOW_MAX_MS + POLICY_SPREAD_MS;
  }
}

/** Volume incidents reserve their (busy) destinations before the others pick theirs. */
const PLANNING_ORDER: AlertType[] = [
  'VOLUME_SPIKE',
  'SUSTAINED_INCREASE',
  'UNAUTHORIZED_PRINCIPAL',
  'GATEWAY_BYPASS',
  'NEW_DESTINATION',
  'RESIDENCY_VIOLATION',
];

export function planIncidentSet(prng: Prng, population: Population, options: GenerateOptions): PlannedIncident[] {
  const types = PLANNING_ORDER.filter((type) => options.types.includes(type));
  const specs: IncidentSpec[] = types.flatMap((type) =>
    shapesOf(type, options).flatMap((shape) => Array.from({ length: options.incidents_per_type }, () => ({ type, shape }))),
  );
  if (specs.length === 0 && !options.types.includes('GATEWAY_SILENT')) return [];

  const starts = stratifiedStarts(prng, specs, options);
  const planner = new DestinationPicker(prng, population);
  const ordinal = new Map<string, number>();
  const planned = specs.map((spec, i) => {
    const key = `${spec.type}/${spec.shape}`;
    const nth = ordinal.get(key) ?? 0;
    ordinal.set(key, nth + 1);
    return planOne(prng, population, planner, spec, nth, starts[i], options);
  });
  // Last and from a random stream of their own: the incidents above stay the same for a seed.
  planned.push(...planSilences(options, END_MARGIN_MS, planned));

  const typeRank = (type: AlertType) => ALERT_TYPES.indexOf(type);
  planned.sort(
    (a, b) =>
      a.incident.start_ms - b.incident.start_ms ||
      typeRank(a.incident.type) - typeRank(b.incident.type) ||
      a.incident.destination.localeCompare(b.incident.destination),
  );
  planned.forEach((p, i) => {
    p.incident.incident_id = `inc-${options.seed}-${String(i + 1).padStart(3, '0')}`;
  });
  return planned;
}

/**
 * Start times spread evenly over what remains after learning: the incidents are dealt
 * shuffled strata of [learning end, last start that still ends an hour before the end].
 */
function stratifiedStarts(prng: Prng, specs: IncidentSpec[], options: GenerateOptions): number[] {
  const earliest = options.start_ms + options.learning_ms;
  const streamEnd = options.start_ms + options.duration_ms;
  const strata = prng.shuffle(specs.map((_, i) => i));
  return specs.map((spec, i) => {
    const latest = streamEnd - END_MARGIN_MS - incidentSpan(spec);
    if (latest < earliest) {
      const what = spec.shape === 'standard' ? spec.type : `${spec.type} (${spec.shape})`;
      throw new GenerateOptionsError(
        `generate options leave no room for ${what} incidents: --learning ${formatDuration(options.learning_ms)} + ` +
          `${formatDuration(incidentSpan(spec))} for the incident + ${formatDuration(END_MARGIN_MS)} of margin exceed --duration ${formatDuration(options.duration_ms)} ` +
          `(lengthen --duration, shorten --learning, or leave the type out with --types)`,
      );
    }
    return earliest + Math.floor(((strata[i] + prng.uniform()) / specs.length) * (latest - earliest));
  });
}

/** Hands out each destination to at most one incident. */
class DestinationPicker {
  private readonly available: Set<Destination>;

  constructor(
    private readonly prng: Prng,
    population: Population,
  ) {
    this.available = new Set(population.external);
  }

  candidates(test: (destination: Destination) => boolean): Destination[] {
    return [...this.available].filter(test);
  }

  take(candidates: Destination[]): Destination {
    const chosen = this.prng.choice(candidates);
    this.available.delete(chosen);
    return chosen;
  }
}

function planOne(
  prng: Prng,
  population: Population,
  picker: DestinationPicker,
  spec: IncidentSpec,
  nth: number,
  startMs: number,
  options: GenerateOptions,
): PlannedIncident {
  const { type } = spec;
  switch (spec.shape) {
    case 'creep_25':
      return planRampIncident(type, takeBusy(picker, type), 'creep', { ...CREEP_25, start_ms: startMs, scales: nth % 2 === 0 ? 'bytes' : 'rate' });
    case 'creep_50':
      return planRampIncident(type, takeBusy(picker, type), 'creep', { ...CREEP_50, start_ms: startMs, scales: nth % 2 === 0 ? 'bytes' : 'rate' });
    case 'lasting_change': {
      const hold = options.start_ms + options.duration_ms - startMs;
      return planRampIncident(type, takeBusy(picker, type), 'lasting_change', { start_ms: startMs, creep_ms: 0, hold_ms: hold, growth_per_hour: 1, step: LASTING_STEP, scales: 'rate' });
    }
    case 'night_burst': {
      const destination = takeBusy(picker, type);
      const burstStart = nextTimeOfDay(startMs, NIGHT_BURST_OFFSET_MS - destination.phaseMs);
      return planRampIncident(type, destination, 'night_burst', { start_ms: burstStart, creep_ms: 0, hold_ms: NIGHT_BURST_MS, growth_per_hour: 1, step: NIGHT_BURST_FACTOR, scales: 'rate' });
    }
    case 'standard':
      break;
  }
  switch (type) {
    case 'VOLUME_SPIKE':
      return planVolumeSpike(prng, population, takeBusy(picker, type), startMs, seasonalityOf(options.scenario));
    case 'SUSTAINED_INCREASE':
      return planSustainedIncrease(takeBusy(picker, type), startMs);
    case 'UNAUTHORIZED_PRINCIPAL':
    case 'GATEWAY_BYPASS': {
      const candidates = picker.candidates((d) => restrictedClassesOf(d).length > 0);
      if (candidates.length === 0) {
        throw new GenerateOptionsError(
          `too few destinations for ${type} incidents: none left that receives eu_user_data or payment_data; raise 'destinations' or lower 'incidents_per_type'`,
        );
      }
      const destination = picker.take(candidates);
      const dataClass = prng.choice(restrictedClassesOf(destination));
      if (type === 'UNAUTHORIZED_PRINCIPAL') {
        const principal = prng.choice(UNAUTHORIZED_PRINCIPALS[dataClass]);
        return policyIncident(prng, population, type, destination, dataClass, principal, 'via-gateway', startMs);
      }
      const { principal } = normalSender(prng, population, dataClass);
      return policyIncident(prng, population, type, destination, dataClass, principal, 'bypass', startMs);
    }
    case 'NEW_DESTINATION': {
      const dataClass = prng.choice(RESTRICTED_CLASSES);
      // Alternate: an existing destination that never received the class, or a brand-new one.
      const existing = picker.candidates((d) => countryAllowed(dataClass, d.dst_country) && !d.classes.includes(dataClass));
      const destination =
        nth % 2 === 0 && existing.length > 0
          ? picker.take(existing)
          : brandNew(prng, population, dataClass, allowedCountry(prng, dataClass));
      const { principal } = normalSender(prng, population, dataClass);
      return policyIncident(prng, population, type, destination, dataClass, principal, 'via-gateway', startMs);
    }
    case 'GATEWAY_SILENT':
      throw new Error('GATEWAY_SILENT incidents are planned by silence.ts');
    case 'RESIDENCY_VIOLATION': {
      const dataClass = prng.choice(RESTRICTED_CLASSES);
      const existing = picker.candidates((d) => !countryAllowed(dataClass, d.dst_country));
      const destination =
        nth % 2 === 0 && existing.length > 0
          ? picker.take(existing)
          : brandNew(prng, population, dataClass, prng.choice(RESIDENCY_TARGETS[dataClass]));
      const { principal } = normalSender(prng, population, dataClass);
      return policyIncident(prng, population, type, destination, dataClass, principal, 'via-gateway', startMs);
    }
  }
}

function restrictedClassesOf(destination: Destination): RestrictedClass[] {
  return RESTRICTED_CLASSES.filter((c) => destination.classes.includes(c));
}

function takeBusy(picker: DestinationPicker, type: AlertType): Destination {
  const busy = picker.candidates(isBusy);
  if (busy.length === 0) {
    throw new GenerateOptionsError(
      `too few busy destinations (>= 3 flows/min on average) for ${type} incidents; raise 'rate' or lower 'incidents_per_type'`,
    );
  }
  return picker.take(busy);
}

function allowedCountry(prng: Prng, dataClass: RestrictedClass): string {
  if (dataClass === 'eu_user_data' && prng.chance(0.2)) return prng.choice(['GB', 'CH']);
  return pickEeaCountry(prng);
}

/** A destination that exists only in an incident: normal traffic never reaches it. */
function brandNew(prng: Prng, population: Population, dataClass: DataClass, country: string | null): Destination {
  const destination = createDestination(prng, population, { country, classes: [dataClass], ratePerMs: 0 });
  population.incidentOnly.push(destination);
  return destination;
}

function incidentFrom(type: AlertType, destination: Destination, flows: FlowRecord[], dataClass: DataClass, principal: string | null): Incident {
  return {
    incident_id: '',
    type,
    destination: destination.key,
    data_class: dataClass,
    principal,
    start_ms: Math.min(...flows.map((f) => f.start_ms)),
    end_ms: Math.max(...flows.map((f) => f.end_ms)),
  };
}

/** 1-4 flows of one class by one principal within a few minutes of startMs. */
function policyIncident(
  prng: Prng,
  population: Population,
  type: AlertType,
  destination: Destination,
  dataClass: RestrictedClass,
  principal: string | null,
  route: 'via-gateway' | 'bypass',
  startMs: number,
): PlannedIncident {
  const host = hostOf(prng, population, principal);
  const count = prng.int(1, 4);
  const spread = prng.range(0, POLICY_SPREAD_MS);
  // Ends at least INCIDENT_FLOW_MAX_MS after startMs, so every flow starts at or after startMs.
  const ends = Array.from({ length: count }, () => startMs + INCIDENT_FLOW_MAX_MS + Math.floor(prng.uniform() * spread));
  ends.sort((a, b) => a - b);
  const flows = ends.map((endMs) =>
    composeFlow(prng, destination, endMs, {
      dataClass,
      principal,
      host,
      gatewayId: route === 'bypass' ? null : host.gateway,
      bytesOut: sampleBytesOut(prng, destination.size),
      maxDurationMs: INCIDENT_FLOW_MAX_MS,
    }),
  );
  return { incident: incidentFrom(type, destination, flows, dataClass, principal), destination, flows, ramp: null, volume: null };
}

/** The destination's main class: the one with the largest weight. */
function mainClass(destination: Destination): DataClass {
  let best = 0;
  destination.classWeights.forEach((w, i) => {
    if (w > destination.classWeights[best]) best = i;
  });
  return destination.classes[best];
}

/**
 * A burst of big flows from one sender, 1-3 minutes long, carrying factor x the bytes the
 * destination normally receives in an hour at that time of day (same parameters as the stream).
 */
function planVolumeSpike(prng: Prng, population: Population, destination: Destination, startMs: number, profile: SeasonalProfile): PlannedIncident {
  const dataClass = mainClass(destination);
  const { principal, host } = normalSender(prng, population, dataClass);
  const normalHourlyBytes =
    destination.ratePerMs * HOUR_MS * seasonalFactor(startMs + destination.phaseMs, profile) * destination.meanBytesOut;
  const factor = Math.exp(prng.range(Math.log(SPIKE_FACTOR_MIN), Math.log(SPIKE_FACTOR_MAX)));
  const totalBytes = Math.round(factor * normalHourlyBytes);
  const burstMs = prng.range(BURST_MIN_MS, BURST_MAX_MS);
  const count = prng.int(10, 40);
  const weights = Array.from({ length: count }, () => prng.range(0.5, 1.5));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => Math.floor((totalBytes * w) / weightSum));
  shares[count - 1] += totalBytes - shares.reduce((a, b) => a + b, 0);
  const ends = Array.from({ length: count }, () => startMs + Math.floor(prng.uniform() * burstMs));
  ends.sort((a, b) => a - b);
  const flows = ends.map((endMs, i) =>
    composeFlow(prng, destination, endMs, {
      dataClass,
      principal,
      host,
      gatewayId: host.gateway,
      bytesOut: shares[i],
      maxDurationMs: endMs - startMs,
    }),
  );
  return {
    incident: incidentFrom('VOLUME_SPIKE', destination, flows, dataClass, principal),
    destination,
    flows,
    ramp: null,
    volume: { normal_hourly_bytes: normalHourlyBytes, factor, total_bytes: totalBytes },
  };
}

/** The standard SUSTAINED_INCREASE: +30 %/h for 6 hours, held 2 hours, on the flow rate. */
function planSustainedIncrease(destination: Destination, startMs: number): PlannedIncident {
  const ramp: Ramp = {
    start_ms: startMs,
    creep_ms: RAMP_CREEP_MS,
    hold_ms: RAMP_HOLD_MS,
    growth_per_hour: RAMP_GROWTH_PER_HOUR,
  };
  return planRampIncident('SUSTAINED_INCREASE', destination, undefined, ramp);
}

/** The first instant at or after `ms` whose time of day (UTC) is `offsetMs` (taken modulo a day). */
export function nextTimeOfDay(ms: number, offsetMs: number): number {
  const dayStart = Math.floor(ms / DAY_MS) * DAY_MS;
  const offset = ((offsetMs % DAY_MS) + DAY_MS) % DAY_MS;
  const candidate = dayStart + offset;
  return candidate >= ms ? candidate : candidate + DAY_MS;
}

/**
 * A volume shape carried by the destination's own traffic (a ramp): its truth runs from the
 * ramp's start to its end; `shape` undefined (the standard ramp) leaves the field out.
 */
function planRampIncident(type: AlertType, destination: Destination, shape: IncidentShape | undefined, ramp: Ramp): PlannedIncident {
  const incident: Incident = {
    incident_id: '',
    type,
    destination: destination.key,
    data_class: null,
    principal: null,
    start_ms: ramp.start_ms,
    end_ms: rampEnd(ramp),
  };
  if (shape !== undefined) incident.shape = shape;
  return {
    incident,
    destination,
    flows: [],
    ramp,
    volume: null,
  };
}
