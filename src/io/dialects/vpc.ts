// AWS VPC Flow Logs, text: one record a line, fields separated by spaces (AWS writes one; a run
// of them, and white space at either end, read the same: `-` marks a field with no value, so
// an empty field is never meant). The field order is the default v2 one, or a custom list named by a
// header line of the delivered file (`version account-id ...`; names this table does not know,
// from a newer format, are columns left unread), by config `input.vpc_fields`,
// or, lacking both, guessed from the number of fields when it is a prefix of AWS's table of
// fields (14 = v2 default, 21 = to v3, 25 = to v4, 29 = to v5, 39 = to v7, 40 = to v8), or
// 36, the default format of Transit Gateway flow logs.
// NODATA / SKIPDATA rows are counted, not errors (without a log-status field, a row whose
// addresses and bytes are all `-` is NODATA); REJECT rows carried nothing out and are counted as
// skipped, and so is a middlebox's ingress record (a NAT gateway's: pkt-dstaddr is not the
// interface's dstaddr), whose bytes are counted where they leave. VPC records have no flow id: one is made from the record's interface,
// addresses, ports, protocol and start, so the same record from two collectors folds into one.
// A record is one direction of a connection: only the outbound one is egress; an interface's
// flow-direction (egress/ingress) decides when internal_networks call both ends external.
import type { DecoderOptions, Dialect, DialectDecoder, DialectRecord } from './dialect.js';
import { DialectError } from './dialect.js';
import { countOf, FactsCache, fail, ipOf, parseObject, portOf, protocolOf, secondsToMs, skip } from './fields.js';
import { fillOneWay, SensorDecoder } from './sensor-decoder.js';

/** AWS's table of fields, in order (each version appends to the one before). */
export const VPC_FIELDS_ALL = [
  'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
  'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr',
  'region', 'az-id', 'sublocation-type', 'sublocation-id',
  'pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path',
  'ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn', 'ecs-container-instance-id', 'ecs-container-id', 'ecs-second-container-id', 'ecs-service-name', 'ecs-task-definition-arn', 'ecs-task-arn', 'ecs-task-id',
  'reject-reason',
] as const;
/** Field counts that are a whole version's prefix of the table: v2, v3, v4, v5, v7, v8. */
const PREFIX_WIDTHS = [14, 21, 25, 29, 39, 40];
/** Transit Gateway flow logs' default format (36 fields). */
export const TGW_FIELDS_DEFAULT = [
  'version', 'resource-type', 'account-id', 'tgw-id', 'tgw-attachment-id', 'tgw-src-vpc-account-id', 'tgw-dst-vpc-account-id', 'tgw-src-vpc-id', 'tgw-dst-vpc-id',
  'tgw-src-subnet-id', 'tgw-dst-subnet-id', 'tgw-src-eni', 'tgw-dst-eni', 'tgw-src-az-id', 'tgw-dst-az-id', 'tgw-pair-attachment-id',
  'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'log-status', 'type',
  'packets-lost-no-route', 'packets-lost-blackhole', 'packets-lost-mtu-exceeded', 'packets-lost-ttl-expired', 'tcp-flags-count',
  'region', 'flow-direction', 'pkt-src-aws-service', 'pkt-dst-aws-service',
] as const;
const REQUIRED = ['srcaddr', 'dstaddr', 'bytes', 'packets', 'start', 'end'];
const SENSOR_FIELDS = ['interface-id', 'vpc-id', 'subnet-id', 'instance-id', 'account-id', 'region', 'az-id', 'tgw-id', 'tgw-attachment-id'];
const KNOWN = new Set<string>([...VPC_FIELDS_ALL, ...TGW_FIELDS_DEFAULT]);

/** The skip reason of a middlebox's ingress record. */
export const MIDDLEBOX_INGRESS = 'vpc middlebox ingress (counted where it leaves)';

