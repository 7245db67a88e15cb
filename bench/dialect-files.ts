// The same generated flows written in each input dialect, for `npm run bench`'s comparison
// of a dialect's decode cost per record against the JSON path's. Minimal writers: a flow's src
// is the inside, so every dialect's record says the inside initiated (or sent) it.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { FlowRecord } from '../src/engine/types.js';
import type { DialectName } from '../src/io/dialects/dialect.js';

const PROTO: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };
const seconds = (ms: number) => (ms / 1000).toFixed(6);
const iso = (ms: number) => new Date(ms).toISOString();

/** A conn.log's TSV header as Zeek's ASCII writer opens it (also the dialect fuzz's). */
export const ZEEK_TSV_HEADER: readonly string[] = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
];
const ZEEK_HEADER = ZEEK_TSV_HEADER.join('\n');

/** The first lines of a file in the dialect (headers), or ''. */
export function headerOf(dialect: DialectName): string {
  if (dialect === 'zeek') return ZEEK_HEADER + '\n';
  if (dialect === 'vpc') return 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n';
  return '';
}

/** One flow as a line of the dialect. `variant` json: Zeek's JSON writer instead of TSV. */
export function lineOf(dialect: DialectName | 'zeek-json', f: FlowRecord): string {
  const dur = ((f.end_ms - f.start_ms) / 1000).toFixed(6);
  switch (dialect) {
    case 'zeek':
      return [seconds(f.start_ms), f.flow_id, f.src_ip, f.src_port, f.dst_ip, f.dst_port, PROTO[f.protocol] ?? 'unknown_transport', '-', dur, f.bytes_out, f.bytes_in, 'SF', 'T', 'F', 0, 'ShADadFf', f.packets_out, f.bytes_out + 40 * f.packets_out, f.packets_in, f.bytes_in + 40 * f.packets_in, '(empty)'].join('\t');
    case 'zeek-json':
      return JSON.stringify({ _path: 'conn', _system_name: f.gateway_id ?? 'none', ts: Number(seconds(f.start_ms)), uid: f.flow_id, 'id.orig_h': f.src_ip, 'id.orig_p': f.src_port, 'id.resp_h': f.dst_ip, 'id.resp_p': f.dst_port, proto: PROTO[f.protocol] ?? 'unknown_transport', duration: Number(dur), orig_bytes: f.bytes_out, resp_bytes: f.bytes_in, conn_state: 'SF', local_orig: true, local_resp: false, missed_bytes: 0, history: 'ShADadFf', orig_pkts: f.packets_out, orig_ip_bytes: f.bytes_out + 40 * f.packets_out, resp_pkts: f.packets_in, resp_ip_bytes: f.bytes_in + 40 * f.packets_in });
    case 'vpc':
      return ['2', '123456789012', 'eni-0123456789abcdef0', f.src_ip, f.dst_ip, f.src_port, f.dst_port, f.protocol, f.packets_out, f.bytes_out, Math.floor(f.start_ms / 1000), Math.floor(f.end_ms / 1000), 'ACCEPT', 'OK'].join(' ');
    case 'goflow2':
      return JSON.stringify({ type: 'IPFIX', time_received_ns: f.end_ms * 1e6, sequence_num: 1, sampling_rate: 0, sampler_address: '192.0.2.1', time_flow_start_ns: f.start_ms * 1e6, time_flow_end_ns: f.end_ms * 1e6, bytes: f.bytes_out, packets: f.packets_out, src_addr: f.src_ip, dst_addr: f.dst_ip, etype: 'IPv4', proto: (PROTO[f.protocol] ?? 'tcp').toUpperCase(), src_port: f.src_port, dst_port: f.dst_port, in_if: 1, out_if: 2 });
    case 'suricata':
      return JSON.stringify({ timestamp: iso(f.end_ms), flow_id: f.flow_id, host: f.gateway_id ?? 'none', event_type: 'flow', src_ip: f.src_ip, src_port: f.src_port, dest_ip: f.dst_ip, dest_port: f.dst_port, proto: (PROTO[f.protocol] ?? 'tcp').toUpperCase(), flow: { pkts_toserver: f.packets_out, pkts_toclient: f.packets_in, bytes_toserver: f.bytes_out, bytes_toclient: f.bytes_in, start: iso(f.start_ms), end: iso(f.end_ms), age: 1, state: 'closed', reason: 'timeout', alerted: false } });
    case 'ocsf':
      return JSON.stringify({ class_uid: 4001, category_uid: 4, activity_id: 6, time: f.end_ms, start_time: f.start_ms, end_time: f.end_ms, metadata: { version: '1.1.0', product: { name: 'bench' } }, device: { name: f.gateway_id ?? 'none' }, connection_info: { uid: f.flow_id, protocol_num: f.protocol, direction_id: 2 }, src_endpoint: { ip: f.src_ip, port: f.src_port }, dst_endpoint: { ip: f.dst_ip, port: f.dst_port, hostname: f.dst_host ?? undefined }, traffic: { bytes_out: f.bytes_out, bytes_in: f.bytes_in, packets_out: f.packets_out, packets_in: f.packets_in } });
    case 'flow':
      return JSON.stringify(f);
  }
}

/** Writes `flows` to `path` in the dialect. */
export async function writeDialectFile(path: string, dialect: DialectName | 'zeek-json', flows: readonly FlowRecord[]): Promise<void> {
  const out = createWriteStream(path);
  let chunk = dialect === 'zeek-json' ? '' : headerOf(dialect);
  for (const f of flows) {
    chunk += lineOf(dialect, f) + '\n';
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
