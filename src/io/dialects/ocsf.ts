// OCSF Network Activity (class_uid 4001), e.g. from a security lake: `traffic.bytes_out` is
// what the source endpoint sent, `traffic.bytes_in` what it received; a record with only
// `traffic.bytes` (AWS VPC flow logs mapped to OCSF) is one-way, source to destination.
// Times are epoch milliseconds (timestamp_t) or RFC 3339 text with a zone (tenzir's JSON, the
// datetime profile's `*_dt` fields). `connection_info.direction_id` (1 inbound, 2 outbound,
// 3 lateral) decides only when internal_networks call both ends external. Other classes are
// skipped and counted by class; so are connections a control denied (`action_id` 2) or
// refused (`activity_id` 5 with `disposition_id` 2): nothing left, as VPC's REJECT. A JSON
// null is an absent field. A record without addresses whose `status_code` is NODATA or
// SKIPDATA (VPC's log-status, as tenzir maps it) is counted as such. The flow id is
// `connection_info.uid`, else `metadata.uid`, else made from the addresses, ports, protocol
// and time.
import type { DecodeCounts, Dialect, DialectDecoder, DialectRecord } from './dialect.js';
import type { DirectionHint } from './direction.js';
import { fail, isDecimalText, isoToMs, ReusedFacts, objectOf, optionalCount, parseObject, portOf, protocolOf, skip, ipOf } from './fields.js';
import { SensorDecoder } from './sensor-decoder.js';
import { msText } from './ms-text.js';

const DEVICE_FIELDS = ['name', 'hostname', 'uid'];
/**
 * Epoch milliseconds as decimal text: 11 to 15 digits, from 1970-04-27 (fewer digits are
 * seconds or a mistake: as milliseconds they would be a day in 1970) to the year 33658.
 */
const DECIMAL_MS = /^\d{11,15}$/;
const HINTS: Record<number, DirectionHint> = { 1: 'inbound', 2: 'outbound', 3: 'lateral' };

/**
 * A time: epoch milliseconds (timestamp_t), as a number or as decimal text (protobuf's JSON
 * mapping writes every 64-bit integer as text), or RFC 3339 text with a zone (datetime_t).
 */
function msOf(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    if (DECIMAL_MS.test(value)) return Number(value);
    if (isDecimalText(value, true)) fail(field, value, 'a time in epoch milliseconds (11 to 15 digits) or RFC 3339 text with a zone');
    return isoToMs(field, value);
  }
  return fail(field, value, 'a time in epoch milliseconds or RFC 3339 text with a zone');
}

/** The end when `end_time` is absent: `end_time_dt`, else `time`, else `time_dt`. */
function endOf(o: Record<string, unknown>): number {
  if (o.end_time_dt != null) return msOf('end_time_dt', o.end_time_dt);
  if (o.time != null || o.time_dt == null) return msOf('time', o.time);
  return msOf('time_dt', o.time_dt);
}

/** The start when `start_time` is absent: `start_time_dt`, else the end. */
function startOf(o: Record<string, unknown>, endMs: number): number {
  return o.start_time_dt != null ? Math.min(endMs, msOf('start_time_dt', o.start_time_dt)) : endMs;
}

/**
 * A record without an address: VPC's NODATA or SKIPDATA (tenzir maps log-status to
 * `status_code` and leaves the addresses null) is counted as such; any other is an error naming
 * what is missing.
 */
function noAddress(o: Record<string, unknown>, counts: DecodeCounts, srcEp: Record<string, unknown>, dstEp: Record<string, unknown>): [] {
  if (o.status_code === 'NODATA') {
    counts.nodata++;
    return [];
  }
  if (o.status_code === 'SKIPDATA') {
    counts.skipdata++;
    return [];
  }
  if (typeof o.src_endpoint !== 'object' || o.src_endpoint === null) return fail('src_endpoint', o.src_endpoint, 'an object');
  if (srcEp.ip == null) return fail('src_endpoint.ip', srcEp.ip, 'an IPv4 or IPv6 address');
  if (typeof o.dst_endpoint !== 'object' || o.dst_endpoint === null) return fail('dst_endpoint', o.dst_endpoint, 'an object');
  return fail('dst_endpoint.ip', dstEp.ip, 'an IPv4 or IPv6 address');
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
    // A connection a control denied or refused: nothing left (as VPC's REJECT), whatever else the
    // record holds. Blocked (disposition_id 2) alone is not enough: mappers also write it on a
    // session closed or reset after something in it was blocked, whose counts did leave.
    if (o.action_id === 2) return skip(this.counts, 'ocsf denied (action_id 2, nothing left)');
    if (o.disposition_id === 2 && o.activity_id === 5) return skip(this.counts, 'ocsf refused, blocked (activity_id 5, disposition_id 2, nothing left)');
    const srcEp = objectOf('src_endpoint', o.src_endpoint, false);
    const dstEp = objectOf('dst_endpoint', o.dst_endpoint, false);
    const srcIp = srcEp.ip;
    const dstIp = dstEp.ip;
    if (srcIp == null || dstIp == null) return noAddress(o, this.counts, srcEp, dstEp);
    const conn = objectOf('connection_info', o.connection_info, false);
    const traffic = objectOf('traffic', o.traffic, false);
    const meta = objectOf('metadata', o.metadata, false);
    const src = ipOf('src_endpoint.ip', srcIp);
    const dst = ipOf('dst_endpoint.ip', dstIp);
    const sport = srcEp.port == null ? 0 : portOf('src_endpoint.port', srcEp.port);
    const dport = dstEp.port == null ? 0 : portOf('dst_endpoint.port', dstEp.port);
    const proto = conn.protocol_num != null ? protocolOf('connection_info.protocol_num', conn.protocol_num) : conn.protocol_name != null ? protocolOf('connection_info.protocol_name', conn.protocol_name) : 0;
    const end = o.end_time;
    const endMs = end != null ? msOf('end_time', end) : endOf(o);
    const start = o.start_time;
    const startMs = start != null ? Math.min(endMs, msOf('start_time', start)) : startOf(o, endMs);
    const uid = typeof conn.uid === 'string' && conn.uid.length > 0 ? conn.uid : typeof meta.uid === 'string' && meta.uid.length > 0 ? meta.uid : `ocsf:${src}:${sport}>${dst}:${dport}/${proto}@${msText(startMs)}`;
    const oneWay = traffic.bytes_out == null && traffic.bytes_in == null;
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