/** Column of each field used, or -1. */
interface Layout {
  width: number;
  fields: readonly string[];
  version: number; srcaddr: number; dstaddr: number; srcport: number; dstport: number; protocol: number;
  packets: number; bytes: number; start: number; end: number; action: number; status: number;
  pktSrc: number; pktDst: number; iface: number;
  /** flow-direction of an interface's record; -1 for Transit Gateway records (theirs is relative to the transit gateway, not the VPC). */
  direction: number;
  sensor: Array<[string, number]>;
}

function layoutOf(fields: readonly string[]): Layout {
  const at = (f: string) => fields.indexOf(f);
  const missing = REQUIRED.filter((f) => at(f) === -1);
  if (missing.length > 0) throw new DialectError(`the VPC field list has no ${missing.join(', ')}: ${fields.join(' ')}`);
  return {
    width: fields.length,
    fields,
    version: at('version'), srcaddr: at('srcaddr'), dstaddr: at('dstaddr'), srcport: at('srcport'), dstport: at('dstport'),
    protocol: at('protocol'), packets: at('packets'), bytes: at('bytes'), start: at('start'), end: at('end'),
    action: at('action'), status: at('log-status'), pktSrc: at('pkt-srcaddr'), pktDst: at('pkt-dstaddr'), iface: at('interface-id') !== -1 ? at('interface-id') : at('tgw-attachment-id'),
    direction: fields.includes('tgw-id') || fields.includes('tgw-attachment-id') || fields.includes('resource-type') ? -1 : at('flow-direction'),
    sensor: SENSOR_FIELDS.map((f) => [f, at(f)] as [string, number]).filter(([, i]) => i !== -1),
  };
}

const BY_WIDTH = new Map([...PREFIX_WIDTHS.map((w) => [w, layoutOf(VPC_FIELDS_ALL.slice(0, w))] as const), [TGW_FIELDS_DEFAULT.length, layoutOf(TGW_FIELDS_DEFAULT)] as const]);

/** Whether the layout has no such column (-1) or the record leaves it unset (`-`). */
function isUnset(cells: readonly string[], column: number): boolean {
  return column === -1 || cells[column] === '-';
}

/**
 * A record's fields. AWS separates them by one space; a run of spaces (the AWS documentation
 * has a record with two) and white space at either end (a trailing space, a CR) read the same,
 * since `-` marks a field with no value and an empty field is never meant. The usual line (no
 * two spaces together, printable ASCII at both ends) is split as it is: every record comes here.
 */
export function vpcCells(line: string): string[] {
  const first = line.charCodeAt(0);
  const last = line.charCodeAt(line.length - 1);
  if (first > 32 && first < 127 && last > 32 && last < 127 && line.indexOf('  ') === -1) return line.split(' ');
  const trimmed = line.trim();
  return trimmed.length === 0 ? [] : trimmed.split(/ +/);
}

/** How AWS names a field: lower-case words joined by hyphens (`pkt-srcaddr`, `ecs-task-id`). */
const FIELD_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Whether a line's cells are a header: field names (the first starts with a letter), all of them
 * VPC names, or all of them shaped as field names and among them the addresses: AWS adds fields
 * (v7's ECS fields, v8's reject-reason), and a file from a format newer than this table still
 * names its columns. No record is all names: its srcaddr and dstaddr are addresses or `-`.
 */
function isHeader(cells: readonly string[]): boolean {
  const c = cells.length === 0 ? 0 : cells[0].charCodeAt(0);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) return false;
  if (cells.every((f) => KNOWN.has(f))) return true;
  return cells.every((f) => FIELD_NAME.test(f)) && cells.includes('srcaddr') && cells.includes('dstaddr');
}

/**
 * The VPC field one edit away from a name this table does not know (`actions`, `srcadr`), or
 * null: a header's unknown name is a newer format's field, left unread, unless it is a misspelt
 * known one, whose column (a REJECT's `action`, say) would then be missed without a word.
 */
