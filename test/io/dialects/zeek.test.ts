import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createDecoder, sniffDialect } from '../../../src/io/dialects/index.js';
import { OpenConnections } from '../../../src/io/dialects/zeek-open-connections.js';
import { tempDir } from '../fixtures.js';
import { errorsOf, fixture, flowsOf, NETS, readWith, rec } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

// conn-two-headers.log: two Zeek TSV logs one after the other (a rotation concatenated), the
// second with other #fields (a _node_name column, the id_orig_h scope separator, no service),
// other unset/empty markers and another set separator.
const TSV_FLOWS = [
  ['conn-two-headers.log:9', rec({ flow_id: 'CZ1', start_ms: 1700000000250, end_ms: 1700000002750, src_ip: '10.0.0.5', dst_ip: '203.0.113.10', src_port: 51000, dst_port: 443, protocol: 6, bytes_out: 1000, bytes_in: 20000, packets_out: 10, packets_in: 15 })],
  // An outside client pulling from an internal server: the server is src, what it sent is bytes_out.
  ['conn-two-headers.log:10', rec({ flow_id: 'CZ2', start_ms: 1700000001000, end_ms: 1700000002000, src_ip: '10.0.0.8', dst_ip: '198.51.100.7', src_port: 8443, dst_port: 40000, protocol: 6, bytes_out: 50000, bytes_in: 300, packets_out: 40, packets_in: 4 })],
  // Internal to internal: passed on (the engine counts it as internal); `-` counts are 0, no duration ends at ts.
  ['conn-two-headers.log:11', rec({ flow_id: 'CZ3', start_ms: 1700000002000, end_ms: 1700000002000, src_ip: '10.0.0.5', dst_ip: '10.0.0.9', src_port: 52000, dst_port: 53, protocol: 17, bytes_out: 0, bytes_in: 0, packets_out: 1, packets_in: 1 })],
  // Line 12 is external to external (transit): counted, not passed on.
  ['conn-two-headers.log:22', rec({ flow_id: 'CZ5', start_ms: 1700003600000, end_ms: 1700003600000, src_ip: '10.0.0.6', dst_ip: '2001:db8::1', src_port: 53000, dst_port: 443, protocol: 6, bytes_out: 0, bytes_in: 0, packets_out: 3, packets_in: 0 })],
];

