// Encoders are the inverse of the dialects: generated flows written in each sensor format and
// read back through the dialect plus the enrich config that generate --enrich-config writes
// come back as the same flow records, except for what the format cannot hold (stated per
// dialect below and in docs/enrichment.md).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { FlowRecord } from '../../../src/engine/types.js';
import { generateTraffic } from '../../../src/generate/index.js';
import { createDecoder } from '../../../src/io/dialects/index.js';
import { hash52 } from '../../../src/io/encoders/encoder.js';
import { DialectStream } from '../../../src/io/encoders/dialect-stream.js';
import { writeEnrichConfig } from '../../../src/io/encoders/enrich-config.js';
import { ENCODED_DIALECTS, type EncodedDialect } from '../../../src/io/encoders/index.js';
import { compileEnrichment } from '../../../src/io/enrich/index.js';
import { packageRoot } from '../../../src/io/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'encoders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const { flows } = generateTraffic({
  seed: 7,
  duration_ms: 4 * HOUR,
  rate: 1,
  destinations: 25,
  incidents_per_type: 1,
  learning_ms: HOUR,
  types: ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS'],
});
const original = [...flows];
const isInternal = (ip: string) => ip.startsWith('10.') || ip.startsWith('172.') || ip.startsWith('192.168.') || ip.startsWith('fd00:');
const CLASS_OFFSET: Record<string, number> = { eu_user_data: 1, payment_data: 2, telemetry: 3 };

/** The record the dialect gives back, worked out from the generated one. */
function expected(flow: FlowRecord, dialect: EncodedDialect): FlowRecord {
  const [a, b, c, d] = flow.src_ip.split('.');
  const placed = `${a}.${Number(b) + (flow.data_class === null ? 0 : CLASS_OFFSET[flow.data_class])}.${c}.${d}`;
  const back = { ...flow, src_ip: placed };
  if (dialect === 'suricata') back.flow_id = String(hash52(flow.flow_id));
  if (dialect === 'vpc' || dialect === 'goflow2') {
    // One-way records: the return direction is not egress, so bytes_in stays 0; no flow id exists.
    back.bytes_in = 0;
    back.packets_in = 0;
    back.flow_id = '<derived by the dialect>';
  }
  if (dialect === 'vpc') {
    // Whole seconds, cut down.
    back.start_ms = Math.floor(flow.start_ms / 1000) * 1000;
    back.end_ms = Math.floor(flow.end_ms / 1000) * 1000;
  }
  return back;
}

describe.each(ENCODED_DIALECTS.map((d) => [d]))('generate --format %s, read back with its enrich config', (dialect) => {
  const stream = new DialectStream(dialect);
  const lines = [...stream.header(), ...original.flatMap((flow) => stream.lines(flow))];
  const written = writeEnrichConfig(join(dir, `${dialect}.yaml`), readFileSync(join(packageRoot(), 'config', 'example.yaml'), 'utf8'), stream);
  const config = loadConfig(written.config);
  const decoder = createDecoder(config.input.format, { internalNetworks: config.policy.internal_networks });
  const enricher = compileEnrichment(config);
  const back = lines.flatMap((line) => decoder.decode(line)).map((rec) => enricher.enrich(rec));

  it('names the dialect in input.format', () => {
    expect(config.input.format).toBe(dialect);
  });

  it('gives back every flow record, enriched', () => {
    expect(original.length).toBeGreaterThan(5_000);
    // Internal flows (ignored by the engine): a one-way format has a record per direction, both internal.
    const internal = original.filter((f) => isInternal(f.dst_ip)).length;
    expect(internal).toBeGreaterThan(100);
    const perInternal = dialect === 'vpc' || dialect === 'goflow2' ? 2 : 1;
    expect(back).toHaveLength(original.length - internal + perInternal * internal);
    expect(decoder.counts.internal).toBe(perInternal * internal);
    const egress = back.filter((f) => !isInternal(f.dst_ip) || !isInternal(f.src_ip) || perInternal === 1);
    const sent = original.filter((f) => !isInternal(f.dst_ip) || perInternal === 1);
    expect(egress).toHaveLength(sent.length);
    // The dialect's own ids (src/io/dialects) are its business here: they only have to tell the flows apart.
    const derived = dialect === 'vpc' || dialect === 'goflow2';
    const comparable = (flow: FlowRecord) => (derived ? { ...flow, flow_id: '<derived by the dialect>' } : flow);
    expect(new Set(egress.map((f) => f.flow_id)).size).toBe(egress.length);
    for (let i = 0; i < sent.length; i++) expect(comparable(egress[i])).toEqual(expected(sent[i], dialect));
    expect(decoder.counts.errors).toBe(0);
  });

  it('has incidents of each injected type among them: restricted classes, unknown principals, flows outside gateways', () => {
    expect(back.some((f) => f.data_class === 'eu_user_data' && f.gateway_id === null)).toBe(true);
    expect(back.some((f) => f.principal === 'mallory' || f.principal === 'svc-marketing')).toBe(true);
    expect(new Set(back.map((f) => f.gateway_id))).toEqual(new Set(['gw-fra-1', 'gw-ams-1', 'gw-dub-1', null]));
  });
});
