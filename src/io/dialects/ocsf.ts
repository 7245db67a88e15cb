// OCSF Network Activity (class_uid 4001), e.g. from a security lake: `traffic.bytes_out` is
// what the source endpoint sent, `traffic.bytes_in` what it received; a record with only
// `traffic.bytes` (AWS VPC flow logs mapped to OCSF) is one-way, source to destination.
// Times are epoch milliseconds. `connection_info.direction_id` (1 inbound, 2 outbound,
// 3 lateral) decides only when internal_networks call both ends external. Other classes are
// skipped and counted by class. The flow id is `connection_info.uid`, else `metadata.uid`,
// else made from the addresses, ports, protocol and time.
import type { Dialect, DialectDecoder, DialectRecord } from './dialect.js';
import type { DirectionHint } from './direction.js';
import { fail, ReusedFacts, objectOf, optionalCount, parseObject, portOf, protocolOf, skip, ipOf } from './fields.js';
import { SensorDecoder } from './sensor-decoder.js';
import { msText } from './ms-text.js';

const DEVICE_FIELDS = ['name', 'hostname', 'uid'];
const HINTS: Record<number, DirectionHint> = { 1: 'inbound', 2: 'outbound', 3: 'lateral' };

function msOf(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  return fail(field, value, 'a time in epoch milliseconds');
}

function hostOf(endpoint: Record<string, unknown>): string | null {
  return typeof endpoint.hostname === 'string' && endpoint.hostname.length > 0 ? endpoint.hostname : null;
}

class OcsfDecoder extends SensorDecoder implements DialectDecoder {
  readonly dialect = 'ocsf' as const;
  private readonly device = new ReusedFacts(DEVICE_FIELDS, 'device.');

  decode(line: string): DialectRecord[] {
    this.counts.records_read++;
    const o = parseObject(line);
    this.lastParsed = o;
    if (o.class_uid !== 4001) {
      if (typeof o.class_uid !== 'number') fail('class_uid', o.class_uid, 'an OCSF class number');
      return skip(this.counts, `ocsf class ${o.class_uid}`);
    }
    const srcEp = objectOf('src_endpoint', o.src_endpoint, true);
    const dstEp = objectOf('dst_endpoint', o.dst_endpoint, true);
    const conn = objectOf('connection_info', o.connection_info, false);
    const traffic = objectOf('traffic', o.traffic, false);
    const meta = objectOf('metadata', o.metadata, false);
    const src = ipOf('src_endpoint.ip', srcEp.ip);
    const dst = ipOf('dst_endpoint.ip', dstEp.ip);
    const sport = srcEp.port === undefined ? 0 : portOf('src_endpoint.port', srcEp.port);
    const dport = dstEp.port === undefined ? 0 : portOf('dst_endpoint.port', dstEp.port);
    const proto = conn.protocol_num !== undefined ? protocolOf('connection_info.protocol_num', conn.protocol_num) : conn.protocol_name !== undefined ? protocolOf('connection_info.protocol_name', conn.protocol_name) : 0;
    const endMs = msOf(o.end_time !== undefined ? 'end_time' : 'time', o.end_time ?? o.time);
    const startMs = o.start_time === undefined ? endMs : Math.min(endMs, msOf('start_time', o.start_time));
    const uid = typeof conn.uid === 'string' && conn.uid.length > 0 ? conn.uid : typeof meta.uid === 'string' && meta.uid.length > 0 ? meta.uid : `ocsf:${src}:${sport}>${dst}:${dport}/${proto}@${msText(startMs)}`;
    const oneWay = traffic.bytes_out === undefined && traffic.bytes_in === undefined;
    const sensorFlow = this.scratch;
    sensorFlow.flow_id = uid;
    sensorFlow.start_ms = startMs;
    sensorFlow.end_ms = endMs;
    sensorFlow.orig_ip = src;
    sensorFlow.orig_port = sport;
    sensorFlow.resp_ip = dst;
    sensorFlow.resp_port = dport;
    sensorFlow.protocol = proto;
    sensorFlow.orig_bytes = oneWay ? optionalCount('traffic.bytes', traffic.bytes) : optionalCount('traffic.bytes_out', traffic.bytes_out);
    sensorFlow.resp_bytes = oneWay ? 0 : optionalCount('traffic.bytes_in', traffic.bytes_in);
    sensorFlow.orig_pkts = oneWay ? optionalCount('traffic.packets', traffic.packets) : optionalCount('traffic.packets_out', traffic.packets_out);
    sensorFlow.resp_pkts = oneWay ? 0 : optionalCount('traffic.packets_in', traffic.packets_in);
    sensorFlow.orig_host = hostOf(srcEp);
    sensorFlow.resp_host = hostOf(dstEp);
    const hint = typeof conn.direction_id === 'number' ? (HINTS[conn.direction_id] ?? null) : null;
    const flow = oneWay ? this.orienter.orientOneWay(sensorFlow, this.counts, hint) : this.orienter.orient(sensorFlow, this.counts, hint);
    if (flow === null) return [];
    this.counts.flows_out++;
    const device = objectOf('device', o.device, false);
    return [{ flow, sensor: this.device.of(device) }];
  }
}

export const ocsf: Dialect = {
  name: 'ocsf',
  describe: 'OCSF Network Activity (class_uid 4001): traffic.bytes_out / bytes_in, connection_info.direction_id',
  sniff(first) {
    return first.charCodeAt(0) === 123 && first.indexOf('"class_uid"') !== -1;
  },
  create: (options) => new OcsfDecoder(options),
};
