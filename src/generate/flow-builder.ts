// Turns "a flow to this destination ending now" into a complete FlowRecord.
// flow_id stays empty here: ids are handed out in emission order by the stream.
import type { FlowRecord } from '../engine/types.js';
import { sampleBytesOut } from './flow-size.js';
import { scaledBytes } from './ramp.js';
import { principalKey, requiresGateway, type DataClass } from './policy.js';
import type { Destination, Population, SourceHost } from './population.js';
import type { Prng } from './prng.js';

/** Longest flow (gateways export long connections in intervals of at most this). */
export const MAX_FLOW_MS = 600_000;
/** Share of unrestricted flows seen outside any gateway. */
export const NO_GATEWAY_SHARE = 0.005;
const MEDIAN_SETUP_MS = 1_500;
const THROUGHPUT_BYTES_PER_MS = 5_000;
const PAYLOAD_PER_PACKET = 1_200;
const EPHEMERAL_PORT_LOW = 32_768;
const EPHEMERAL_PORT_COUNT = 28_232;

/** One packet for the handshake/ack plus one per 1200 payload bytes. */
export function packetsFor(bytes: number): number {
  return Math.ceil(bytes / PAYLOAD_PER_PACKET) + 1;
}

export interface FlowChoice {
  dataClass: DataClass;
  principal: string | null;
  host: SourceHost;
  gatewayId: string | null;
  bytesOut: number;
  /** Upper bound on the duration (so an incident's flows start inside its interval). */
  maxDurationMs?: number;
}

export function composeFlow(prng: Prng, destination: Destination, endMs: number, choice: FlowChoice): FlowRecord {
  const { bytesOut } = choice;
  const durationMs = Math.min(
    choice.maxDurationMs ?? MAX_FLOW_MS,
    MAX_FLOW_MS,
    Math.round(prng.lognormal(Math.log(MEDIAN_SETUP_MS), 1.0) + bytesOut / THROUGHPUT_BYTES_PER_MS),
  );
  const bytesIn = Math.round(bytesOut * destination.inRatio * prng.lognormal(0, 0.5)) + 120;
  return {
    flow_id: '',
    gateway_id: choice.gatewayId,
    start_ms: endMs - durationMs,
    end_ms: endMs,
    src_ip: choice.host.ip,
    dst_ip: destination.dst_ip,
    src_port: EPHEMERAL_PORT_LOW + Math.floor(prng.uniform() * EPHEMERAL_PORT_COUNT),
    dst_port: destination.dst_port,
    protocol: destination.protocol,
    dst_host: destination.dst_host,
    dst_country: destination.dst_country,
    bytes_out: bytesOut,
    bytes_in: bytesIn,
    packets_out: packetsFor(bytesOut),
    packets_in: packetsFor(bytesIn),
    data_class: choice.dataClass,
    principal: choice.principal,
  };
}

/** A principal allowed for the class and one of its hosts, drawn as normal traffic does. */
export function normalSender(prng: Prng, population: Population, dataClass: DataClass): { principal: string | null; host: SourceHost } {
  const principal = population.principalPickers[principalKey(dataClass)].pick(prng);
  return { principal, host: hostOf(prng, population, principal) };
}

export function hostOf(prng: Prng, population: Population, principal: string | null): SourceHost {
  const hosts = population.hosts.get(principal);
  if (hosts === undefined) throw new Error(`no source hosts for principal ${String(principal)}`);
  return prng.choice(hosts);
}

/**
 * A policy-respecting flow of the destination's usual traffic; `dataClass` fixes the class
 * (seed flows); `bytesScale` multiplies the drawn bytes_out (a bytes ramp), rounded to a whole byte.
 */
export function normalFlow(
  prng: Prng,
  population: Population,
  destination: Destination,
  endMs: number,
  dataClass: DataClass = destination.classPicker.pick(prng),
  bytesScale = 1,
): FlowRecord {
  const { principal, host } = normalSender(prng, population, dataClass);
  const gatewayId = requiresGateway(dataClass) || !prng.chance(NO_GATEWAY_SHARE) ? host.gateway : null;
  const drawn = sampleBytesOut(prng, destination.size);
  const bytesOut = bytesScale === 1 ? drawn : scaledBytes(drawn, bytesScale);
  return composeFlow(prng, destination, endMs, { dataClass, principal, host, gatewayId, bytesOut });
}