function nearName(name: string): string | null {
  if (KNOWN.has(name)) return null;
  for (const known of KNOWN) if (oneEditApart(name, known)) return known;
  return null;
}

/** Whether one insertion, deletion or substitution turns `a` into `b` (a !== b). */
function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  // The rest after skipping one character of the longer (insertion) or of both (substitution).
  return short.length === long.length ? short.slice(i + 1) === long.slice(i + 1) : short.slice(i) === long.slice(i + 1);
}

/** Without a log-status field: a row whose addresses and bytes are all `-` (what NODATA rows hold). */
function isNoData(layout: Layout, cells: readonly string[]): boolean {
  return cells[layout.srcaddr] === '-' && cells[layout.dstaddr] === '-' && cells[layout.bytes] === '-' && isUnset(cells, layout.pktSrc) && isUnset(cells, layout.pktDst);
}

/** The sensor facts of a record: its sensor fields that are set. */
function sensorFacts(layout: Layout, cells: readonly string[]): Record<string, string> {
  const sensor: Record<string, string> = {};
  for (const [name, i] of layout.sensor) if (cells[i] !== '-') sensor[name] = cells[i];
  return sensor;
}

class VpcDecoder extends SensorDecoder implements DialectDecoder {
  readonly dialect = 'vpc' as const;
  private layout: Layout | null;
  /** Sensor facts reused while a record's sensor fields are ones seen lately, for the layout they were read with. */
  private facts = new FactsCache(0);
  private factsLayout: Layout | null = null;

  constructor(options: DecoderOptions) {
    super(options);
    this.layout = options.vpcFields && options.vpcFields.length > 0 ? layoutOf(options.vpcFields) : null;
  }