describe('zeek TSV', () => {
  it('reads both headers of a file, orients each record and names the bad lines', async () => {
    const { decoder, items } = await readWith('zeek', fixture('conn-two-headers.log'));
    expect(flowsOf(items)).toEqual(TSV_FLOWS);
    expect(errorsOf(items)).toEqual([
      ['conn-two-headers.log:23', 'field resp_bytes: "" is not a count (a whole number >= 0)'],
      ['conn-two-headers.log:24', '12 columns where the #fields header names 13'],
    ]);
    expect(decoder.counts).toEqual({ records_read: 7, flows_out: 4, internal: 1, transit: 1, inbound: 0, nodata: 0, skipdata: 0, skipped: {}, errors: 2, payload_above_ip: 0 });
  });

  it('reads a gzip-compressed rotated log the same', async () => {
    const path = tmp.file('conn.23:00:00-00:00:00.log.gz');
    writeFileSync(path, gzipSync(readFileSync(fixture('conn-two-headers.log'))));
    const { items } = await readWith('zeek', path);
    expect(flowsOf(items)).toEqual(TSV_FLOWS.map(([where, flow]) => [String(where).replace('conn-two-headers.log', 'conn.23:00:00-00:00:00.log.gz'), flow]));
    expect(errorsOf(items).map(([where]) => where)).toEqual(['conn.23:00:00-00:00:00.log.gz:23', 'conn.23:00:00-00:00:00.log.gz:24']);
  });

  it('reads the lines a shipper wrapped as text under message (Filebeat, Elastic Agent), headers included, the same', async () => {
    const path = tmp.file('shipped.json');
    const lines = readFileSync(fixture('conn-two-headers.log'), 'utf8').split('\n').filter((l) => l.length > 0);
    writeFileSync(path, lines.map((l) => JSON.stringify({ '@timestamp': '2023-11-14T22:15:00.000Z', '@metadata': { beat: 'filebeat' }, message: l })).join('\n') + '\n');
    const { decoder, items } = await readWith('auto', path);
    expect(decoder.dialect).toBe('zeek');
    expect(flowsOf(items)).toEqual(TSV_FLOWS.map(([where, flow]) => [String(where).replace('conn-two-headers.log', 'shipped.json'), flow]));
    expect(errorsOf(items).map(([where]) => where)).toEqual(['shipped.json:23', 'shipped.json:24']);
    expect(decoder.counts).toMatchObject({ records_read: 7, flows_out: 4, internal: 1, transit: 1, errors: 2 });
  });

  it('reads a JSON record a shipper wrapped as text under message, and names a cut one as that field', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    const record = '{"ts":1700000000.25,"uid":"CW1","id.orig_h":"10.0.0.5","id.orig_p":51000,"id.resp_h":"203.0.113.10","id.resp_p":443,"proto":"tcp","duration":2.5,"orig_bytes":1000,"resp_bytes":20000,"orig_pkts":10,"resp_pkts":15}';
    const wrap = (text: string) => JSON.stringify({ '@timestamp': '2023-11-14T22:15:00.000Z', message: text });
    expect(decoder.decode(wrap(record)).map((r) => r.flow)).toEqual([
      rec({ flow_id: 'CW1', start_ms: 1700000000250, end_ms: 1700000002750, src_ip: '10.0.0.5', dst_ip: '203.0.113.10', src_port: 51000, dst_port: 443, protocol: 6, bytes_out: 1000, bytes_in: 20000, packets_out: 10, packets_in: 15 }),
    ]);
    expect(() => decoder.decode(wrap('{"ts":1700000000.25,"uid":"CW2'))).toThrow('field message: "{\\"ts\\":1700000000.25,\\"uid\\":\\"CW2" is not a Zeek JSON record as text (invalid JSON: ');
    expect(sniffDialect(wrap(record))?.name).toBe('zeek');
  });

  it('gives enrichment the sensor column (_node_name) where the header has one', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    const lines = readFileSync(fixture('conn-two-headers.log'), 'utf8').split('\n').filter((l) => l.length > 0);
    const sensors = lines.flatMap((l) => {
      try {
        return decoder.decode(l).map((r) => r.sensor);
      } catch {
        return [];
      }
    });
    expect(sensors).toEqual([{}, {}, {}, { _node_name: 'worker-1' }]);
  });

  it('refuses a data line before any #fields header', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    expect(() => decoder.decode('1700000000.0\tC1\t10.0.0.1\t1\t192.0.2.1\t2\ttcp')).toThrow('a data line before any #fields header (not a Zeek TSV log, or its header is missing)');
  });
});

