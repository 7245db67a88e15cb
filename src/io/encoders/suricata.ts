// Suricata eve.json `event_type: flow` events: `flow.bytes_toserver` is what the initiator (the
// generator's src) sent, times ISO 8601 with microseconds and a +0000 offset, flow_id a number
// (made from the record's own id), and `host` the sensor: the gateway's own name.
import type { FlowRecord } from '../../engine/types.js';
import { NON_GATEWAY_SENSOR, hash52, type DialectEncoder } from './encoder.js';

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '500+0000');
}

export const suricataEncoder: DialectEncoder = {
  dialect: 'suricata',
  timeResolutionMs: 1,
  sensorField: 'host',
  sensorOf: (gateway) => gateway ?? NON_GATEWAY_SENSOR,
  header: () => [],
  encode(flow: FlowRecord, sensor: string): string[] {
    const record = {
      timestamp: iso(flow.end_ms),
      flow_id: hash52(flow.flow_id),
      event_type: 'flow',
      host: sensor,
      src_ip: flow.src_ip,
      src_port: flow.src_port,
      dest_ip: flow.dst_ip,
      dest_port: flow.dst_port,
      proto: flow.protocol === 6 ? 'TCP' : flow.protocol === 17 ? 'UDP' : String(flow.protocol),
      flow: {
        pkts_toserver: flow.packets_out,
        pkts_toclient: flow.packets_in,
        bytes_toserver: flow.bytes_out,
        bytes_toclient: flow.bytes_in,
        start: iso(flow.start_ms),
        end: iso(flow.end_ms),
        age: Math.round((flow.end_ms - flow.start_ms) / 1000),
        state: 'closed',
        reason: 'timeout',
      },
    };
    return [JSON.stringify(record)];
  },
};
