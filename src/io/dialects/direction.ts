// Direction, the egress part, shared by every dialect: sensors report a connection by who
// initiated it (orig/resp, src/dest, toserver/toclient); egress-watch wants the internal,
// sending side as src and the external side as dst, and bytes_out = what the inside sent.
// The inside is policy.internal_networks. A hint from the sensor (Zeek local_orig/local_resp,
// OCSF connection_info.direction_id, a VPC interface's flow-direction) decides only when the
// networks call both ends external.
import type { FlowRecord } from '../../engine/types.js';
import ipaddr from 'ipaddr.js';
import { InternalNetworks } from '../../engine/keys.js';
import { ipv4Number } from '../../values/ip.js';
import type { DecodeCounts } from './dialect.js';

/** A connection as the sensor saw it: `orig` initiated it (for one-way records: sent it). */
export interface SensorFlow {
  flow_id: string;
  start_ms: number;
  end_ms: number;
  orig_ip: string;
  orig_port: number;
  resp_ip: string;
  resp_port: number;
  protocol: number;
  /** Sent by the originator / by the responder (one-way records: resp_* are 0). */
  orig_bytes: number;
  resp_bytes: number;
  orig_pkts: number;
  resp_pkts: number;
  /** Host names the sensor knows for each end (the one that ends up as dst becomes dst_host). */
  orig_host: string | null;
  resp_host: string | null;
}

/** A SensorFlow to fill in field by field (decoders reuse one: a record's view is garbage once oriented). */
export function blankSensorFlow(): SensorFlow {
  return { flow_id: '', start_ms: 0, end_ms: 0, orig_ip: '', orig_port: 0, resp_ip: '', resp_port: 0, protocol: 0, orig_bytes: 0, resp_bytes: 0, orig_pkts: 0, resp_pkts: 0, orig_host: null, resp_host: null };
}

/** What the sensor says about the ends, used only when the networks say both are external. */
export type DirectionHint = 'outbound' | 'inbound' | 'lateral' | null;

/**
 * policy.internal_networks as the engine reads them (InternalNetworks), with IPv4 answered by
 * arithmetic on the address's number: decoders cut addresses out of a line, and a cache keyed
 * by those strings hashes every one and keeps each line alive.
 */
class Inside {
  /** IPv4 networks as [first, end) address numbers side by side: every record's two addresses
   *  are looked up here, and a flat array reads without a pair object per network. */
  private readonly v4: Float64Array;
  private readonly other: InternalNetworks;
  /** IPv6 networks as first group >> shift and shift side by side, when all are /16 or shorter; else null. */
  private readonly v6: Int32Array | null;
  constructor(cidrs: readonly string[]) {
    this.other = new InternalNetworks(cidrs);
    const v4: number[] = [];
    const v6: number[] = [];
    let v6Short = true;
    for (const c of cidrs) {
      const [net, bits] = ipaddr.parseCIDR(c);
      if (net.kind() !== 'ipv4') {
        // [the network's first group shifted, the shift]: a /b network (b <= 16) holds the
        // addresses whose first group agrees with it in its top b bits.
        if (bits > 16) v6Short = false;
        else v6.push((net as ipaddr.IPv6).parts[0] >> (16 - bits), 16 - bits);
        continue;
      }
      const size = 2 ** (32 - bits);
      const start = (net as ipaddr.IPv4).octets.reduce((a, o) => a * 256 + o, 0);
      v4.push(start - (start % size), start - (start % size) + size);
    }
    this.v4 = Float64Array.from(v4);
    this.v6 = v6Short ? Int32Array.from(v6) : null;
  }

  /** INSIDE, OUTSIDE, or LOCAL_ONLY for an address no packet to which leaves the site. */
  where(ip: string): number {
    const n = ipv4Number(ip);
    if (n !== -1) {
      // 224.0.0.0/4 multicast, 255.255.255.255 broadcast, 0.0.0.0 unspecified (DHCP's first packets).
      if (localOnlyV4(n)) return LOCAL_ONLY;
      return this.containsV4(n) ? INSIDE : OUTSIDE;
    }
    const g = firstGroup(ip);
    if (g >= 0xff00 || ip === '::') return LOCAL_ONLY; // ff00::/8 multicast, the unspecified address
    if (ip.startsWith('::ffff:')) {
      const m = ipv4Number(ip.slice(7)); // IPv4-mapped: its IPv4 address decides
      if (m !== -1 && localOnlyV4(m)) return LOCAL_ONLY;
    }
    // IPv6 whose text begins with a non-zero group (not IPv4-mapped, whose first groups are 0),
    // when every IPv6 network is a /16 or shorter: that group alone decides.
    const v6 = this.v6;
    if (v6 !== null && g > 0) {
      for (let i = 0; i < v6.length; i += 2) if (g >> v6[i + 1] === v6[i]) return INSIDE;
      return OUTSIDE;
    }
    return this.other.contains(ip) ? INSIDE : OUTSIDE; // other IPv6 forms, IPv4-mapped IPv6
  }

  private containsV4(n: number): boolean {
    const v4 = this.v4;
    for (let i = 0; i < v4.length; i += 2) if (n >= v4[i] && n < v4[i + 1]) return true;
    return false;
  }
}

const OUTSIDE = 0;
const INSIDE = 1;
/** Multicast, limited broadcast and the unspecified address: delivered on the site (or nowhere), never egress. */
const LOCAL_ONLY = 2;

