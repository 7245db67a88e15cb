// goflow2's JSON output for NetFlow v9: one one-way record per direction (the return one carries
// bytes_in), times in nanoseconds (half a millisecond added, so a reader that rounds through a
// double and truncates still gets the millisecond), sampling_rate 1. The sensor is the exporter's
// address (sampler_address), one per gateway in order of first appearance.
import type { FlowRecord } from '../../engine/types.js';
import type { DialectEncoder } from './encoder.js';

const EXPORTERS = '192.0.2.';
const NON_GATEWAY_EXPORTER = `${EXPORTERS}254`;

function nanos(ms: number): string {
  return `${ms}500000`;
}

export function goflow2Encoder(): DialectEncoder {
  const exporters = new Map<string, string>();
  let sequence = 0;
  return {
    dialect: 'goflow2',
    timeResolutionMs: 1,
    sensorField: 'sampler_address',
    sensorOf(gateway) {
      if (gateway === null) return NON_GATEWAY_EXPORTER;
      let address = exporters.get(gateway);
      if (address === undefined) {
        if (exporters.size >= 250) throw new Error('goflow2 encoder: more than 250 gateways');
        address = `${EXPORTERS}${exporters.size + 1}`;
        exporters.set(gateway, address);
      }
      return address;
    },
    header: () => [],
    encode(flow: FlowRecord, sensor: string): string[] {
      const record = (src: string, dst: string, sport: number, dport: number, bytes: number, packets: number) =>
        `{"type":"NETFLOW_V9","time_received_ns":${nanos(flow.end_ms)},"sequence_num":${++sequence},"sampling_rate":1,` +
        `"sampler_address":"${sensor}","time_flow_start_ns":${nanos(flow.start_ms)},"time_flow_end_ns":${nanos(flow.end_ms)},` +
        `"bytes":${bytes},"packets":${packets},"src_addr":"${src}","dst_addr":"${dst}","etype":"${src.includes(':') ? 'IPv6' : 'IPv4'}",` +
        `"proto":${flow.protocol},"src_port":${sport},"dst_port":${dport}}`;
      return [
        record(flow.src_ip, flow.dst_ip, flow.src_port, flow.dst_port, flow.bytes_out, flow.packets_out),
        record(flow.dst_ip, flow.src_ip, flow.dst_port, flow.src_port, flow.bytes_in, flow.packets_in),
      ];
    },
  };
}
