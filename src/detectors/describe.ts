// Shared wording for reasons, so every alert names the flow, the rule and the numbers the
// same way. A reason says, in at most two short sentences: the rule or baseline (by its
// config key, so an operator can find it), what was observed against what was expected in
// human units (MB, flows/min), the threshold, and what to check next.
import { formatBytes, formatDuration } from '../values/units.js';
import type { FlowRecord } from '../model/contract.js';
import { GROWTH_WAIT_CAP, type AcceptedRun } from './baseline/episode.js';

export function describeTarget(flow: FlowRecord, destination: string): string {
  const country = flow.dst_country ?? 'unknown country';
  const ip = destination === flow.dst_ip ? '' : ` [${flow.dst_ip}]`;
  return `${destination}${ip} (${country})`;
}

export function describePrincipal(principal: string | null): string {
  return principal === null ? 'an unauthenticated principal' : principal;
}

/** The sender of a flow: its principal, or the unauthenticated source it came from. */
export function describeSender(flow: FlowRecord): string {
  return flow.principal === null ? `an unauthenticated principal on ${flow.src_ip}` : flow.principal;
}

export function describeGateway(gateway: string | null): string {
  return gateway === null ? 'no gateway' : `gateway ${gateway}`;
}

/** The config key of a policy rule of a data class. */
export function policyRule(dataClass: string, rule: 'allowed_countries' | 'principals' | 'require_gateway'): string {
  return `policy.data_classes.${dataClass}.${rule}`;
}

/** What a flow sent: "2.5 MB of eu_user_data". */
export function describeSent(flow: FlowRecord): string {
  return `${formatBytes(flow.bytes_out)} of ${flow.data_class}`;
}

/** The fixed tail of a policy rule's numbers: nothing was allowed, and any byte alerts. */
export const NOTHING_ALLOWED = 'against 0 B allowed (threshold: any byte)';

/** Flows per minute, three significant digits: 140 flows in a 1m window → "140 flows/min". */
export function formatFlowRate(flows: number, windowMs: number): string {
  const perMinute = windowMs > 0 ? (flows * 60_000) / windowMs : 0;
  return `${Number(perMinute.toPrecision(3))} flows/min`;
}

/** Observed bytes as a multiple of the expected: "43.6x"; "no bytes expected" when none were. */
export function formatRatio(observed: number, expected: number, digits: number): string {
  return expected > 0 ? `${(observed / expected).toFixed(digits)}x the bytes` : 'no bytes expected';
}

/** A volume detector's acceptance rule in the words of its explanation (check-config, docs tables). */
export function acceptanceRule(acceptAfterMs: number): string {
  return `a rise that stops growing for ${formatDuration(acceptAfterMs)} (as long as it grew after it opened, up to ${GROWTH_WAIT_CAP} times that) becomes the new normal`;
}

/**
 * A volume detector's final note on a run it accepts as the new normal: when the run opened,
 * the level it settled at, and for how long it has not grown; `key` the detector's config key.
 */
export function acceptanceSentence(key: string, run: AcceptedRun, acceptAfterMs: number): string {
  return (
    `The rise that opened at ${new Date(run.start).toISOString()} has stayed near ${Math.exp(run.level).toFixed(2)}x ` +
    `the expected bytes without growing for ${formatDuration(run.steadyMs)} (detectors.${key}.accept_after, ${formatDuration(acceptAfterMs)}, ` +
    `or as long as it grew after it opened, up to ${formatDuration(GROWTH_WAIT_CAP * acceptAfterMs)}): ` +
    // Only a run above its expectation is accepted with a note (one that came down ends as back at baseline: episode.ts).
    'it is now accepted as the new normal baseline.'
  );
}
