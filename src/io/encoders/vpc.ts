// AWS VPC Flow Logs, default v2 format with its header line: one record per direction of a
// connection (the outbound one carries bytes_out, the return one bytes_in), times in whole
// seconds (the start cut down, the end cut down: a record never leaves its minute), no flow id.
// The sensor is the network interface (interface-id) of the gateway.
import type { FlowRecord } from '../../engine/types.js';
import { NON_GATEWAY_SENSOR, hash52, type DialectEncoder } from './encoder.js';

const ACCOUNT = '123456789012';
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export const vpcEncoder: DialectEncoder = {
  dialect: 'vpc',
  timeResolutionMs: 1000,
  sensorField: 'interface-id',
  sensorOf: (gateway) => `eni-0${hash52(gateway ?? NON_GATEWAY_SENSOR).toString(16).padStart(16, '0')}`,
  header: () => [HEADER],
  encode(flow: FlowRecord, sensor: string): string[] {
    const start = Math.floor(flow.start_ms / 1000);
    const end = Math.floor(flow.end_ms / 1000);
    const line = (src: string, dst: string, sport: number, dport: number, packets: number, bytes: number) =>
      `2 ${ACCOUNT} ${sensor} ${src} ${dst} ${sport} ${dport} ${flow.protocol} ${packets} ${bytes} ${start} ${end} ACCEPT OK`;
    return [
      line(flow.src_ip, flow.dst_ip, flow.src_port, flow.dst_port, flow.packets_out, flow.bytes_out),
      line(flow.dst_ip, flow.src_ip, flow.dst_port, flow.src_port, flow.packets_in, flow.bytes_in),
    ];
  },
};
