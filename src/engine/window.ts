// One open tumbling window of one destination: what the volume baseline scores at close.
import { addCapped } from '../values/counts.js';
import type { FlowRecord } from './types.js';

// The saturating sum is a value helper (detectors sum too); re-exported for the engine's parts.
export { addCapped, MAX_TOTAL } from '../values/counts.js';

export const MAX_SAMPLES = 5;

export interface OpenWindow {
  start: number;
  bytes: number;
  flows: number;
  packets: number;
  sources: Set<string>;
  samples: string[];
  /** The largest flow: volume alerts name its class, principal, gateway and country. */
  topBytes: number;
  top: Pick<FlowRecord, 'data_class' | 'principal' | 'gateway_id' | 'dst_country'> | null;
}

export function openWindow(start: number): OpenWindow {
  return { start, bytes: 0, flows: 0, packets: 0, sources: new Set(), samples: [], topBytes: -1, top: null };
}

export function addFlow(w: OpenWindow, flow: FlowRecord): void {
  w.bytes = addCapped(w.bytes, flow.bytes_out);
  w.flows += 1;
  w.packets = addCapped(w.packets, flow.packets_out);
  w.sources.add(flow.src_ip);
  if (w.samples.length < MAX_SAMPLES) w.samples.push(flow.flow_id);
  if (flow.bytes_out > w.topBytes) {
    w.topBytes = flow.bytes_out;
    // The flow itself, not a copy of its four fields: a new largest flow is common and
    // the window lives only until it closes.
    w.top = flow;
  }
}

export function windowToJSON(w: OpenWindow): unknown {
  const t = w.top;
  const top = t === null ? null : { data_class: t.data_class, principal: t.principal, gateway_id: t.gateway_id, dst_country: t.dst_country };
  return [w.start, w.bytes, w.flows, w.packets, [...w.sources], w.samples, w.topBytes, top];
}

export function windowFromJSON(json: unknown): OpenWindow {
  const [start, bytes, flows, packets, sources, samples, topBytes, top] = json as [
    number, number, number, number, string[], string[], number, OpenWindow['top'],
  ];
  return { start, bytes, flows, packets, sources: new Set(sources), samples, topBytes, top };
}
