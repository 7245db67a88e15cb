// compileEnrichment over hand-written configs and side files: each field filled from its source,
// never overwritten, first match winning, and every bad input named by file and line.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { parseConfig } from '../../../src/config/load.js';
import type { FlowRecord } from '../../../src/engine/types.js';
import type { SensorFacts } from '../../../src/io/dialects/dialect.js';
import { compileEnrichment, describeEnrichment } from '../../../src/io/enrich/index.js';
import { builtinDatabasePath } from '../../../src/io/enrich/geoip.js';
import { createDecoder } from '../../../src/io/dialects/index.js';
import { decodeText } from '../../../src/io/dialects/read-file.js';

const dir = mkdtempSync(join(tmpdir(), 'enrich-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POLICY = `
policy:
  internal_networks: [10.0.0.0/8]
  data_classes:
    eu_user_data: {allowed_countries: [EEA]}
    payment_data: {allowed_countries: [EEA]}
`;

function config(enrich: string, file = join(dir, 'config.yaml')) {
  return parseConfig(`${POLICY}enrich:\n${enrich}`, file);
}

/** A record as a dialect leaves it: nothing enrichment fills is set. */
function bare(overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    flow_id: 'C1',
    gateway_id: null,
    start_ms: 1_767_571_200_000,
    end_ms: 1_767_571_260_000,
    src_ip: '10.11.0.5',
    dst_ip: '203.0.113.7',
    src_port: 40000,
    dst_port: 443,
    protocol: 6,
    dst_host: null,
    dst_country: null,
    bytes_out: 1000,
    bytes_in: 10,
    packets_out: 2,
    packets_in: 1,
    data_class: null,
    principal: null,
    ...overrides,
  };
}

function enrichOne(yaml: string, flow: FlowRecord, sensor: SensorFacts = {}): FlowRecord {
  return compileEnrichment(config(yaml)).enrich({ flow, sensor });
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('enrich: gateways', () => {
  const yaml = `
  gateways:
    - {sensor: "gw-*", sensor_field: _system_name}
    - {sensor: 192.0.2.10, gateway_id: gw-router-1}
    - {sensor: vpc-0abc, sensor_field: vpc-id, gateway_id: gw-aws}
`;
  it('names the gateway of a gateway sensor, by the matched value or the configured name', () => {
    expect(enrichOne(yaml, bare(), { _system_name: 'gw-fra-1', _node_name: 'worker-1' }).gateway_id).toBe('gw-fra-1');
    expect(enrichOne(yaml, bare(), { sampler_address: '192.0.2.10' }).gateway_id).toBe('gw-router-1');
    expect(enrichOne(yaml, bare(), { 'interface-id': 'eni-1', 'vpc-id': 'vpc-0abc' }).gateway_id).toBe('gw-aws');
  });
  it('leaves a record from another sensor outside any gateway', () => {
    // gw-* is limited to _system_name: a node of that name is not a gateway.
    expect(enrichOne(yaml, bare(), { _system_name: 'tap-core-1', _node_name: 'gw-x' }).gateway_id).toBeNull();
    expect(enrichOne(yaml, bare(), { 'interface-id': 'vpc-0abc' }).gateway_id).toBeNull();
    expect(enrichOne(yaml, bare(), {}).gateway_id).toBeNull();
  });
  it('keeps a gateway the record carries', () => {
    expect(enrichOne(yaml, bare({ gateway_id: 'gw-own' }), { _system_name: 'gw-fra-1' }).gateway_id).toBe('gw-own');
  });
});

describe('enrich: dst_country', () => {
  it('takes the listed networks first, then the builtin database; private and reserved addresses stay unknown', () => {
    const yaml = `
  geoip: builtin
  countries: [{dst: 8.8.8.0/24, country: ie}, {dst: 203.0.113.0/24, country: NL}]
`;
    const enricher = compileEnrichment(config(yaml));
    const country = (dst_ip: string) => enricher.enrich({ flow: bare({ dst_ip }), sensor: {} }).dst_country;
    expect(country('8.8.8.8')).toBe('IE'); // the list wins over the database (which says US)
    expect(country('8.8.4.4')).toBe('US');
    expect(country('203.0.113.7')).toBe('NL'); // a documentation address, known only from the list
    expect(country('198.51.100.1')).toBeNull(); // reserved: never looked up
    expect(country('172.16.0.1')).toBeNull();
    expect(country('100.64.0.1')).toBeNull();
    expect(country('::1')).toBeNull();
    expect(country('2001:db8::1')).toBeNull();
    expect(enricher.enrich({ flow: bare({ dst_ip: '8.8.4.4', dst_country: 'FR' }), sensor: {} }).dst_country).toBe('FR');
  });

  it('reads an operator database given as a path, relative to the config file', () => {
    copyFileSync(builtinDatabasePath(), join(dir, 'own.mmdb'));
    const enricher = compileEnrichment(config('  geoip: own.mmdb\n'));
    expect(enricher.enrich({ flow: bare({ dst_ip: '8.8.4.4' }), sensor: {} }).dst_country).toBe('US');
    expect(enricher.enrich({ flow: bare({ dst_ip: '::ffff:8.8.4.4' }), sensor: {} }).dst_country).toBe('US');
    expect(describeEnrichment(config('  geoip: own.mmdb\n'))[2]).toBe(
      `  dst_country: the GeoIP database ${join(dir, 'own.mmdb')} (country ipvAll, built 2026-06-01), for public unicast addresses only. An address neither knows stays unknown, allowed only by "*".`,
    );
  });

  it('refuses a file that is not a MaxMind database, and one that is missing, naming it', () => {
    writeFileSync(join(dir, 'bad.mmdb'), 'not a database\n');
    expect(problemsOf(() => compileEnrichment(config('  geoip: bad.mmdb\n')))[0]).toMatch(
      new RegExp(`^${join(dir, 'bad.mmdb')}: enrich.geoip: not a readable MaxMind \\(.mmdb\\) database: `),
    );
    expect(problemsOf(() => config('  geoip: missing.mmdb\n'))).toEqual([
      `${join(dir, 'config.yaml')}:8: enrich.geoip: cannot read ${join(dir, 'missing.mmdb')}: no such file`,
    ]);
  });
});

describe('enrich: principals', () => {
  it('takes the config list first, then the CSV file; first network that holds the address wins', () => {
    writeFileSync(join(dir, 'principals.csv'), 'cidr,principal\n10.11.0.0/16,svc-file\n\n10.12.0.0/16, carol \n2001:db8::/32,svc-v6\n');
    const yaml = `
  principals: [{src: 10.11.0.0/24, principal: svc-list}]
  principals_file: principals.csv
`;
    const enricher = compileEnrichment(config(yaml));
    const principal = (src_ip: string, given: string | null = null) =>
      enricher.enrich({ flow: bare({ src_ip, principal: given }), sensor: {} }).principal;
    expect(principal('10.11.0.5')).toBe('svc-list');
    expect(principal('10.11.1.5')).toBe('svc-file');
    expect(principal('10.12.200.1')).toBe('carol');
    expect(principal('2001:db8::7')).toBe('svc-v6');
    expect(principal('10.13.0.1')).toBeNull();
    expect(principal('10.11.0.5', 'alice')).toBe('alice');
    expect(describeEnrichment(config(yaml))[4]).toBe(
      `  principal: by the sending address: 10.11.0.0/24 is svc-list, then 3 networks from ${join(dir, 'principals.csv')}; the first network that holds it wins.`,
    );
  });

  it('reports every bad row of the CSV file with its line', () => {
    const file = join(dir, 'bad-principals.csv');
    writeFileSync(file, 'cidr,principal\n10.0.0.0/8,ok\n10.1.0.1/16,x\n10.2.0.0/16\n\n10.3.0.0/16,\nnot-a-net,y\n');
    expect(problemsOf(() => compileEnrichment(config('  principals_file: bad-principals.csv\n')))).toEqual([
      `${file}:3: cidr: "10.1.0.1/16" has host bits set: did you mean 10.1.0.0/16?`,
      `${file}:4: expected 2 columns (cidr,principal), got 1`,
      `${file}:6: principal: expected a principal name, got an empty cell`,
      `${file}:7: cidr: expected a network in CIDR notation such as 10.0.0.0/8 or fd00::/8, got "not-a-net"`,
    ]);
    // A row saved as Latin-1 (ü is the lone byte 0xfc): every flow of its range would be refused.
    writeFileSync(file, Buffer.concat([Buffer.from('cidr,principal\n10.0.0.0/24,m'), Buffer.from([0xfc]), Buffer.from('ller\n')]));
    expect(problemsOf(() => compileEnrichment(config('  principals_file: bad-principals.csv\n')))).toEqual([
      `${file}:2: principal: holds U+FFFD, the replacement character: the file is not UTF-8 there (save it as UTF-8)`,
    ]);
    writeFileSync(file, 'network,name\n10.0.0.0/8,x\n');
    expect(problemsOf(() => compileEnrichment(config('  principals_file: bad-principals.csv\n')))).toEqual([
      `${file}:1: expected the header line "cidr,principal", got "network,name"`,
    ]);
  });
});

describe('enrich: data_classes', () => {
  const yaml = `
  data_classes:
    - {src: [10.11.0.0/16, 10.14.0.0/16], data_class: eu_user_data}
    - {src: 10.12.0.0/16, dst_port: [443, 8443], data_class: payment_data}
    - {dst_port: 5432, sensor: vpc-pay, sensor_field: vpc-id, data_class: payment_data}
    - {sensor: "zeek-eu-*", data_class: eu_user_data}
`;
  const enricher = compileEnrichment(config(yaml));
  const dataClass = (flow: Partial<FlowRecord>, sensor: SensorFacts = {}) => enricher.enrich({ flow: bare(flow), sensor }).data_class;

  it('takes the first rule whose every key matches', () => {
    expect(dataClass({ src_ip: '10.14.9.9', dst_port: 22 })).toBe('eu_user_data');
    expect(dataClass({ src_ip: '10.12.0.1', dst_port: 8443 })).toBe('payment_data');
    expect(dataClass({ src_ip: '10.12.0.1', dst_port: 22 })).toBeNull();
    expect(dataClass({ src_ip: '10.99.0.1', dst_port: 5432 }, { 'vpc-id': 'vpc-pay' })).toBe('payment_data');
    expect(dataClass({ src_ip: '10.99.0.1', dst_port: 5432 }, { 'interface-id': 'vpc-pay' })).toBeNull();
    expect(dataClass({ src_ip: '10.99.0.1', dst_port: 22 }, { _node_name: 'zeek-eu-3' })).toBe('eu_user_data');
    expect(dataClass({ src_ip: '10.11.0.1', data_class: 'telemetry' })).toBe('telemetry');
  });

  it('says so in plain words', () => {
    expect(describeEnrichment(config(yaml))[5]).toBe(
      '  data_class: the first that applies of: (1) eu_user_data when sent from 10.11.0.0/16 or 10.14.0.0/16; ' +
        '(2) payment_data when sent from 10.12.0.0/16 and to port 443 or 8443; ' +
        '(3) payment_data when to port 5432 and seen by a sensor whose vpc-id is "vpc-pay"; ' +
        '(4) eu_user_data when seen by a sensor reporting "zeek-eu-*". Any other record is not restricted.',
    );
  });

  it('refuses a class the policy does not declare and a rule that matches everything, naming the line', () => {
    const bad = `
  data_classes:
    - {src: 10.0.0.0/8, data_class: eu_user_data}
    - {src: 10.0.0.0/8, data_class: health_data}
    - {data_class: eu_user_data}
`;
    const file = join(dir, 'config.yaml');
    expect(problemsOf(() => config(bad))).toEqual([
      `${file}:12: enrich.data_classes[2]: a rule needs at least one of src, dst_port or sensor`,
    ]);
    expect(problemsOf(() => config(bad.split('\n').slice(0, -2).join('\n')))).toEqual([
      `${file}:11: enrich.data_classes[1].data_class: data class "health_data" is not declared under policy.data_classes (declared: eu_user_data, payment_data)`,
    ]);
  });
});

describe('enrich: dst_host from Zeek ssl.log and dns.log', () => {
  // ssl.log as Zeek's TSV writer writes it (one server_name unset), dns.log as its JSON writer does.
  const ssl = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tssl',
    '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tserver_name',
    '#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring',
    '1767571200.100000\tCssl1\t10.11.0.5\t40000\t203.0.113.7\t443\tTLSv13\tAPI.Vendor.example',
    '1767571201.100000\tCssl2\t10.11.0.5\t40001\t203.0.113.7\t443\tTLSv13\t-',
    '',
  ].join('\n');
  const dns = [
    { ts: 1767571100.5, uid: 'Cd1', query: 'old.example', answers: ['203.0.113.7'] },
    { ts: 1767571150.0, uid: 'Cd2', query: 'cdn.example', answers: ['alias.cdn.example', '203.0.113.7', '2001:db8:0:0::1'] },
    { ts: 1767571300.0, uid: 'Cd3', query: 'later.example', answers: ['203.0.113.7'] },
    { ts: 1767571100.0, uid: 'Cd4', query: 'nx.example' },
  ]
    .map((row) => JSON.stringify(row))
    .join('\n');
  writeFileSync(join(dir, 'ssl.log'), ssl);
  writeFileSync(join(dir, 'dns.log.gz'), gzipSync(dns));
  const yaml = `
  dst_host:
    zeek_ssl: [ssl.log]
    zeek_dns: [dns.log.gz]
`;
  const enricher = compileEnrichment(config(yaml));
  const host = (flow: Partial<FlowRecord>) => enricher.enrich({ flow: bare(flow), sensor: {} }).dst_host;

  it('names a connection by its TLS server name, else by the DNS answer in force at its start', () => {
    expect(host({ flow_id: 'Cssl1' })).toBe('api.vendor.example');
    // Cssl2 has no server name: the DNS answer at or before its start (1767571200000) is cdn.example.
    expect(host({ flow_id: 'Cssl2' })).toBe('cdn.example');
    expect(host({ flow_id: 'X', start_ms: 1_767_571_120_000 })).toBe('old.example');
    expect(host({ flow_id: 'X', start_ms: 1_767_571_300_000 })).toBe('later.example');
    expect(host({ flow_id: 'X', start_ms: 1_767_571_000_000 })).toBeNull(); // before any answer
    expect(host({ flow_id: 'X', dst_ip: '2001:db8::1' })).toBe('cdn.example');
    expect(host({ flow_id: 'X', dst_ip: '198.51.100.1' })).toBeNull();
    expect(host({ flow_id: 'Cssl1', dst_host: 'given.example' })).toBe('given.example');
    expect(describeEnrichment(config(yaml))[3]).toBe(
      `  dst_host: the TLS server name of the same connection (uid) in ${join(dir, 'ssl.log')} (1 connections), then the DNS query whose answer, ` +
        `at or before the flow's start, was its destination address, in ${join(dir, 'dns.log.gz')} (4 answers); otherwise the baseline key falls back to dst_ip.`,
    );
  });

  it('refuses more joins than max_entries, and a row it cannot read, naming file and line', () => {
    // ssl.log gives 1 join, dns.log's first row 1 more, its second row 2 addresses: the 4th join is on line 2.
    expect(problemsOf(() => compileEnrichment(config(`${yaml}    max_entries: 3\n`)))).toEqual([
      `${join(dir, 'dns.log.gz')}:2: more than enrich.dst_host.max_entries (3) joins in the dst_host logs; raise it or give fewer files`,
    ]);
    writeFileSync(join(dir, 'broken-ssl.log'), `${ssl}1767571202.1\tCssl3\t10.11.0.5\n`);
    expect(problemsOf(() => compileEnrichment(config('  dst_host: {zeek_ssl: [broken-ssl.log]}\n')))).toEqual([
      `${join(dir, 'broken-ssl.log')}:10: expected 8 tab-separated fields (#fields), got 3`,
    ]);
  });
});

