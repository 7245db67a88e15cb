// npm run bench:enrich: the CPU enrichment adds per record, beside today's JSON path for the
// same records (JSON.parse and validateFlow of a flow line), measured in one run as a ratio:
// the machine is shared and noisy, so the ratio is the result. The enrichment is a large one:
// the builtin GeoIP database, 100 000 principal networks from a CSV file, four data class
// rules, three gateways and a dns.log join.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { FlowRecord } from '../src/engine/types.js';
import { generateTraffic, resolveGenerateOptions } from '../src/generate/index.js';
import type { DialectRecord } from '../src/io/dialects/dialect.js';
import { compileEnrichment } from '../src/io/enrich/index.js';
import { validateFlow } from '../src/io/validate-flow.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000);
const ROUNDS = 5;

const dir = mkdtempSync(join(tmpdir(), 'enrich-bench-'));
try {
  const flows: FlowRecord[] = [];
  const options = resolveGenerateOptions({ seed: 42, duration_ms: 86_400_000, rate: RECORDS / 86_400, destinations: 2000, incidents_per_type: 1, learning_ms: 6 * 3_600_000 });
  for (const flow of generateTraffic(options).flows) {
    if (flows.length >= RECORDS) break;
    flows.push(flow);
  }
  const principals = ['cidr,principal'];
  for (let i = 0; i < 100_000; i++) principals.push(`10.${i >> 14}.${(i >> 6) & 0xff}.${(i & 0x3f) << 2}/30,p${i}`);
  writeFileSync(join(dir, 'principals.csv'), `${principals.join('\n')}\n`);
  const hosts = new Map(flows.filter((f) => f.dst_host !== null).map((f) => [f.dst_ip, f.dst_host as string]));
  writeFileSync(join(dir, 'dns.log'), [...hosts].map(([ip, host]) => JSON.stringify({ ts: 0, query: host, answers: [ip] })).join('\n'));
  const config = parseConfig(
    `policy:
  internal_networks: [10.0.0.0/8]
  data_classes: {eu_user_data: {allowed_countries: [EEA]}, payment_data: {allowed_countries: [EEA]}, telemetry: {allowed_countries: ["*"]}}
enrich:
  geoip: builtin
  principals_file: principals.csv
  data_classes:
    - {src: 10.11.0.0/16, data_class: eu_user_data}
    - {src: 10.12.0.0/16, dst_port: [443, 8443], data_class: payment_data}
    - {sensor: "zeek-eu-*", data_class: eu_user_data}
    - {src: [10.13.0.0/16, 10.23.0.0/16], data_class: telemetry}
  gateways:
    - {sensor: "gw-*", sensor_field: _system_name}
    - {sensor: 192.0.2.10, gateway_id: gw-router}
    - {sensor: eni-0abc, gateway_id: gw-aws}
  dst_host: {zeek_dns: [dns.log]}
`,
    join(dir, 'config.yaml'),
  );
  const enricher = compileEnrichment(config);
  const lines = flows.map((f) => JSON.stringify(f));
  const bare = (f: FlowRecord): DialectRecord => ({
    flow: { ...f, gateway_id: null, dst_country: null, dst_host: null, principal: null, data_class: null },
    sensor: { _system_name: f.gateway_id ?? 'tap-core-1' },
  });

  const time = (run: () => void): number => {
    const start = process.hrtime.bigint();
    run();
    return Number(process.hrtime.bigint() - start) / flows.length;
  };
  const json: number[] = [];
  const enrich: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    json.push(time(() => {
      for (const line of lines) sink += validateFlow(JSON.parse(line)).bytes_out;
    }));
    const records = flows.map(bare);
    enrich.push(time(() => {
      for (const rec of records) sink += enricher.enrich(rec).dst_country === null ? 0 : 1;
    }));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const j = median(json);
  const e = median(enrich);
  process.stdout.write(
    `enrich bench: ${flows.length} records, median of ${ROUNDS} rounds (${sink > 0 ? 'checked' : '-'})\n` +
      `  JSON path (JSON.parse + validateFlow): ${j.toFixed(0)} ns/record\n` +
      `  enrichment (geoip builtin, 100000 principal networks, 4 class rules, 3 gateways, dns join): ${e.toFixed(0)} ns/record\n` +
      `  enrichment / JSON path: ${(e / j).toFixed(2)}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
