// goflow2's JSON output (NetFlow v5/v9, IPFIX, sFlow from routers, firewalls and switches):
// one one-way record a line, times in nanoseconds since the epoch, and `sampling_rate`: a
// sampled exporter (sFlow always, NetFlow/IPFIX when configured) reports 1 of every N
// packets, so bytes and packets are multiplied by N (0 or absent: not sampled). No flow id
// exists: one is made from the exporter, export sequence, addresses, ports, protocol and start.
// goflow2 v1 (before 2.0, still common on Kafka topics) wrote the same record with CamelCase
// keys and times in seconds (`TimeFlowStart`) or milliseconds (`TimeFlowStartMs`, v1.1 on):
// read by its own mapping (GoflowV1). Addresses that a protobuf-to-JSON step wrote as base64
// bytes (`"fwAAAQ=="`) are read as the address they encode, and times that goflow2's
// `datetimenano` renderer wrote as RFC 3339 text (its shipped mapping file does so for
// `time_received_ns`) as the time they name.
import ipaddr from 'ipaddr.js';
import type { DecodeCounts, Dialect, DialectDecoder, DialectRecord } from './dialect.js';
import { countOf, FactsOfTwo, fail, isoToMs, nanosToMs, optionalCount, parseObject, portOf, protocolOf, ipOf, secondsToMs, skip } from './fields.js';
import { fillOneWay, SensorDecoder } from './sensor-decoder.js';
import { msText } from './ms-text.js';

const SENSOR_FIELDS = ['sampler_address', 'type'];

/**
 * An address as IP text: the base64 of its 4 (IPv4) or 16 (IPv6) bytes, as protobuf's JSON
 * mapping writes goflow2's `bytes` address fields, decoded; anything else as it came (IP text,
 * or a bad value for ipOf to refuse). Only text of 8 or 24 characters ending in `=` is tried,
 * which no IP text is: the usual record pays two comparisons.
 */
export function addressText(value: unknown): unknown {
  if (typeof value !== 'string' || !(value.length === 8 || value.length === 24) || value.charCodeAt(value.length - 1) !== 61) return value;
  if (!BASE64_BYTES.test(value)) return value;
  // IPv6 as compressed lower-case text (ipaddr.js toString, RFC 5952): the form a sensor writing text uses,
  // so one destination is one key whichever way its address came.
  return ipaddr.fromByteArray([...Buffer.from(value, 'base64')]).toString();
}
/** The base64 of 4 bytes (6 characters and `==`) or of 16 bytes (22 and `==`). */
const BASE64_BYTES = /^(?:[A-Za-z0-9+/]{5}[AQgw]|[A-Za-z0-9+/]{21}[AQgw])==$/;

class Goflow2Decoder extends SensorDecoder implements DialectDecoder {
  readonly dialect = 'goflow2' as const;
  private readonly facts = new FactsOfTwo(SENSOR_FIELDS[0], SENSOR_FIELDS[1]);

  decode(line: string): DialectRecord[] {
    this.counts.records_read++;
    const o = parseObject(line);
    this.lastParsed = o;
    // v1: CamelCase keys. Go's encoding/json leaves empty fields out, so a v1 sample of a frame
    // that is not IP has no SrcAddr at all: its SamplerAddress or TimeReceived tell it.
    if (o.src_addr === undefined && (o.SrcAddr !== undefined || o.SamplerAddress !== undefined || o.TimeReceived !== undefined)) return this.v1(o);
    if (o.src_addr === '' && o.dst_addr === '') return nonIp(this.counts, o.etype);
    const src = ipOf('src_addr', addressText(o.src_addr));
    const dst = ipOf('dst_addr', addressText(o.dst_addr));
    // sFlow samples and some exporters carry no flow times: the time goflow2 received them
    // (a bad value is named by the field it came from).
    const startMs = unsetTime(o.time_flow_start_ns) ? nsTimeToMs('time_received_ns', o.time_received_ns) : nsTimeToMs('time_flow_start_ns', o.time_flow_start_ns);
    const endMs = unsetTime(o.time_flow_end_ns) ? startMs : Math.max(startMs, nsTimeToMs('time_flow_end_ns', o.time_flow_end_ns));
    const sampler = addressText(o.sampler_address);
    const facts = sampler === o.sampler_address ? this.facts.of(o) : this.facts.of({ sampler_address: sampler, type: o.type });
    return this.record(facts, src, dst, startMs, endMs, o.proto, 'proto', o.src_port, o.dst_port, o.sampling_rate, o.bytes, o.packets, o.sequence_num, sampler, FIELDS_V2);
  }

  /** goflow2 v1: CamelCase keys, times in seconds or milliseconds. */
  private v1(o: Record<string, unknown>): DialectRecord[] {
    if ((o.SrcAddr === '' || o.SrcAddr === undefined) && (o.DstAddr === '' || o.DstAddr === undefined)) return nonIp(this.counts, o.Etype);
    const src = ipOf('SrcAddr', addressText(o.SrcAddr));
    const dst = ipOf('DstAddr', addressText(o.DstAddr));
    const startMs = v1Time(o, 'TimeFlowStartMs', 'TimeFlowStart') ?? secondsToMs('TimeReceived', o.TimeReceived);
    const endMs = Math.max(startMs, v1Time(o, 'TimeFlowEndMs', 'TimeFlowEnd') ?? startMs);
    const sampler = addressText(o.SamplerAddress);
    const facts = this.facts.of({ sampler_address: sampler, type: o.Type });
    const proto = o.Proto !== undefined ? o.Proto : o.ProtoName;
    return this.record(facts, src, dst, startMs, endMs, proto, o.Proto !== undefined ? 'Proto' : 'ProtoName', o.SrcPort, o.DstPort, o.SamplingRate, o.Bytes, o.Packets, o.SequenceNum, sampler, FIELDS_V1);
  }