describe('zeek JSON and open connections', () => {
  it('turns cumulative reports of one uid into increments, skips repeats and other logs', async () => {
    const { decoder, items } = await readWith('zeek', fixture('conn-open.json'));
    const flows = flowsOf(items);
    expect(flows).toEqual([
      ['conn-open.json:1', rec({ flow_id: 'CL1', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '10.0.0.7', dst_ip: '192.0.2.50', src_port: 50000, dst_port: 443, protocol: 6, bytes_out: 1000, bytes_in: 100, packets_out: 10, packets_in: 5 })],
      ['conn-open.json:2', rec({ flow_id: 'CL1#2', start_ms: 1700000000000, end_ms: 1700000120000, src_ip: '10.0.0.7', dst_ip: '192.0.2.50', src_port: 50000, dst_port: 443, protocol: 6, bytes_out: 4000, bytes_in: 200, packets_out: 30, packets_in: 7 })],
      // line 3: the same report from a second collector; line 4: the closing conn.log record.
      ['conn-open.json:4', rec({ flow_id: 'CL1#3', start_ms: 1700000000000, end_ms: 1700000150000, src_ip: '10.0.0.7', dst_ip: '192.0.2.50', src_port: 50000, dst_port: 443, protocol: 6, bytes_out: 1000, bytes_in: 50, packets_out: 5, packets_in: 2 })],
      // Both ends outside 10/8, but the sensor's local_orig says the originator is local.
      ['conn-open.json:6', rec({ flow_id: 'CT1', start_ms: 1700000100500, end_ms: 1700000100500, src_ip: '198.51.100.1', dst_ip: '198.51.100.2', src_port: 1111, dst_port: 2222, protocol: 17, bytes_out: 7, bytes_in: 9, packets_out: 1, packets_in: 1 })],
    ]);
    // The increments add up to the final cumulative count, once.
    expect(flows.slice(0, 3).reduce((sum, [, f]) => sum + f.bytes_out, 0)).toBe(6000);
    expect(decoder.counts).toEqual({ records_read: 6, flows_out: 4, internal: 0, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: { 'zeek repeated report without new counts': 1, 'zeek dns log': 1 }, errors: 0, payload_above_ip: 0 });
  });

  it('reads the conn_id as a nested record (Zed/zq, Brim) as the flat keys', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    const line = '{"_path":"conn","ts":1700000000.25,"uid":"CN1","id":{"orig_h":"198.51.100.7","orig_p":50000,"resp_h":"10.0.0.6","resp_p":443},"proto":"tcp","duration":2.5,"orig_bytes":300,"resp_bytes":9000,"orig_pkts":4,"resp_pkts":9}';
    // An outside client pulling from an inside server: dst is the client, bytes_out what the server sent.
    expect(decoder.decode(line).map((r) => r.flow)).toEqual([rec({ flow_id: 'CN1', start_ms: 1700000000250, end_ms: 1700000002750, src_ip: '10.0.0.6', dst_ip: '198.51.100.7', src_port: 443, dst_port: 50000, protocol: 6, bytes_out: 9000, bytes_in: 300, packets_out: 9, packets_in: 4 })]);
    expect(() => decoder.decode(line.replace('"resp_h":"10.0.0.6"', '"resp_h":"10.0.0"').replace('CN1', 'CN2'))).toThrow('field id.resp_h: "10.0.0" is not an IPv4 or IPv6 address');
    expect(sniffDialect(line)?.name).toBe('zeek');
  });

  it('gives enrichment the sensor facts of the JSON writer', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    const [first] = decoder.decode(readFileSync(fixture('conn-open.json'), 'utf8').split('\n')[0]);
    expect(first.sensor).toEqual({ _system_name: 'gw-fra-1' });
  });

  it('says which field is wrong', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    expect(() => decoder.decode('{"ts":1700000000,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":70000,"id.resp_h":"192.0.2.1","id.resp_p":443,"proto":"tcp"}')).toThrow('field id.orig_p: 70000 is not a port (0-65535)');
    expect(() => decoder.decode('{"ts":"2023-11-14 22:13:20","uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"192.0.2.1","id.resp_p":443,"proto":"tcp"}')).toThrow('field ts: "2023-11-14 22:13:20" is not an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)');
    expect(() => decoder.decode('{"ts":1700000000,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"not-an-ip","id.resp_p":443,"proto":"tcp"}')).toThrow('field id.resp_h: "not-an-ip" is not an IPv4 or IPv6 address');
  });

  it("reads ts as every json_timestamps setting writes it: epoch seconds, ISO 8601, whole milliseconds", () => {
    // The same instant, 2023-11-14T22:13:20.250Z, and a 1.5 s duration (an interval: seconds in every setting).
    const line = (ts: string, uid: string) => `{"ts":${ts},"uid":"${uid}","id.orig_h":"10.0.0.1","id.orig_p":40000,"id.resp_h":"192.0.2.1","id.resp_p":443,"proto":"tcp","duration":1.5,"orig_bytes":10,"resp_bytes":0}`;
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    // Also seconds as text, and ISO 8601 with a space for the T (a shipper's rewrite of the time).
    for (const [ts, uid] of [['1700000000.25', 'CE'], ['"2023-11-14T22:13:20.250Z"', 'CI'], ['1700000000250', 'CM'], ['"1700000000.25"', 'CT'], ['"2023-11-14 22:13:20.250+00:00"', 'CS']]) {
      const [r] = decoder.decode(line(ts, uid));
      expect([r.flow.flow_id, r.flow.start_ms, r.flow.end_ms]).toEqual([uid, 1700000000250, 1700000001750]);
    }
    // Below 1e11 a number is seconds (99999999999 s is in the year 5138), not milliseconds.
    const [late] = decoder.decode(line('99999999999', 'CL'));
    expect(late.flow.start_ms).toBe(99999999999000);
  });
});