  decode(line: string): DialectRecord[] {
    if (line.charCodeAt(0) === 123 /* { */) {
      // CloudWatch Logs exports and Firehose wrap each line: {"message": "2 1234 eni-..."}.
      const message = parseObject(line).message;
      if (typeof message !== 'string') fail('message', message, 'the flow log line (text)');
      return this.decode(message);
    }
    const cells = vpcCells(line);
    if (isHeader(cells)) {
      const typo = cells.map((f) => [f, nearName(f)] as const).find(([, near]) => near !== null);
      if (typo !== undefined) throw new DialectError(`the VPC header names ${typo[0]}, which is no VPC field (${typo[1]}?): its column would go unread`);
      this.layout = layoutOf(cells);
      return [];
    }
    this.counts.records_read++;
    const layout = this.layout ?? BY_WIDTH.get(cells.length);
    if (layout === undefined) {
      throw new DialectError(`${cells.length} fields, and no header line or input.vpc_fields names them (without one: 14 fields in the v2 default order, 21, 25, 29, 39 or 40 in AWS's order of fields, or 36 as Transit Gateway flow logs)`);
    }
    if (cells.length !== layout.width) throw new DialectError(`${cells.length} fields where the field list names ${layout.width}`);
    const status = layout.status !== -1 ? cells[layout.status] : isNoData(layout, cells) ? 'NODATA' : 'OK';
    if (status === 'NODATA') {
      this.counts.nodata++;
      return [];
    }
    if (status === 'SKIPDATA') {
      this.counts.skipdata++;
      return [];
    }
    if (status !== 'OK') fail('log-status', status, 'OK, NODATA or SKIPDATA');
    if (layout.action !== -1 && cells[layout.action] === 'REJECT') return skip(this.counts, 'vpc REJECT (nothing left)');
    // NAT: the packet's own addresses when the layout has them and they are set.
    const pktSrc = layout.pktSrc !== -1 && cells[layout.pktSrc] !== '-';
    const pktDst = layout.pktDst !== -1 && cells[layout.pktDst] !== '-';
    const src = ipOf(pktSrc ? 'pkt-srcaddr' : 'srcaddr', cells[pktSrc ? layout.pktSrc : layout.srcaddr]);
    const dst = ipOf(pktDst ? 'pkt-dstaddr' : 'dstaddr', cells[pktDst ? layout.pktDst : layout.dstaddr]);
    const direction = layout.direction === -1 ? '-' : cells[layout.direction];
    // A middlebox's ingress: the packet is addressed past the interface that received it
    // (dstaddr, the interface's own address on incoming traffic, is not pkt-dstaddr), as traffic
    // entering a NAT gateway or a transit gateway's interface is. It leaves by the middlebox's
    // egress record (the NAT gateway's own, on the same interface) or the sender's own, and is
    // counted there. Without flow-direction, AWS's definition of dstaddr (the destination on
    // outgoing traffic) makes such a record incoming; one marked egress is counted. Only an
    // egress is skipped: a pod's or a secondary address's incoming record has the same shape
    // (dstaddr is the interface's primary address) and stays internal or inbound.
    const middlebox = pktDst && direction !== 'egress' && cells[layout.pktDst] !== cells[layout.dstaddr] && cells[layout.dstaddr] !== '-' && ipOf('dstaddr', cells[layout.dstaddr]) !== dst;
    const sport = isUnset(cells, layout.srcport) ? 0 : portOf('srcport', cells[layout.srcport]);
    const dport = isUnset(cells, layout.dstport) ? 0 : portOf('dstport', cells[layout.dstport]);
    const proto = isUnset(cells, layout.protocol) ? 0 : protocolOf('protocol', cells[layout.protocol]);
    const startMs = secondsToMs('start', cells[layout.start]);
    const endMs = secondsToMs('end', cells[layout.end]);
    const iface = isUnset(cells, layout.iface) ? '-' : cells[layout.iface];
    const id = `vpc:${iface}:${src}:${sport}>${dst}:${dport}/${proto}@${cells[layout.start]}`;
    const bytes = countOf('bytes', cells[layout.bytes]);
    const packets = countOf('packets', cells[layout.packets]);
    const sf = fillOneWay(this.scratch, id, startMs, endMs, src, sport, dst, dport, proto, bytes, packets);
    const flow = this.orienter.orientOneWay(sf, this.counts, direction === 'egress' ? 'outbound' : direction === 'ingress' ? 'inbound' : null);
    if (flow === null) return [];
    if (middlebox && !this.orienter.isInside(flow.dst_ip)) return skip(this.counts, MIDDLEBOX_INGRESS);
    if (layout !== this.factsLayout) {
      this.factsLayout = layout;
      this.facts = new FactsCache(layout.sensor.length);
    }
    const facts = this.facts;
    for (let k = 0; k < layout.sensor.length; k++) facts.current[k] = cells[layout.sensor[k][1]];
    const sensor = facts.find() ?? facts.add(sensorFacts(layout, cells));
    this.counts.flows_out++;
    return [{ flow, sensor }];
  }
}

/** A `message` member among others holding a flow log line: a version, then an account id (12 digits, or `-`) or a Transit Gateway record's resource type. */
const CLOUDWATCH_MESSAGE = /"message": ?"[2-8] (?:\d{12}|-|TransitGateway) /;

export const vpc: Dialect = {
  name: 'vpc',
  describe: 'AWS VPC Flow Logs text: default v2 fields, or a custom list from a header line or input.vpc_fields',
  sniff(first) {
    if (isHeader(vpcCells(first))) return true;
    // CloudWatch Logs wrapping: {"message": ...} alone (Firehose) or among the event's other
    // members ({"logStreamName": ..., "timestamp": ..., "message": ...}, the Logs API and exports).
    if (first.startsWith('{"message":"')) return /^\{"message":"[2-8] /.test(first);
    if (first.charCodeAt(0) === 123) return CLOUDWATCH_MESSAGE.test(first);
    const line = first.trim();
    return /^[2-8] +\S+ +\S+ /.test(line) && vpcCells(line).length >= 14;
  },
  create: (options) => new VpcDecoder(options),
};