  /** The one-way record of either version, oriented (null: counted, not returned). */
  private record(
    facts: Readonly<Record<string, string>>,
    src: string,
    dst: string,
    startMs: number,
    endMs: number,
    protoValue: unknown,
    protoField: string,
    srcPort: unknown,
    dstPort: unknown,
    samplingRate: unknown,
    bytesValue: unknown,
    packetsValue: unknown,
    sequence: unknown,
    sampler: unknown,
    names: FieldNames,
  ): DialectRecord[] {
    const rate = optionalCount(names.rate, samplingRate) || 1;
    const bytes = countOf(names.bytes, bytesValue) * rate;
    const packets = countOf(names.packets, packetsValue) * rate;
    if (!Number.isSafeInteger(bytes)) fail(names.bytes, bytesValue, `a count that stays below 2^53 once multiplied by ${names.rate} ${rate}`);
    if (!Number.isSafeInteger(packets)) fail(names.packets, packetsValue, `a count that stays below 2^53 once multiplied by ${names.rate} ${rate}`);
    const proto = protoValue === undefined ? 0 : protocolOf(protoField, protoValue);
    const sport = srcPort === undefined ? 0 : portOf(names.srcPort, srcPort);
    const dport = dstPort === undefined ? 0 : portOf(names.dstPort, dstPort);
    const exporter = typeof sampler === 'string' ? sampler : '-';
    const id = `gf:${exporter}:${String(sequence ?? '-')}:${src}:${sport}>${dst}:${dport}/${proto}@${msText(startMs)}`;
    const sf = fillOneWay(this.scratch, id, startMs, endMs, src, sport, dst, dport, proto, bytes, packets);
    const flow = this.orienter.orientOneWay(sf, this.counts);
    if (flow === null) return [];
    this.counts.flows_out++;
    return [{ flow, sensor: facts }];
  }
}

/**
 * A sample of a frame that is not IP (sFlow samples every frame: ARP, LLDP, ...): goflow2 renders
 * its missing addresses as "". It cannot be egress to an address; counted by its ethertype.
 */
function nonIp(counts: DecodeCounts, etype: unknown): DialectRecord[] {
  const name = typeof etype === 'string' && etype.length > 0 ? etype : typeof etype === 'number' ? `0x${etype.toString(16)}` : 'unknown';
  return skip(counts, `goflow2 non-IP sample (etype ${name})`);
}

/** The field names a version's messages use. */
interface FieldNames {
  rate: string;
  bytes: string;
  packets: string;
  srcPort: string;
  dstPort: string;
}
const FIELDS_V2: FieldNames = { rate: 'sampling_rate', bytes: 'bytes', packets: 'packets', srcPort: 'src_port', dstPort: 'dst_port' };
const FIELDS_V1: FieldNames = { rate: 'SamplingRate', bytes: 'Bytes', packets: 'Packets', srcPort: 'SrcPort', dstPort: 'DstPort' };

/** A flow time the exporter did not set: absent or 0, as a number or, as protobuf's JSON mapping
 *  writes 64-bit fields (with unpopulated fields emitted), as the text "0", or as the
 *  `datetimenano` renderer writes 0 (`time.Unix(0, 0).UTC().Format(time.RFC3339Nano)`). */
function unsetTime(value: unknown): boolean {
  return value === undefined || value === 0 || value === '0' || value === '1970-01-01T00:00:00Z';
}

/**
 * A v2 time field: nanoseconds since the epoch (a number, or text as protobuf's JSON mapping
 * writes 64-bit fields), or RFC 3339 text as goflow2's `datetimenano` renderer writes it
 * (`render: time_received_ns: datetimenano` in the mapping file goflow2 ships,
 * `"2025-03-15T17:10:51.064235982Z"`), cut to milliseconds.
 */
function nsTimeToMs(field: string, value: unknown): number {
  // Text with a '-' after 4 digits is a date, never a count of nanoseconds.
  if (typeof value === 'string' && value.charCodeAt(4) === 45 /* - */) return isoToMs(field, value);
  return nanosToMs(field, value);
}

/** A v1 flow time: the milliseconds field when set and not 0, else the seconds field when set and not 0, else null. */
function v1Time(o: Record<string, unknown>, msField: string, secondsField: string): number | null {
  const ms = o[msField];
  if (!unsetTime(ms)) return countOf(msField, ms);
  const s = o[secondsField];
  if (!unsetTime(s)) return secondsToMs(secondsField, s);
  return null;
}

export const goflow2: Dialect = {
  name: 'goflow2',
  describe: "goflow2's JSON (NetFlow v5/v9, IPFIX, sFlow; v2 and v1 keys): ns times, bytes and packets scaled by sampling_rate",
  sniff(first) {
    if (first.charCodeAt(0) !== 123) return false;
    if (first.indexOf('"src_addr"') !== -1) return first.indexOf('"time_received_ns"') !== -1 || first.indexOf('"sampler_address"') !== -1;
    return first.indexOf('"SrcAddr"') !== -1 && (first.indexOf('"TimeReceived"') !== -1 || first.indexOf('"SamplerAddress"') !== -1);
  },
  create: (options) => new Goflow2Decoder(options),
};