describe('zeek payload above the IP bytes the sensor counted (input.zeek_bytes)', () => {
  // Payload from TCP sequence numbers overshoots after packet loss or a mid-stream start; the
  // IP bytes of that end (headers included) bound what the sensor can have seen.
  const LINES = [
    // 1: the originator (inside) claims 50,000 payload bytes in 5,750 IP bytes; the responder is fine.
    '{"ts":1700000000,"uid":"C1","id.orig_h":"10.0.0.5","id.orig_p":40000,"id.resp_h":"203.0.113.9","id.resp_p":443,"proto":"tcp","orig_bytes":50000,"resp_bytes":800,"orig_pkts":40,"orig_ip_bytes":5750,"resp_pkts":10,"resp_ip_bytes":1200}',
    // 2: an outside client pulls from an inside server, whose payload (resp) overshoots: bytes_out.
    '{"ts":1700000001,"uid":"C2","id.orig_h":"198.51.100.7","id.orig_p":50000,"id.resp_h":"10.0.0.6","id.resp_p":443,"proto":"tcp","orig_bytes":300,"resp_bytes":1600000000,"orig_pkts":5,"orig_ip_bytes":560,"resp_pkts":56,"resp_ip_bytes":57000}',
    // 3: no IP byte counts (use_conn_size_analyzer off): nothing to bound by, nothing counted.
    '{"ts":1700000002,"uid":"C3","id.orig_h":"10.0.0.5","id.orig_p":40001,"id.resp_h":"203.0.113.9","id.resp_p":443,"proto":"tcp","orig_bytes":90000,"resp_bytes":10,"orig_pkts":3,"resp_pkts":1}',
    // 4: consistent counts: untouched.
    '{"ts":1700000003,"uid":"C4","id.orig_h":"10.0.0.5","id.orig_p":40002,"id.resp_h":"203.0.113.9","id.resp_p":443,"proto":"tcp","orig_bytes":1000,"resp_bytes":2000,"orig_pkts":3,"orig_ip_bytes":1160,"resp_pkts":4,"resp_ip_bytes":2208}',
  ];
  const TSV = [
    '#separator \\x09',
    '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_bytes\tresp_bytes\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes',
    // 5: the same overshoot as line 1 in TSV; 6: IP bytes unset (-).
    '1700000004\tC5\t10.0.0.5\t40003\t203.0.113.9\t443\ttcp\t50000\t800\t40\t5750\t10\t1200',
    '1700000005\tC6\t10.0.0.5\t40004\t203.0.113.9\t443\ttcp\t50000\t800\t40\t-\t10\t-',
  ];
  const read = (zeekBytes: 'payload' | 'bounded') => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS, zeekBytes });
    const outs = [...LINES, ...TSV].flatMap((l) => decoder.decode(l)).map((r) => [r.flow.flow_id, r.flow.bytes_out, r.flow.bytes_in]);
    return { outs, counted: decoder.counts.payload_above_ip };
  };

  it('payload (the default): passes the counts on as written, and counts the records that overshoot', () => {
    expect(read('payload')).toEqual({
      outs: [['C1', 50000, 800], ['C2', 1600000000, 300], ['C3', 90000, 10], ['C4', 1000, 2000], ['C5', 50000, 800], ['C6', 50000, 800]],
      counted: 3,
    });
  });

  it('bounded: an end\'s payload is at most its IP bytes', () => {
    expect(read('bounded')).toEqual({
      outs: [['C1', 5750, 800], ['C2', 57000, 300], ['C3', 90000, 10], ['C4', 1000, 2000], ['C5', 5750, 800], ['C6', 50000, 800]],
      counted: 3,
    });
  });

  it('bounded: cumulative reports of an open connection pass on the increase of the bounded counts', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS, zeekBytes: 'bounded' });
    const report = (ob: number, oib: number) =>
      decoder.decode(`{"_path":"conn_long","ts":1700000000,"uid":"CL","id.orig_h":"10.0.0.5","id.orig_p":40000,"id.resp_h":"203.0.113.9","id.resp_p":443,"proto":"tcp","orig_bytes":${ob},"resp_bytes":0,"orig_pkts":9,"orig_ip_bytes":${oib},"resp_pkts":0,"resp_ip_bytes":0}`);
    expect(report(1000, 1500).map((r) => [r.flow.flow_id, r.flow.bytes_out])).toEqual([['CL', 1000]]);
    // The second report overshoots (900,000 payload in 3,000 IP bytes): bounded to 3,000, of which 2,000 are new.
    expect(report(900000, 3000).map((r) => [r.flow.flow_id, r.flow.bytes_out])).toEqual([['CL#2', 2000]]);
  });

  it('refuses IP byte counts that are not counts, naming the field', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    expect(() => decoder.decode(LINES[0].replace('"orig_ip_bytes":5750', '"orig_ip_bytes":"lots"'))).toThrow('field orig_ip_bytes: "lots" is not a count (a whole number >= 0)');
  });
});

