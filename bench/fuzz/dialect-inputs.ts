// Bad input for the sensor dialects (src/io/dialects): what a Zeek, VPC, goflow2, Suricata or
// OCSF sensor writes, damaged the ways real streams are: a field of the wrong type or absent
// (JSON), a column replaced, dropped or added (TSV, VPC), runs of separators, lines cut short,
// headers that lie. Each input starts from a hand-written valid record of the dialect (the
// documented formats, docs/input-formats.md), so most inputs are near-valid and reach the
// decoders' deeper checks rather than stopping at the first byte.
import fc from 'fast-check';
import type { DialectName } from '../../src/model/input-formats.js';
import { ZEEK_TSV_HEADER } from '../dialect-files.js';

/** One input: a fresh decoder of `dialect` (or `auto`, which must pick it) reads `lines` in order. */
export interface DialectInput {
  dialect: DialectName;
  lines: string[];
  auto?: boolean;
}

/** Valid records, one or two shapes a dialect (the JSON dialects as objects, to damage by path). */
const JSON_RECORDS: Partial<Record<DialectName, object[]>> = {
  zeek: [
    { ts: 1700000000.25, uid: 'C1', 'id.orig_h': '10.0.0.1', 'id.orig_p': 40000, 'id.resp_h': '192.0.2.1', 'id.resp_p': 443, proto: 'tcp', duration: 1.5, orig_bytes: 10, resp_bytes: 5, orig_pkts: 2, resp_pkts: 1, orig_ip_bytes: 90, resp_ip_bytes: 45, local_orig: true, local_resp: false, _system_name: 's1' },
    { conn: { ts: '2023-11-14T22:13:20.250Z', uid: 'C2', id: { orig_h: '10.0.0.1', orig_p: 40000, resp_h: '2001:db8::1', resp_p: 443 }, proto: 'udp', orig_bytes: 10 } },
  ],
  suricata: [
    { timestamp: '2024-01-01T00:00:01.000000+0000', flow_id: 123, event_type: 'flow', src_ip: '10.0.0.1', src_port: 1000, dest_ip: '192.0.2.1', dest_port: 443, proto: 'TCP', host: 's1', flow: { pkts_toserver: 3, pkts_toclient: 2, bytes_toserver: 300, bytes_toclient: 200, start: '2024-01-01T00:00:00.000000+0000', end: '2024-01-01T00:00:01.000000+0000', age: 1, state: 'closed' } },
  ],
  goflow2: [
    { type: 'NETFLOW_V9', time_received_ns: 1700000000000000000, sequence_num: 5, sampling_rate: 10, sampler_address: '192.168.0.1', time_flow_start_ns: 1700000000000000000, time_flow_end_ns: 1700000001000000000, bytes: 100, packets: 2, src_addr: '10.0.0.1', dst_addr: '192.0.2.1', etype: 'IPv4', proto: 'TCP', src_port: 1000, dst_port: 443 },
    { Type: 'NETFLOW_V5', TimeReceived: 1700000000, SequenceNum: 1, SamplingRate: 0, SamplerAddress: '192.168.0.1', TimeFlowStart: 1700000000, TimeFlowEnd: 1700000001, Bytes: 100, Packets: 2, SrcAddr: '10.0.0.1', DstAddr: '192.0.2.1', Etype: 2048, Proto: 6, SrcPort: 1000, DstPort: 443 },
  ],
  ocsf: [
    { class_uid: 4001, activity_id: 6, time: 1700000000000, start_time: '2023-11-14T22:13:19Z', device: { name: 'gw' }, connection_info: { uid: 'u1', protocol_num: 6, direction_id: 2 }, src_endpoint: { ip: '10.0.0.1', port: 1000 }, dst_endpoint: { ip: '192.0.2.1', port: 443, hostname: 'h.example' }, traffic: { bytes_out: 100, bytes_in: 50, packets_out: 2, packets_in: 1 }, metadata: { uid: 'm1' } },
    { class_uid: 4001, activity_id: 6, time: 1700000000000, status_code: 'OK', src_endpoint: { ip: '10.0.0.1', port: 1000 }, dst_endpoint: { ip: '192.0.2.1', port: 22 }, traffic: { bytes: 4249, packets: 20 } },
  ],
};

