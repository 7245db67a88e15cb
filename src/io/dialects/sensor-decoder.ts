// What every sensor dialect's decoder (zeek, vpc, goflow2, suricata, ocsf) holds the same way:
// its counts, the orienter built from policy.internal_networks, and the one SensorFlow it
// fills for each record; and, for one-way records (VPC, NetFlow/IPFIX/sFlow), the filling.
import type { DecodeCounts, DecoderOptions } from './dialect.js';
import { emptyCounts } from './dialect.js';
import { blankSensorFlow, Orienter, type SensorFlow } from './direction.js';

export abstract class SensorDecoder {
  readonly counts: DecodeCounts = emptyCounts();
  protected readonly orienter: Orienter;
  /** The sensor's view of the record being decoded: one object reused for every record (orient() keeps none of it). */
  protected readonly scratch: SensorFlow = blankSensorFlow();
  /**
   * The record the JSON dialects parsed last, kept alive until the next one replaces it. A full
   * GC that finds no parsed record alive collects their hidden classes (maps: V8 holds them
   * only through live objects), and every optimised function that checked them (decode, the
   * facts readers) is thrown away and compiled again: `--trace-deopt` showed OCSF's decode,
   * hostOf and ReusedFacts.of "weak objects" deoptimised in most trials of the bench, whose
   * gc() before each trial does this; in service a major GC between messages does the same.
   */
  protected lastParsed: object | null = null;
  constructor(options: DecoderOptions) {
    this.orienter = new Orienter(options.internalNetworks);
  }
}

/** Fills `sf` with a one-way record: `src` sent `bytes` in `packets` to `dst`, nothing came back. */
export function fillOneWay(
  sf: SensorFlow,
  flowId: string,
  startMs: number,
  endMs: number,
  src: string,
  sport: number,
  dst: string,
  dport: number,
  proto: number,
  bytes: number,
  packets: number,
): SensorFlow {
  sf.flow_id = flowId;
  sf.start_ms = startMs;
  sf.end_ms = endMs;
  sf.orig_ip = src;
  sf.orig_port = sport;
  sf.resp_ip = dst;
  sf.resp_port = dport;
  sf.protocol = proto;
  sf.orig_bytes = bytes;
  sf.resp_bytes = 0;
  sf.orig_pkts = packets;
  sf.resp_pkts = 0;
  sf.orig_host = null;
  sf.resp_host = null;
  return sf;
}