describe('enrich: dst_host from a Zeek Kafka topic dump (tag_json)', () => {
  // What kcat prints of a topic the Kafka writer fills with tag_json: conn, ssl and dns records,
  // each wrapped in its log's name. The one file serves both joins; each takes only its own log.
  const dump = [
    '{"conn": {"ts":1767571200.0,"uid":"Ck1","id.orig_h":"10.11.0.5","id.orig_p":40000,"id.resp_h":"203.0.113.7","id.resp_p":443,"proto":"tcp","orig_bytes":10,"resp_bytes":20}, "sensor": "gw-ams-1"}',
    '{"ssl": {"ts":1767571200.1,"uid":"Ck1","id.orig_h":"10.11.0.5","id.orig_p":40000,"id.resp_h":"203.0.113.7","id.resp_p":443,"server_name":"Upload.Vendor.example"}, "sensor": "gw-ams-1"}',
    '{"dns": {"ts":1767571100.0,"uid":"Ck2","id.orig_h":"10.11.0.5","id.orig_p":53000,"id.resp_h":"10.0.0.53","id.resp_p":53,"query":"cdn.vendor.example","answers":["203.0.113.9"]}, "sensor": "gw-ams-1"}',
    // A dns record with a server_name would be taken by the ssl join were the tag not read.
    '{"dns": {"ts":1767571100.0,"uid":"Ck3","id.orig_h":"10.11.0.5","id.orig_p":53001,"id.resp_h":"10.0.0.53","id.resp_p":53,"query":"x.example","server_name":"wrong.example","answers":["203.0.113.10"]}}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'zeek-topic.json'), dump);
  const yaml = '  dst_host: {zeek_ssl: [zeek-topic.json], zeek_dns: [zeek-topic.json]}\n';
  const enricher = compileEnrichment(config(yaml));
  const host = (flow: Partial<FlowRecord>) => enricher.enrich({ flow: bare(flow), sensor: {} }).dst_host;

  it('unwraps the records and joins ssl by uid and dns by answer address', () => {
    expect(host({ flow_id: 'Ck1' })).toBe('upload.vendor.example');
    expect(host({ flow_id: 'Ck3' })).toBeNull(); // a dns record is no TLS name
    expect(host({ flow_id: 'X', dst_ip: '203.0.113.9' })).toBe('cdn.vendor.example');
    expect(host({ flow_id: 'X', dst_ip: '203.0.113.10' })).toBe('x.example');
    expect(describeEnrichment(config(yaml))[3]).toBe(
      `  dst_host: the TLS server name of the same connection (uid) in ${join(dir, 'zeek-topic.json')} (1 connections), then the DNS query whose answer, ` +
        `at or before the flow's start, was its destination address, in ${join(dir, 'zeek-topic.json')} (2 answers); otherwise the baseline key falls back to dst_ip.`,
    );
  });
});

describe('enrich: dst_host from Suricata tls and dns events', () => {
  // eve.json lines as Suricata writes them (flow_id a 51-bit number here; tls.sni; dns in the v1,
  // v2 detailed, v2 grouped and v3 layouts; a query and an alert, which name nothing).
  const eve = [
    '{"timestamp":"2026-01-05T00:00:01.000000+0000","flow_id":1234567890123456,"event_type":"tls","src_ip":"10.11.0.5","src_port":40000,"dest_ip":"203.0.113.7","dest_port":443,"proto":"TCP","tls":{"subject":"CN=api.vendor.example","sni":"API.Vendor.example","version":"TLS 1.3"}}',
    '{"timestamp":"2026-01-05T00:00:02.000000+0000","flow_id":77,"event_type":"tls","src_ip":"10.11.0.5","src_port":40001,"dest_ip":"203.0.113.7","dest_port":443,"proto":"TCP","tls":{"version":"TLS 1.2"}}',
    '{"timestamp":"2026-01-04T23:58:20.000000+0000","flow_id":5,"event_type":"dns","src_ip":"10.0.0.53","src_port":53,"dest_ip":"10.11.0.5","dest_port":53000,"proto":"UDP","dns":{"version":2,"type":"answer","id":1,"rrname":"cdn.vendor.example","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"cdn.vendor.example","rrtype":"CNAME","ttl":60,"rdata":"edge.vendor.example"},{"rrname":"edge.vendor.example","rrtype":"A","ttl":60,"rdata":"203.0.113.7"}]}}',
    '{"timestamp":"2026-01-04T23:59:00.000000+00:00","flow_id":6,"event_type":"dns","src_ip":"10.0.0.53","src_port":53,"dest_ip":"10.11.0.5","dest_port":53001,"proto":"UDP","dns":{"version":2,"type":"answer","id":2,"rrname":"grouped.example","rrtype":"AAAA","rcode":"NOERROR","grouped":{"AAAA":["2001:db8:0:0::20"]}}}',
    '{"timestamp":"2026-01-04T23:59:10.000000+0000","flow_id":7,"event_type":"dns","src_ip":"10.0.0.53","src_port":53,"dest_ip":"10.11.0.5","dest_port":53002,"proto":"UDP","dns":{"version":3,"type":"response","id":3,"rcode":"NOERROR","queries":[{"rrname":"v3.example","rrtype":"A"}],"answers":[{"rrname":"v3.example","rrtype":"A","ttl":30,"rdata":"198.51.100.30"}]}}',
    '{"timestamp":"2026-01-04T23:59:20.000000+0000","flow_id":8,"event_type":"dns","src_ip":"10.0.0.53","src_port":53,"dest_ip":"10.11.0.5","dest_port":53003,"proto":"UDP","dns":{"type":"answer","id":4,"rrname":"v1.example","rrtype":"A","ttl":30,"rdata":"198.51.100.31"}}',
    '{"timestamp":"2026-01-04T23:59:30.000000+0000","flow_id":9,"event_type":"dns","src_ip":"10.11.0.5","src_port":53004,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP","dns":{"type":"query","id":5,"rrname":"asked.example","rrtype":"A"}}',
    '{"timestamp":"2026-01-05T00:00:03.000000+0000","flow_id":77,"event_type":"alert","src_ip":"10.11.0.5","src_port":40001,"dest_ip":"203.0.113.7","dest_port":443,"proto":"TCP","alert":{"signature_id":1,"signature":"test"}}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'eve.json.gz'), gzipSync(eve));
  const yaml = '  dst_host: {suricata_eve: [eve.json.gz]}\n';
  const enricher = compileEnrichment(config(yaml));
  const host = (flow: Partial<FlowRecord>) => enricher.enrich({ flow: bare(flow), sensor: {} }).dst_host;

  it('names a flow by the SNI of its flow_id, else by the DNS answer in force at its start', () => {
    // The suricata dialect's flow id is the eve flow_id as text.
    expect(host({ flow_id: '1234567890123456' })).toBe('api.vendor.example');
    // flow 77's TLS event has no SNI: the DNS answer for 203.0.113.7 names it (the query, not the CNAME target).
    expect(host({ flow_id: '77' })).toBe('cdn.vendor.example');
    expect(host({ flow_id: 'X', dst_ip: '2001:db8::20' })).toBe('grouped.example');
    expect(host({ flow_id: 'X', dst_ip: '198.51.100.30' })).toBe('v3.example');
    expect(host({ flow_id: 'X', dst_ip: '198.51.100.31' })).toBe('v1.example');
    expect(host({ flow_id: 'X', dst_ip: '198.51.100.31', start_ms: Date.UTC(2026, 0, 4, 23, 59, 19) })).toBeNull(); // before the answer
    expect(describeEnrichment(config(yaml))[3]).toBe(
      `  dst_host: the TLS server name of the same connection (Suricata flow_id) in ${join(dir, 'eve.json.gz')} (1 connections), then the DNS query whose answer, ` +
        `at or before the flow's start, was its destination address, in ${join(dir, 'eve.json.gz')} (4 answers); otherwise the baseline key falls back to dst_ip.`,
    );
  });

  it('joins the suricata dialect\'s own flow records', () => {
    const config2 = config(yaml);
    const reading = { decoder: createDecoder('suricata', { internalNetworks: ['10.0.0.0/8'] }), enrich: compileEnrichment(config2).enrich };
    const flowLine = '{"timestamp":"2026-01-05T00:01:00.000000+0000","flow_id":1234567890123456,"event_type":"flow","src_ip":"10.11.0.5","src_port":40000,"dest_ip":"203.0.113.7","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":5,"pkts_toclient":4,"bytes_toserver":5000,"bytes_toclient":700,"start":"2026-01-05T00:00:00.500000+0000","end":"2026-01-05T00:01:00.000000+0000"}}';
    const flows = decodeText(reading, flowLine);
    expect(typeof flows === 'string' ? flows : flows.map((f) => [f.flow_id, f.dst_host, f.bytes_out])).toEqual([['1234567890123456', 'api.vendor.example', 5000]]);
  });

  it('names the file and line of an event it cannot read, and counts its joins against max_entries', () => {
    writeFileSync(join(dir, 'broken-eve.json'), `${eve.split('\n')[0]}\n{"event_type":"dns",\n`);
    expect(problemsOf(() => compileEnrichment(config('  dst_host: {suricata_eve: [broken-eve.json]}\n')))[0]).toMatch(new RegExp(`^${join(dir, 'broken-eve.json')}:2: not valid JSON: `));
    writeFileSync(join(dir, 'bad-time-eve.json'), eve.split('\n')[2].replace('2026-01-04T23:58:20.000000+0000', 'yesterday'));
    expect(problemsOf(() => compileEnrichment(config('  dst_host: {suricata_eve: [bad-time-eve.json]}\n')))).toEqual([
      `${join(dir, 'bad-time-eve.json')}:1: a dns event without a readable timestamp: field timestamp: "yesterday" is not an ISO 8601 time with a zone (e.g. 2024-04-19T10:00:00.5Z)`,
    ]);
    // 1 SNI, then the v2 answer (line 3), then the grouped one (line 4): the third join is too many.
    expect(problemsOf(() => compileEnrichment(config('  dst_host: {suricata_eve: [eve.json.gz], max_entries: 2}\n')))).toEqual([
      `${join(dir, 'eve.json.gz')}:4: more than enrich.dst_host.max_entries (2) joins in the dst_host logs; raise it or give fewer files`,
    ]);
  });
});

describe('enrich: nothing configured', () => {
  it('is inactive and returns the record untouched', () => {
    const enricher = compileEnrichment(config('  geoip: null\n'));
    expect(enricher.active).toBe(false);
    const flow = bare();
    expect(enricher.enrich({ flow, sensor: { _system_name: 'gw-fra-1' } })).toEqual(bare());
  });
});
