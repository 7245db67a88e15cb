// The dialect contract: what every input dialect (zeek, vpc, goflow2, suricata, ocsf, flow)
// gives the shell, and what enrichment (src/io/enrich) takes. A dialect turns one line or
// message of a sensor's own format into zero or more oriented flow records, or throws a
// DialectError that says what is wrong with it.
import type { FlowRecord } from '../../engine/types.js';

/** What a sensor told us about itself, by the dialect's own field names, e.g.
 *  {"_system_name": "gw-fra-1"} (zeek), {"sampler_address": "192.0.2.1"} (goflow2),
 *  {"interface-id": "eni-..", "vpc-id": "vpc-.."} (vpc), {"host": ".."} (suricata),
 *  {"device.name": "..", "device.hostname": "..", "device.uid": ".."} (ocsf). */
export type SensorFacts = Readonly<Record<string, string>>;
/** One decoded, oriented record: a FlowRecord (src = internal sending side, dst = external
 *  side, bytes_out = what the internal side sent) plus the facts enrichment may use. */
export interface DialectRecord { flow: FlowRecord; sensor: SensorFacts; }

import type { DialectName } from '../../model/input-formats.js';
export { DIALECT_NAMES, INPUT_FORMATS, type DialectName, type InputFormatName } from '../../model/input-formats.js';

/** A record the dialect cannot read; the message says what is wrong (the caller adds where). */
export class DialectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DialectError';
  }
}

/**
 * What a decoder saw besides the records it returned, for the replay summary and metrics.
 * `records_read` counts every non-blank, non-comment line or message handed to decode().
 */
export interface DecodeCounts {
  records_read: number;
  /** Records returned (egress and internal). */
  flows_out: number;
  /** Internal-to-internal records: returned (the engine counts them as internal). */
  internal: number;
  /** External-to-external records: counted here, not returned. */
  transit: number;
  /** One-way records (VPC, NetFlow) from outside to inside: counted, not returned (their
   *  connection's outbound half is its own record). */
  inbound: number;
  /** VPC rows with log-status NODATA / SKIPDATA: counted, not errors. */
  nodata: number;
  skipdata: number;
  /** Records of a kind the dialect does not turn into flows (Suricata event types, OCSF
   *  classes, Zeek log paths other than conn), by kind. */
  skipped: Record<string, number>;
  /** Records decode() threw on. */
  errors: number;
  /** Zeek records whose payload bytes (orig_bytes or resp_bytes, from TCP sequence numbers)
   *  exceed the IP bytes the sensor counted for that end: packet loss or a mid-stream start
   *  made the payload overshoot; bounded to the IP bytes under input.zeek_bytes `bounded`. */
  payload_above_ip: number;
}

/** What a decoder needs to know from the config. */
export interface DecoderOptions {
  /** policy.internal_networks: CIDRs of the inside. */
  internalNetworks: readonly string[];
  /** VPC: the field list when the files have no header line (config `input.vpc_fields`). */
  vpcFields?: readonly string[];
  /** Zeek: the most uids whose cumulative counts are remembered (open connections). */
  zeekOpenUids?: number;
  /** Zeek: `payload` (orig_bytes/resp_bytes as written, the default) or `bounded` (at most the
   *  end's orig_ip_bytes/resp_ip_bytes, where the record has them). */
  zeekBytes?: 'payload' | 'bounded';
}

/** One stateful reader of one stream (a file, or one Kafka partition). */
export interface DialectDecoder {
  readonly dialect: DialectName;
  /**
   * Decodes one line of a file or one message value (text, without the line end). Returns the
   * oriented records (zero for a comment, header, NODATA row, skipped kind or transit flow).
   * Throws DialectError naming the field and what is wrong with it.
   */
  decode(line: string): DialectRecord[];
  readonly counts: DecodeCounts;
}

export interface Dialect {
  readonly name: DialectName;
  /** One sentence for --help and the docs. */
  readonly describe: string;
  /** Whether the first non-comment line (or a `#` header line) is in this dialect. */
  sniff(firstLine: string): boolean;
  create(options: DecoderOptions): DialectDecoder;
}

export function emptyCounts(): DecodeCounts {
  return { records_read: 0, flows_out: 0, internal: 0, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: {}, errors: 0, payload_above_ip: 0 };
}

/** Enrichment as the shells apply it (src/io/dialects/enrichment-point.ts). */
export type Enrich = (rec: DialectRecord) => FlowRecord;

/** A decoder for one stream, and the enrichment the config asks for. */
export interface DialectReading {
  decoder: DialectDecoder;
  enrich: Enrich;
}