describe("zeek from the Kafka writer with tag_json (each record wrapped in its log's name)", () => {
  it('unwraps conn records, counts the other logs by kind, and takes the writer\'s extra values as sensor facts', async () => {
    const { decoder, items } = await readWith('zeek', fixture('zeek-kafka-tagged.json'));
    expect(flowsOf(items)).toEqual([
      ['zeek-kafka-tagged.json:1', rec({ flow_id: 'CK1', start_ms: 1700000000500, end_ms: 1700000002500, src_ip: '10.0.0.5', dst_ip: '203.0.113.10', src_port: 51000, dst_port: 443, protocol: 6, bytes_out: 1200, bytes_in: 300, packets_out: 4, packets_in: 3 })],
      // conn_long (an open-connection log) is a conn log too.
      ['zeek-kafka-tagged.json:4', rec({ flow_id: 'CK3', start_ms: 1700000001000, end_ms: 1700000601000, src_ip: '10.0.0.6', dst_ip: '198.51.100.80', src_port: 52000, dst_port: 443, protocol: 6, bytes_out: 90000, bytes_in: 1000, packets_out: 70, packets_in: 40 })],
    ]);
    expect(errorsOf(items)).toEqual([['zeek-kafka-tagged.json:6', 'field id.orig_p: 70000 is not a port (0-65535)']]);
    expect(decoder.counts).toEqual({ records_read: 6, flows_out: 2, internal: 0, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: { 'zeek ssl log': 1, 'zeek dns log': 1, 'zeek http log': 1 }, errors: 1, payload_above_ip: 0 });
  });

  it('gives enrichment the additional_message_values beside the record, and the record\'s own _system_name first', () => {
    const decoder = createDecoder('zeek', { internalNetworks: NETS });
    const line = readFileSync(fixture('zeek-kafka-tagged.json'), 'utf8').split('\n')[0];
    expect(decoder.decode(line)[0].sensor).toEqual({ sensor: 'gw-ams-1' });
    const own = line.replace('"uid":"CK1"', '"uid":"CK9","_system_name":"gw-fra-1"').replace('"sensor": "gw-ams-1"', '"sensor": "gw-ams-1", "_system_name": "other"');
    expect(decoder.decode(own)[0].sensor).toEqual({ sensor: 'gw-ams-1', _system_name: 'gw-fra-1' });
  });

  it('is recognised by auto', async () => {
    const { decoder } = await readWith('auto', fixture('zeek-kafka-tagged.json'));
    expect([decoder.dialect, decoder.counts.flows_out]).toEqual(['zeek', 2]);
  });
});

