// Every detector, in the order the engine runs them: adding a detector is one file and one
// line here, appended at the end, plus its alert type in the wire contract (the whole list:
// docs/architecture.md, "Adding a detector"). Flow detectors run in this order for each flow,
// so a later one sees which earlier ones found something (ctx.earlier); the order is also the
// order of the config's detectors section, of check-config's lines and of the schema's alert
// types.
//
// Everything that needs to know the detectors reads this list: the engine (dispatch.ts and its
// gateway judges), the config schema (config/schema/detectors.ts), check-config's words
// (config/explain.ts), the override checks, the SIEM mappings (io/siem/fields.ts) and the
// report. schemas/alert.avsc's type enum and model/contract.ts's ALERT_TYPES are the wire
// contract and are held equal to this list by test/detectors/registry.test.ts.
//
// Layers, bottom up (docs/architecture.md): model (contract types) < values (durations, sizes,
// zod field builders) < detectors < config (schema, types, explain) < engine < alerts, suppress,
// audit, io, report < kafka, cli. Detectors read only the model, the values and their own
// helpers; config's schema and types read the detectors through this file.
import type { Detector } from './detector.js';
import { gatewayBypass } from './gateway-bypass.js';
import { gatewaySilent } from './gateway-silent.js';
import { newDestination } from './new-destination.js';
import { residencyViolation } from './residency-violation.js';
import { sustainedIncrease } from './sustained-increase.js';
import { unauthorizedPrincipal } from './unauthorized-principal.js';
import { volumeSpike } from './volume-spike.js';

const registered: Detector[] = [
  residencyViolation,
  unauthorizedPrincipal,
  gatewayBypass,
  newDestination,
  volumeSpike,
  sustainedIncrease,
  gatewaySilent,
];

/** The detectors in force (a live view: readers take it when they build, not at import). */
export const DETECTORS: readonly Detector[] = registered;

let version = 0;

/** Changes each time the list does: what a reader built from it is stale when this moved. */
export function registryVersion(): number {
  return version;
}

/**
 * Adds a detector after the built-in ones (for tests and extensions); returns the function
 * that removes it again. Engines and config schemas built afterwards include it.
 */
export function registerDetector(detector: Detector): () => void {
  if (registered.some((d) => d.key === detector.key || d.type === detector.type)) {
    throw new Error(`a detector with key ${detector.key} or type ${detector.type} is registered already`);
  }
  registered.push(detector);
  version++;
  return () => {
    const at = registered.indexOf(detector);
    if (at >= 0) registered.splice(at, 1);
    version++;
  };
}

type OfKind<K extends Detector['kind']> = Extract<Detector, { kind: K }>;
const byKind = new Map<string, { version: number; list: readonly Detector[] }>();

/** The registered detectors of some kinds, in registry order (cached until the list changes). */
function listOf(kinds: readonly Detector['kind'][]): readonly Detector[] {
  const name = kinds.join();
  let cached = byKind.get(name);
  if (cached === undefined || cached.version !== version) {
    cached = { version, list: registered.filter((d) => kinds.includes(d.kind)) };
    byKind.set(name, cached);
  }
  return cached.list;
}

export const flowDetectors = (): readonly OfKind<'flow'>[] => listOf(['flow']) as OfKind<'flow'>[];
export const windowDetectors = (): readonly OfKind<'window'>[] => listOf(['window']) as OfKind<'window'>[];
export const gatewayDetectors = (): readonly OfKind<'gateway'>[] => listOf(['gateway']) as OfKind<'gateway'>[];
/** Flow and window detectors: those with a per-destination state in the destination's changelog entry. */
export const destinationDetectors = (): readonly (OfKind<'flow'> | OfKind<'window'>)[] =>
  listOf(['flow', 'window']) as (OfKind<'flow'> | OfKind<'window'>)[];