/** Where the #fields line is among them (the one a damaged header damages). */
const ZEEK_FIELDS_AT = ZEEK_TSV_HEADER.findIndex((l) => l.startsWith('#fields'));
const ZEEK_LINE = '1700000000.1\tC1\t10.0.0.1\t1000\t192.0.2.1\t443\ttcp\tssl\t1.5\t100\t200\tSF\tT\tF\t0\tShAD\t3\t300\t2\t400\t(empty)';
const VPC_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';
const VPC_LINES = [
  '2 123456789012 eni-1 10.0.0.1 192.0.2.1 1000 443 6 10 1000 1700000000 1700000060 ACCEPT OK',
  '5 123456789012 eni-1 10.0.0.1 192.0.2.1 1000 443 6 10 1000 1700000000 1700000060 ACCEPT OK vpc-1 subnet-1 i-1 2 IPv4 10.0.0.1 192.0.2.1 eu-west-1 euw1-az1 - - - - egress 8',
];

/** Values a field should not hold, or holds only at its edges. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, 1e300, '', '-', 'NaN', ' 5', '0x10', '1e3', '\u0000', '\ud800', '\uFFFD', '10.0.0.1', '::', 'ff02::1', '0.0.0.0', '2024-01-01 00:00:00Z', '1700000000000', [], {}),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 20 }),
);
/** Cells a text column should not hold, or holds only at its edges. */
const weirdCell: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('-', '0', '-1', '1.5', '99999999999999999999', 'NaN', 'x', '10.0.0.1', '::', 'fe80::1%eth0', '256.1.1.1', 'ACCEPT', 'REJECT', 'OK', 'NODATA', 'SKIPDATA', 'egress', 'ingress', 'srcaddr', 'version', '(empty)', 'T', 'F', 'tcp', 'icmp', '#fields', 'ff02::1', '\u00a0'),
  fc.string({ maxLength: 12 }).map((s) => s.replace(/[\t\n\r ]/g, '_')),
);

/** All paths of an object's members, nested ones included. */
function pathsOf(o: unknown, prefix: string[] = []): string[][] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [];
  return Object.keys(o).flatMap((k) => [[...prefix, k], ...pathsOf((o as Record<string, unknown>)[k], [...prefix, k])]);
}

/** `o` (a copy) with the member at `path` set to `value`, or deleted when `value` is undefined. */
function damaged(o: object, path: string[], value: unknown): object {
  const copy = structuredClone(o) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) {
    const next = at[k];
    if (typeof next !== 'object' || next === null) return copy;
    at = next as Record<string, unknown>;
  }
  if (value === undefined) delete at[path[path.length - 1]];
  else at[path[path.length - 1]] = value;
  return copy;
}

/** A line cut at a share of its length (a partial write), or whole. */
function cut(line: string, share: number | null): string {
  return share === null ? line : line.slice(0, Math.floor(share * line.length));
}

/** Whole 11 times in 12, cut once. */
const cutShare: fc.Arbitrary<number | null> = fc.oneof({ weight: 11, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) });

function jsonDialectArb(dialect: DialectName, records: object[]): fc.Arbitrary<DialectInput> {
  return fc
    .tuple(fc.nat(records.length - 1), fc.array(fc.tuple(fc.nat(), fc.option(weirdValue, { freq: 8 })), { minLength: 1, maxLength: 3 }), cutShare)
    .map(([which, changes, share]) => {
      let record = records[which];
      for (const [n, value] of changes) {
        const paths = pathsOf(record);
        if (paths.length === 0) break; // every member gone
        record = damaged(record, paths[n % paths.length], value === null ? undefined : value);
      }
      return { dialect, lines: [cut(JSON.stringify(record), share)] };
    });
}

/** A text line with 1-3 columns replaced, dropped or added; now and then runs of separators. */
function textLineArb(line: string, separator: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.tuple(fc.nat(2), fc.nat(), weirdCell), { minLength: 1, maxLength: 3 }), fc.boolean(), cutShare)
    .map(([ops, doubled, share]) => {
      const cells = line.split(separator);
      for (const [op, n, cell] of ops) {
        const i = n % cells.length;
        if (op === 0) cells[i] = cell;
        else if (op === 1) cells.splice(i, 1);
        else cells.splice(i, 0, cell);
      }
      return cut(cells.join(doubled ? separator + separator : separator), share);
    });
}

const zeekTsvArb: fc.Arbitrary<DialectInput> = fc.oneof(
  textLineArb(ZEEK_LINE, '\t').map((line) => ({ dialect: 'zeek' as const, lines: [...ZEEK_TSV_HEADER, line] })),
  // A damaged #fields line, and some of the header lines before it left out.
  fc.tuple(fc.nat(ZEEK_FIELDS_AT), textLineArb(ZEEK_TSV_HEADER[ZEEK_FIELDS_AT], '\t')).map(([n, fields]) => {
    const header = [...ZEEK_TSV_HEADER];
    header[ZEEK_FIELDS_AT] = fields;
    return { dialect: 'zeek' as const, lines: [...header.slice(n), ZEEK_LINE] };
  }),
);