/** 224.0.0.0/4 multicast, 255.255.255.255 broadcast, 0.0.0.0 unspecified, as an address number. */
function localOnlyV4(n: number): boolean {
  return (n >= 0xe0000000 && n < 0xf0000000) || n === 0xffffffff || n === 0;
}

/** The first group of IPv6 text that begins with 1-4 hex digits and a ':', or -1. */
function firstGroup(ip: string): number {
  let g = 0;
  for (let i = 0; i < 5; i++) {
    const c = ip.charCodeAt(i);
    if (c === 58) return i === 0 ? -1 : g;
    if (i === 4) return -1;
    if (c >= 48 && c <= 57) g = g * 16 + (c - 48);
    else if (c >= 97 && c <= 102) g = g * 16 + (c - 87);
    else if (c >= 65 && c <= 70) g = g * 16 + (c - 55);
    else return -1;
  }
  return -1;
}

export class Orienter {
  private readonly inside: Inside;
  constructor(internalNetworks: readonly string[]) {
    this.inside = new Inside(internalNetworks);
  }

  /** Whether policy.internal_networks hold the address (multicast and the like never do). */
  isInside(ip: string): boolean {
    return this.inside.where(ip) === INSIDE;
  }

  /**
   * Two-way records (Zeek, Suricata, OCSF): the external end becomes dst whoever initiated;
   * bytes_out is what the internal end sent. Internal-to-internal records are returned as
   * they are (the engine counts them as internal); external-to-external (transit) give null.
   * `hint` decides only when the networks call both ends external.
   */
  orient(f: SensorFlow, counts: DecodeCounts, hint: DirectionHint = null): FlowRecord | null {
    const orig = this.inside.where(f.orig_ip);
    const resp = this.inside.where(f.resp_ip);
    if (orig === LOCAL_ONLY || resp === LOCAL_ONLY) return localOnly(counts);
    const origIn = orig === INSIDE;
    const respIn = resp === INSIDE;
    let inbound: boolean;
    if (origIn !== respIn) inbound = respIn;
    else if (origIn) {
      counts.internal++;
      inbound = false;
    } else if (hint === 'lateral') return lateral(counts);
    else if (hint === 'outbound' || hint === 'inbound') inbound = hint === 'inbound';
    else {
      counts.transit++;
      return null;
    }
    return inbound ? swapped(f) : asIs(f);
  }

  /**
   * One-way records (VPC, NetFlow, IPFIX, sFlow): only the outbound direction is egress. A record
   * from outside to inside is the other half of a connection whose outbound half comes as its
   * own record: it is counted as `inbound` and not returned, so bytes_in stays 0.
   */
  orientOneWay(f: SensorFlow, counts: DecodeCounts, hint: DirectionHint = null): FlowRecord | null {
    const src = this.inside.where(f.orig_ip);
    const dst = this.inside.where(f.resp_ip);
    if (src === LOCAL_ONLY || dst === LOCAL_ONLY) return localOnly(counts);
    const srcIn = src === INSIDE;
    const dstIn = dst === INSIDE;
    if (srcIn && !dstIn) return asIs(f);
    if (srcIn) counts.internal++;
    else if (hint === 'lateral') return lateral(counts);
    else if (dstIn || hint === 'inbound') {
      counts.inbound++;
      return null;
    } else if (hint !== 'outbound') {
      counts.transit++;
      return null;
    }
    return asIs(f);
  }
}

/** A skipped kind: its name says what it is and why it is not egress. */
export const LOCAL_ONLY_KIND = 'multicast, broadcast or unspecified address (never leaves the site)';

function localOnly(counts: DecodeCounts): null {
  counts.skipped[LOCAL_ONLY_KIND] = (counts.skipped[LOCAL_ONLY_KIND] ?? 0) + 1;
  return null;
}

/**
 * The sensor calls it internal but internal_networks do not cover its ends: counted as internal
 * and not returned, since the engine, going by internal_networks, would count it as egress.
 */
function lateral(counts: DecodeCounts): null {
  counts.internal++;
  return null;
}

function asIs(f: SensorFlow): FlowRecord {
  return record(f, f.orig_ip, f.orig_port, f.resp_ip, f.resp_port, f.resp_host, f.orig_bytes, f.resp_bytes, f.orig_pkts, f.resp_pkts);
}

function swapped(f: SensorFlow): FlowRecord {
  return record(f, f.resp_ip, f.resp_port, f.orig_ip, f.orig_port, f.orig_host, f.resp_bytes, f.orig_bytes, f.resp_pkts, f.orig_pkts);
}

function record(
  f: SensorFlow,
  srcIp: string,
  srcPort: number,
  dstIp: string,
  dstPort: number,
  dstHost: string | null,
  bytesOut: number,
  bytesIn: number,
  packetsOut: number,
  packetsIn: number,
): FlowRecord {
  return {
    flow_id: f.flow_id,
    gateway_id: null,
    start_ms: f.start_ms,
    end_ms: f.end_ms,
    src_ip: srcIp,
    dst_ip: dstIp,
    src_port: srcPort,
    dst_port: dstPort,
    protocol: f.protocol,
    dst_host: dstHost,
    dst_country: null,
    bytes_out: bytesOut,
    bytes_in: bytesIn,
    packets_out: packetsOut,
    packets_in: packetsIn,
    data_class: null,
    principal: null,
  };
}
