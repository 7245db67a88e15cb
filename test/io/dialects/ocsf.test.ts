import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../../src/io/dialects/index.js';
import { fixture, errorsOf, flowsOf, NETS, readWith, rec } from './helpers.js';

describe('ocsf', () => {
  it('reads Network Activity, uses direction_id where the networks cannot tell, skips other classes', async () => {
    const { decoder, items } = await readWith('ocsf', fixture('ocsf-4001.json'));
    const flows = flowsOf(items);
    expect(flows).toEqual([
      ['ocsf-4001.json:1', rec({ flow_id: 'conn-1', start_ms: 1700000000000, end_ms: 1700000060000, src_ip: '10.0.0.5', dst_ip: '203.0.113.5', src_port: 50100, dst_port: 443, protocol: 6, dst_host: 'api.example.com', bytes_out: 12345, bytes_in: 678, packets_out: 9, packets_in: 7 })],
      // Inbound (direction_id 1): the outside client is dst, and its host name goes with it.
      ['ocsf-4001.json:2', rec({ flow_id: 'conn-2', start_ms: 1700000120000, end_ms: 1700000120000, src_ip: '10.0.0.9', dst_ip: '198.51.100.3', src_port: 443, dst_port: 40000, protocol: 6, dst_host: 'client.example.net', bytes_out: 800000, bytes_in: 300, packets_out: 600, packets_in: 5 })],
      // Neither end in internal_networks, but the producer says outbound (direction_id 2).
      ['ocsf-4001.json:3', rec({ flow_id: 'conn-3', start_ms: 1700000180000, end_ms: 1700000180000, src_ip: '100.64.0.5', dst_ip: '198.51.100.50', src_port: 5000, dst_port: 53, protocol: 17, bytes_out: 50, bytes_in: 70, packets_out: 1, packets_in: 1 })],
      // line 4: lateral (direction_id 3) between ends the networks call external: counted internal.
      // One-way (traffic.bytes only, as VPC flow logs mapped to OCSF): bytes are what src sent.
      ['ocsf-4001.json:6', rec({ flow_id: 'm-1', start_ms: 1700000130000, end_ms: 1700000190000, src_ip: '10.0.0.5', dst_ip: '52.1.2.3', src_port: 40404, dst_port: 443, protocol: 6, bytes_out: 4000, bytes_in: 0, packets_out: 4, packets_in: 0 })],
    ]);
    expect(errorsOf(items)).toEqual([]);
    expect(decoder.counts).toEqual({ records_read: 6, flows_out: 4, internal: 1, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: { 'ocsf class 4003': 1 }, errors: 0, payload_above_ip: 0 });
  });

  it('gives enrichment the device', async () => {
    const { decoder } = await readWith('ocsf', fixture('ocsf-4001.json'));
    const again = decoder.decode('{"class_uid":4001,"time":1,"device":{"name":"fw-1","hostname":"fw-1.corp","uid":"dev-1"},"src_endpoint":{"ip":"10.0.0.5"},"dst_endpoint":{"ip":"203.0.113.5"},"traffic":{"bytes_out":1}}');
    expect(again[0].sensor).toEqual({ 'device.name': 'fw-1', 'device.hostname': 'fw-1.corp', 'device.uid': 'dev-1' });
    expect(() => decoder.decode('{"class_uid":4001,"time":"2015/06/17T00:00:00.089","src_endpoint":{"ip":"10.0.0.5"},"dst_endpoint":{"ip":"203.0.113.5"}}')).toThrow('field time: "2015/06/17T00:00:00.089" is not an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)');
  });

  it('reads a JSON null as an absent field: ports, protocol_num, connection_info, metadata, device, traffic and its counts', async () => {
    const { decoder, items } = await readWith('ocsf', fixture('ocsf-nulls.json'));
    expect(flowsOf(items)).toEqual([
      // Null ports are 0, a null protocol_num gives way to protocol_name, a null uid and metadata to the made id; null counts are 0.
      ['ocsf-nulls.json:1', rec({ flow_id: 'ocsf:10.0.0.7:0>198.51.100.20:0/1@1700000000000', start_ms: 1700000000000, end_ms: 1700000000000, src_ip: '10.0.0.7', dst_ip: '198.51.100.20', src_port: 0, dst_port: 0, protocol: 1, bytes_out: 500, bytes_in: 0, packets_out: 0, packets_in: 3 })],
      // bytes_out and bytes_in both null: one-way, traffic.bytes is what src sent (not a two-way record of 0 bytes).
      ['ocsf-nulls.json:2', rec({ flow_id: 'm-7', start_ms: 1700000060000, end_ms: 1700000060000, src_ip: '10.0.0.8', dst_ip: '203.0.113.9', src_port: 51000, dst_port: 443, protocol: 6, bytes_out: 700, bytes_in: 0, packets_out: 2, packets_in: 0 })],
      // connection_info and metadata null: protocol 0, the made id.
      ['ocsf-nulls.json:3', rec({ flow_id: 'ocsf:10.0.0.9:40000>192.0.2.44:53/0@1700000120000', start_ms: 1700000120000, end_ms: 1700000120000, src_ip: '10.0.0.9', dst_ip: '192.0.2.44', src_port: 40000, dst_port: 53, protocol: 0, bytes_out: 80, bytes_in: 120, packets_out: 1, packets_in: 1 })],
      // traffic null: one-way with no counts.
      ['ocsf-nulls.json:4', rec({ flow_id: 'ocsf:10.0.0.10:40001>192.0.2.45:443/0@1700000180000', start_ms: 1700000180000, end_ms: 1700000180000, src_ip: '10.0.0.10', dst_ip: '192.0.2.45', src_port: 40001, dst_port: 443, protocol: 0, bytes_out: 0, bytes_in: 0, packets_out: 0, packets_in: 0 })],
    ]);
    expect(errorsOf(items)).toEqual([]);
    expect(decoder.counts).toEqual({ records_read: 4, flows_out: 4, internal: 0, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: {}, errors: 0, payload_above_ip: 0 });
    // device null: no sensor facts.
    const [one] = createDecoder('ocsf', { internalNetworks: NETS }).decode('{"class_uid":4001,"time":1,"device":null,"src_endpoint":{"ip":"10.0.0.5"},"dst_endpoint":{"ip":"203.0.113.5"},"traffic":{"bytes_out":1}}');
    expect(one.sensor).toEqual({});
  });

  it('counts records without addresses whose status_code is NODATA or SKIPDATA (VPC log-status) as such; any other is an error naming the field', async () => {
    const { decoder, items } = await readWith('ocsf', fixture('ocsf-nodata.json'));
    expect(flowsOf(items)).toEqual([]);
    expect(errorsOf(items)).toEqual([
      ['ocsf-nodata.json:4', 'field src_endpoint.ip: null is not an IPv4 or IPv6 address'],
      ['ocsf-nodata.json:5', 'field dst_endpoint.ip: null is not an IPv4 or IPv6 address'],
      ['ocsf-nodata.json:6', 'field src_endpoint: null is not an object'],
      ['ocsf-nodata.json:7', 'field src_endpoint: missing (an object)'],
    ]);
    expect(decoder.counts).toEqual({ records_read: 7, flows_out: 0, internal: 0, transit: 0, inbound: 0, nodata: 2, skipdata: 1, skipped: {}, errors: 4, payload_above_ip: 0 });
  });

  it('skips connections a control denied (action_id 2) or refused (activity_id 5, disposition_id 2) with a count, as VPC REJECT: nothing left', async () => {
    const { decoder, items } = await readWith('ocsf', fixture('ocsf-blocked.json'));
    expect(flowsOf(items)).toEqual([
      // line 1: Security Lake's REJECT (Refuse, Blocked); line 2: tenzir's (Close, Denied, Blocked); line 3: Denied alone.
      // Refused by the far end but allowed by the control: the packets left, so it is read.
      ['ocsf-blocked.json:4', rec({ flow_id: 'ocsf:10.0.0.5:50200>198.51.100.81:8443/6@1700000300000', start_ms: 1700000300000, end_ms: 1700000300000, src_ip: '10.0.0.5', dst_ip: '198.51.100.81', src_port: 50200, dst_port: 8443, protocol: 6, bytes_out: 120, bytes_in: 0, packets_out: 2, packets_in: 0 })],
      ['ocsf-blocked.json:5', rec({ flow_id: 'allowed-5', start_ms: 1700000300000, end_ms: 1700000360000, src_ip: '10.0.0.6', dst_ip: '203.0.113.21', src_port: 20641, dst_port: 22, protocol: 6, bytes_out: 4249, bytes_in: 0, packets_out: 20, packets_in: 0 })],
      // line 6: refused and blocked, skipped before its time (decimal text, which is not read) is looked at.
      // Blocked on a closed session (as tenzir's FortiGate mapping writes when a UTM profile blocked
      // something in it): what the session sent before the block left, so it is read.
      ['ocsf-blocked.json:7', rec({ flow_id: 'utm-7', start_ms: 1700000490000, end_ms: 1700000500000, src_ip: '10.0.1.11', dst_ip: '198.51.100.158', src_port: 44258, dst_port: 80, protocol: 6, bytes_out: 412, bytes_in: 2286, packets_out: 6, packets_in: 6 })],
    ]);
    expect(errorsOf(items)).toEqual([]);
    expect(decoder.counts).toEqual({ records_read: 7, flows_out: 3, internal: 0, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: { 'ocsf refused, blocked (activity_id 5, disposition_id 2, nothing left)': 2, 'ocsf denied (action_id 2, nothing left)': 2 }, errors: 0, payload_above_ip: 0 });
  });

  it('reads times as RFC 3339 text with a zone (time, start_time, end_time, the *_dt fields) besides epoch ms; refuses a time without a zone', async () => {
    const { decoder, items } = await readWith('ocsf', fixture('ocsf-iso-times.json'));
    expect(flowsOf(items)).toEqual([
      ['ocsf-iso-times.json:1', rec({ flow_id: 'ocsf:10.0.0.139:20641>203.0.113.21:22/6@1418530010000', start_ms: 1418530010000, end_ms: 1418530070000, src_ip: '10.0.0.139', dst_ip: '203.0.113.21', src_port: 20641, dst_port: 22, protocol: 6, bytes_out: 4249, bytes_in: 0, packets_out: 20, packets_in: 0 })],
      // 12:00:00.250+02:00 is 10:00:00.250Z; end_time (10:00:00.5Z) before time.
      ['ocsf-iso-times.json:2', rec({ flow_id: 'iso-2', start_ms: 1713520800250, end_ms: 1713520800500, src_ip: '10.0.0.5', dst_ip: '203.0.113.5', src_port: 50300, dst_port: 443, protocol: 6, bytes_out: 10, bytes_in: 20, packets_out: 1, packets_in: 1 })],
      // 2024-04-30T23:59:59.999-05:00 is 2024-05-01T04:59:59.999Z.
      ['ocsf-iso-times.json:3', rec({ flow_id: 'iso-3', start_ms: 1714539599999, end_ms: 1714539599999, src_ip: '10.0.0.5', dst_ip: '203.0.113.53', src_port: 5353, dst_port: 53, protocol: 17, bytes_out: 60, bytes_in: 90, packets_out: 1, packets_in: 1 })],
      // No start_time/end_time: start_time_dt and end_time_dt (00:02:12Z, 00:03:08Z) before time.
      ['ocsf-iso-times.json:4', rec({ flow_id: 'dt-4', start_ms: 1649721732000, end_ms: 1649721788000, src_ip: '10.0.2.52', dst_ip: '198.51.100.1', src_port: 39938, dst_port: 443, protocol: 6, bytes_out: 5000, bytes_in: 0, packets_out: 10, packets_in: 0 })],
      ['ocsf-iso-times.json:5', rec({ flow_id: 'dt-5', start_ms: 1649721788000, end_ms: 1649721788000, src_ip: '10.0.2.52', dst_ip: '198.51.100.1', src_port: 39939, dst_port: 443, protocol: 6, bytes_out: 300, bytes_in: 0, packets_out: 3, packets_in: 0 })],
    ]);
    expect(errorsOf(items)).toEqual([
      ['ocsf-iso-times.json:6', 'field time: "2024-04-19T10:00:00" is not an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)'],
      // A bad end_time is an error, not a reason to fall back to time.
      ['ocsf-iso-times.json:7', 'field end_time: "2024-04-19T10:01:00.000" is not an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)'],
      ['ocsf-iso-times.json:8', 'field time: missing (a time in epoch milliseconds or RFC 3339 text with a zone)'],
    ]);
    expect(decoder.counts).toEqual({ records_read: 8, flows_out: 5, internal: 0, transit: 0, inbound: 0, nodata: 0, skipdata: 0, skipped: {}, errors: 3, payload_above_ip: 0 });
  });

  it('reads epoch milliseconds written as decimal text (protobuf JSON writes 64-bit integers so) and RFC 3339 with a space', () => {
    const decoder = createDecoder('ocsf', { internalNetworks: NETS });
    const line = (time: string, extra = '') =>
      `{"class_uid":4001,"activity_id":6,"time":${time}${extra},"connection_info":{"uid":"pb-1","protocol_num":"6"},"src_endpoint":{"ip":"10.0.0.5","port":"50300"},"dst_endpoint":{"ip":"203.0.113.5","port":"443"},"traffic":{"bytes_out":"10","bytes_in":"20","packets_out":"1","packets_in":"1"}}`;
    const flow = rec({ flow_id: 'pb-1', start_ms: 1713520800250, end_ms: 1713520800500, src_ip: '10.0.0.5', dst_ip: '203.0.113.5', src_port: 50300, dst_port: 443, protocol: 6, bytes_out: 10, bytes_in: 20, packets_out: 1, packets_in: 1 });
    expect(decoder.decode(line('"1713520800500"', ',"start_time":"1713520800250"')).map((r) => r.flow)).toEqual([flow]);
    // 12:00:00.250+02:00 is 10:00:00.250Z.
    expect(decoder.decode(line('"2024-04-19 10:00:00.500Z"', ',"start_time":"2024-04-19 12:00:00.250+02:00"')).map((r) => r.flow)).toEqual([flow]);
    // Not a count of milliseconds: a fraction, 16 digits (past a safe integer's reach at 9e15),
    // 10 digits (seconds: as milliseconds, 1970-01-20), a sign (no time at all).
    for (const bad of ['"1713520800500.5"', '"1713520800500000"', '"1713520800"']) {
      expect(() => decoder.decode(line(bad))).toThrow(`field time: ${bad} is not a time in epoch milliseconds (11 to 15 digits) or RFC 3339 text with a zone`);
    }
    expect(() => decoder.decode(line('"-1713520800500"'))).toThrow('field time: "-1713520800500" is not an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)');
    // The fewest digits read: 11 (1e10 ms is 1970-04-26T17:46:40Z), 12 (1e11: 1973-03-03T09:46:40Z).
    expect(decoder.decode(line('"10000000000"')).map((r) => r.flow.end_ms)).toEqual([10000000000]);
    expect(decoder.decode(line('"100000000000"')).map((r) => r.flow.end_ms)).toEqual([100000000000]);
  });
});
