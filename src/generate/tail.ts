// Closing records for a stream that must end cleanly (the demo, the fault suite): internal
// flows (not egress, no data class) later than every window, alert interval and allowed
// lateness, so they move event time past the last windows without raising anything.
import type { Config } from '../config/types.js';
import type { FlowRecord } from '../engine/types.js';

/** Event time far enough after `lastEventMs` that every window and fold interval has closed. */
export function tailTime(config: Config, lastEventMs: number): number {
  const { size, allowed_lateness } = config.windows;
  return lastEventMs + allowed_lateness + 2 * size + config.alerts.suppress_for + 60_000;
}

/** One internal flow at `endMs` (dst_ip must be inside policy.internal_networks). */
export function tailFlow(id: string, dstIp: string, gateway: string | null, srcPort: number, endMs: number): FlowRecord {
  return {
    flow_id: id,
    gateway_id: gateway,
    start_ms: endMs - 1000,
    end_ms: endMs,
    src_ip: '10.0.0.1',
    dst_ip: dstIp,
    src_port: srcPort,
    dst_port: 443,
    protocol: 6,
    dst_host: null,
    dst_country: null,
    bytes_out: 100,
    bytes_in: 100,
    packets_out: 1,
    packets_in: 1,
    data_class: null,
    principal: null,
  };
}