const vpcArb: fc.Arbitrary<DialectInput> = fc.oneof(
  fc.tuple(fc.boolean(), fc.nat(VPC_LINES.length - 1)).chain(([header, n]) =>
    textLineArb(VPC_LINES[n], ' ').map((line) => ({ dialect: 'vpc' as const, lines: header ? [VPC_HEADER, line] : [line] })),
  ),
  textLineArb(VPC_HEADER, ' ').map((header) => ({ dialect: 'vpc' as const, lines: [header, VPC_LINES[1]] })),
);

const SENSORS: DialectName[] = ['zeek', 'vpc', 'goflow2', 'suricata', 'ocsf'];

/** The valid records of a dialect as lines (Zeek TSV after its header). */
function validLines(dialect: DialectName): string[][] {
  if (dialect === 'vpc') return VPC_LINES.map((l) => [VPC_HEADER, l]).concat(VPC_LINES.slice(0, 1).map((l) => [l]));
  const json = (JSON_RECORDS[dialect] ?? []).map((r) => [JSON.stringify(r)]);
  return dialect === 'zeek' ? [...json, [...ZEEK_TSV_HEADER, ZEEK_LINE]] : json;
}

/** One damaged or valid record of `dialect` (with its header where it needs one). */
function recordArb(dialect: DialectName): fc.Arbitrary<DialectInput> {
  const damaged: fc.Arbitrary<DialectInput>[] = [];
  if (JSON_RECORDS[dialect] !== undefined) damaged.push(jsonDialectArb(dialect, JSON_RECORDS[dialect]!));
  if (dialect === 'zeek') damaged.push(zeekTsvArb);
  if (dialect === 'vpc') damaged.push(vpcArb);
  const valid = fc.constantFrom(...validLines(dialect)).map((lines) => ({ dialect, lines }));
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(...damaged) }, { weight: 1, arbitrary: valid });
}

/**
 * A stream: 2-6 records of one dialect through one decoder (its state: sensor facts reused, a
 * Zeek uid reported again with other counts, headers that change mid-stream, TSV and JSON mixed),
 * lines now and then wrapped by a shipper as `{"message": "<line>"}`, read with the dialect
 * named or with `auto`.
 */
function streamArb(): fc.Arbitrary<DialectInput> {
  return fc.constantFrom(...SENSORS).chain((dialect) =>
    fc
      .tuple(fc.array(fc.tuple(recordArb(dialect), fc.nat(9)), { minLength: 2, maxLength: 6 }), fc.boolean())
      .map(([parts, auto]) => ({
        dialect,
        auto,
        lines: parts.flatMap(([p, wrap]) => (wrap === 0 ? p.lines.map((l) => JSON.stringify({ message: l })) : p.lines)),
      })),
  );
}

/** Damaged sensor records of every dialect, streams of them, and lines of random text. */
export function dialectInputArb(): fc.Arbitrary<DialectInput> {
  const json = Object.entries(JSON_RECORDS).map(([d, records]) => jsonDialectArb(d as DialectName, records!));
  return fc.oneof(
    ...json,
    zeekTsvArb,
    vpcArb,
    { weight: 3, arbitrary: streamArb() },
    fc.tuple(fc.constantFrom(...SENSORS), fc.string({ maxLength: 80, unit: 'binary' })).map(([dialect, text]) => ({ dialect, lines: [text] })),
  );
}

/** The precise forms of a dialect's reasons (src/io/dialects and the flow contract check). */
const DIALECT_REASONS: RegExp[] = [
  /^field [\w.@-]+: \S/,
  /^invalid JSON: \S/,
  /^expected a JSON object, got \S/,
  /^the VPC field list has no [\w-]+(, [\w-]+)*: /,
  /^the VPC header names \S+, which is no VPC field \([\w-]+\?\): its column would go unread$/,
  /^\d+ fields, and no header line or input\.vpc_fields names them /,
  /^\d+ fields where the field list names \d+$/,
  /^\d+ columns where the #fields header names \d+$/,
  /^a data line before any #fields header /,
  /^#separator: no separator given$/,
  /^--input-format auto: no dialect recognises this line \([\w, ]+\); name the format$/,
];

/** Why a dialect's reason is vague, overlong or unprintable, or null when it is precise. */
export function dialectReasonProblem(reason: string, maxLength: number): string | null {
  if (reason.length === 0 || reason.length > maxLength) return `reason of ${reason.length} characters: ${reason.slice(0, 120)}`;
  if (/[\u0000-\u001f]/.test(reason)) return `control characters in the reason: ${JSON.stringify(reason.slice(0, 100))}`;
  if (!DIALECT_REASONS.some((p) => p.test(reason))) return `vague reason: ${reason.slice(0, 200)}`;
  return null;
}
