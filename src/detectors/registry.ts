// Every detector the engine runs, in the order it runs them. Adding a detector is one
// file and one line here. Flow detectors run in this order for each flow, so a later
// one sees which earlier ones found something (ctx.earlier).
// GATEWAY_SILENT (gateway-silent.ts) is not here: it judges gateways, not destinations, so
// the engine holds it beside these and drives it from process() and advance().
import type { Detector } from './detector.js';
import { gatewayBypass } from './gateway-bypass.js';
import { newDestination } from './new-destination.js';
import { residencyViolation } from './residency-violation.js';
import { sustainedIncrease } from './sustained-increase.js';
import { unauthorizedPrincipal } from './unauthorized-principal.js';
import { volumeSpike } from './volume-spike.js';

export const DETECTORS: readonly Detector[] = [
  residencyViolation,
  unauthorizedPrincipal,
  gatewayBypass,
  newDestination,
  volumeSpike,
  sustainedIncrease,
];
