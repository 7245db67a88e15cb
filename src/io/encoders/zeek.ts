// Zeek conn.log as Zeek's JSON writer (and its Kafka writer) writes it: `id.orig_h` keys,
// `ts` and `duration` in seconds with microseconds, `_path` and `_system_name` (the sensor: the
// gateway's own name). The flow id is the uid.
import type { FlowRecord } from '../../engine/types.js';
import { NON_GATEWAY_SENSOR, protocolName, secondsText, type DialectEncoder } from './encoder.js';

export const zeekEncoder: DialectEncoder = {
  dialect: 'zeek',
  timeResolutionMs: 1,
  sensorField: '_system_name',
  sensorOf: (gateway) => gateway ?? NON_GATEWAY_SENSOR,
  header: () => [],
  encode(flow: FlowRecord, sensor: string): string[] {
    // The generator's src is the initiator; duration text keeps the milliseconds (secondsText).
    const record = {
      _path: 'conn',
      _system_name: sensor,
      ts: Number(secondsText(flow.start_ms)),
      uid: flow.flow_id,
      'id.orig_h': flow.src_ip,
      'id.orig_p': flow.src_port,
      'id.resp_h': flow.dst_ip,
      'id.resp_p': flow.dst_port,
      proto: protocolName(flow.protocol),
      duration: Number(secondsText(flow.end_ms - flow.start_ms)),
      orig_bytes: flow.bytes_out,
      resp_bytes: flow.bytes_in,
      conn_state: 'SF',
      orig_pkts: flow.packets_out,
      resp_pkts: flow.packets_in,
    };
    return [JSON.stringify(record)];
  },
};
