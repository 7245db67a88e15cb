// OCSF 1.5.0 Network Activity (class_uid 4001, activity Traffic): traffic.bytes_out is what the
// source endpoint sent, times in epoch milliseconds, direction_id 2 (outbound), the host name in
// dst_endpoint.hostname (OCSF carries it, so no DNS join is needed), and the sensor as device.name.
import type { FlowRecord } from '../../engine/types.js';
import { NON_GATEWAY_SENSOR, type DialectEncoder } from './encoder.js';

export const ocsfEncoder: DialectEncoder = {
  dialect: 'ocsf',
  timeResolutionMs: 1,
  sensorField: 'device.name',
  sensorOf: (gateway) => gateway ?? NON_GATEWAY_SENSOR,
  header: () => [],
  encode(flow: FlowRecord, sensor: string): string[] {
    const dst: Record<string, unknown> = { ip: flow.dst_ip, port: flow.dst_port };
    if (flow.dst_host !== null) dst.hostname = flow.dst_host;
    const record = {
      class_uid: 4001,
      category_uid: 4,
      activity_id: 6,
      type_uid: 400106,
      severity_id: 1,
      time: flow.end_ms,
      start_time: flow.start_ms,
      end_time: flow.end_ms,
      metadata: { version: '1.5.0', product: { name: 'egress-watch generate', vendor_name: 'egress-watch' } },
      device: { name: sensor, hostname: sensor },
      src_endpoint: { ip: flow.src_ip, port: flow.src_port },
      dst_endpoint: dst,
      connection_info: { uid: flow.flow_id, protocol_num: flow.protocol, direction_id: 2 },
      traffic: { bytes_out: flow.bytes_out, bytes_in: flow.bytes_in, packets_out: flow.packets_out, packets_in: flow.packets_in },
    };
    return [JSON.stringify(record)];
  },
};