describe('open-connection state', () => {
  it('is bounded: the oldest uid is forgotten first, and then counts in full again', () => {
    const open = new OpenConnections(2);
    expect(open.increment('a', 10, 0, 1, 0)?.orig_bytes).toBe(10);
    expect(open.increment('b', 10, 0, 1, 0)?.orig_bytes).toBe(10);
    expect(open.increment('a', 15, 0, 2, 0)).toEqual({ orig_bytes: 5, resp_bytes: 0, orig_pkts: 1, resp_pkts: 0, report: 2 });
    expect(open.increment('c', 10, 0, 1, 0)?.report).toBe(1); // evicts a (inserted first)
    expect(open.size).toBe(2);
    expect(open.increment('a', 20, 0, 3, 0)).toEqual({ orig_bytes: 20, resp_bytes: 0, orig_pkts: 3, resp_pkts: 0, report: 1 });
  });

  it('keeps every uid as it grows from its first room (4,096) to its capacity', () => {
    const open = new OpenConnections(10000);
    for (let i = 0; i < 9000; i++) expect(open.increment(`u${i}`, 100, 10, 2, 1)?.report).toBe(1);
    // increment() overwrites one answer object: each is read at once.
    const again = Array.from({ length: 9000 }, (_, i) => {
      const inc = open.increment(`u${i}`, 150, 10, 3, 1);
      return inc === null ? 'null' : `${inc.report} ${inc.orig_bytes} ${inc.resp_bytes} ${inc.orig_pkts} ${inc.resp_pkts}`;
    });
    expect(new Set(again)).toEqual(new Set(['2 50 0 1 0']));
    expect(open.size).toBe(9000);
  });

  it('passes nothing on for an older report after a newer one', () => {
    const open = new OpenConnections(10);
    open.increment('a', 100, 10, 5, 5);
    expect(open.increment('a', 50, 5, 2, 2)).toBeNull();
    expect(open.increment('a', 120, 10, 6, 5)).toEqual({ orig_bytes: 20, resp_bytes: 0, orig_pkts: 1, resp_pkts: 0, report: 2 });
  });
});

describe('open-connection state against a plain model', () => {
  // [capacity, distinct uids, reports]: a small state; and one that grows from its first room
  // (4,096 uids) twice, fourfold and then to its capacity, before it evicts.
  it.each([
    [37, 120, 20000],
    [20000, 60000, 100000],
  ])('agrees with a Map and a FIFO of uids over long random streams (eviction, re-reports): capacity %i', (capacity, distinct, reports) => {
    // A seeded linear congruential generator: the same stream every run.
    let seed = 12345;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const open = new OpenConnections(capacity);
    const model = new Map<string, number[]>();
    const fifo: string[] = [];
    for (let step = 0; step < reports; step++) {
      const uid = `C${next(distinct)}`;
      const ob = next(1000);
      const prev = model.get(uid);
      let want: number | null;
      if (prev === undefined) {
        if (fifo.length === capacity) model.delete(fifo.shift()!);
        fifo.push(uid);
        model.set(uid, [ob]);
        want = ob;
      } else {
        want = ob > prev[0] ? ob - prev[0] : null;
        prev[0] = Math.max(prev[0], ob);
      }
      const got = open.increment(uid, ob, 0, 0, 0);
      expect(got === null ? null : got.orig_bytes).toBe(want);
      expect(open.size).toBe(model.size);
    }
  });
});
