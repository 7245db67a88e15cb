// The scorecard through every dialect: generated traffic written in each sensor format and read
// back through its decoder and the enrich config generate --enrich-config writes gives the
// alerts of the native flow records, type for type, destination for destination, window for
// window. Fields that may differ, and why (docs/enrichment.md):
//   alert_id, sample_flow_ids  VPC and goflow2 have no flow id (the dialect derives one), Suricata's
//                              is a number made from the generated id
//   config_version             the dialect's config has input.format and an enrich section
//   chain_hash, chain_prev     replay's hash chain covers the fields above
//   reason                     names the source as the sensor saw it (the estate placed each class's
//                              sources in their own subnet) and, when it folds repeats, an alert_id
//   VPC only                   times are whole seconds (cut down): a per-flow alert's window and
//                              detected_at_ms are the second it falls in, GATEWAY_SILENT's measured
//                              silence (observed, expected, score, reason) is off by under a second,
//                              and so are the scorecard's detection delays (scored against the
//                              truth generate --format vpc writes: incidents start on the second)
// Both go through replay (--input-format X with the written config; the native records as .jsonl).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { replay } from '../../../src/cli/replay.js';
import type { Config } from '../../../src/config/types.js';
import type { Alert } from '../../../src/engine/types.js';
import type { InputFormatName } from '../../../src/io/dialects/dialect.js';
import { scoreAlerts, type ScoreRow, type Scorecard } from '../../../src/eval/scorecard.js';
import { generateTraffic } from '../../../src/generate/index.js';
import { DialectStream } from '../../../src/io/encoders/dialect-stream.js';
import { writeEnrichConfig } from '../../../src/io/encoders/enrich-config.js';
import { ENCODED_DIALECTS } from '../../../src/io/encoders/index.js';
import { packageRoot } from '../../../src/io/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'same-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const EXAMPLE = join(packageRoot(), 'config', 'example.yaml');
const generated = generateTraffic({
  seed: 11,
  duration_ms: 34 * HOUR,
  rate: 0.5,
  destinations: 40,
  incidents_per_type: 2,
  learning_ms: 26 * HOUR,
  types: ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS', 'NEW_DESTINATION', 'VOLUME_SPIKE', 'GATEWAY_SILENT'],
});
const flows = [...generated.flows];

async function run(config: Config, input: string, inputFormat: InputFormatName): Promise<Alert[]> {
  const summary = await replay({ config, input, inputFormat, output: null, progress: false, log: () => {} });
  expect(summary.malformed).toBe(0);
  return summary.alerts;
}

/** 10.(B+k).C.D back to 10.B.C.D: where the estate placed class k's sources (estate.ts). */
function unplaced(text: string): string {
  return text.replace(/\b10\.(\d+)\.(\d+)\.(\d+)\b/g, (all, b: string, c: string, d: string) => {
    const home = [10, 20, 60].find((base) => Number(b) > base && Number(b) <= base + 3);
    return home === undefined ? all : `10.${home}.${c}.${d}`;
  });
}

/** An alert without the fields that may differ between dialects. */
function comparable(alert: Alert) {
  const { alert_id: _id, sample_flow_ids: _samples, config_version: _version, chain_hash: _hash, chain_prev: _prev, reason, ...rest } = alert;
  return { ...rest, reason: unplaced(reason).replace(/(alert|Incident) [0-9a-f]{32}/g, '$1 <id>') };
}

/**
 * An incident's id is its opening record's alert_id, which hashes the flow ids (derived, so
 * different, in some formats): each id becomes the position of the record that opened it, so
 * the grouping of records into incidents is still compared.
 */
function byIncident(alerts: Alert[]): Alert[] {
  const opener = new Map(alerts.map((a, i) => [a.alert_id, i] as const));
  return alerts.map((a) =>
    a.incident_id === undefined || a.incident_id === null ? a : { ...a, incident_id: `#${opener.get(a.incident_id) ?? 'unknown'}` },
  );
}

/** What VPC's whole seconds keep of an alert. */
function inWholeSeconds(alert: Alert) {
  const { alert_id: _id, sample_flow_ids: _samples, config_version: _version, chain_hash: _hash, chain_prev: _prev, reason: _reason, ...rest } = alert;
  const second = (ms: number) => Math.floor(ms / 1000);
  const kept = { ...rest, window_start_ms: second(rest.window_start_ms), window_end_ms: second(rest.window_end_ms), detected_at_ms: second(rest.detected_at_ms) };
  if (alert.type !== 'GATEWAY_SILENT') return kept;
  const { observed: _o, expected: _e, score: _s, ...silence } = kept;
  return silence;
}

function withoutDelays(card: Scorecard) {
  const row = ({ median_delay_ms: _m, ...rest }: ScoreRow) => rest;
  return { rows: card.rows.map(row), total: row(card.total) };
}

let nativeRun: Promise<Alert[]> | null = null;
/** The native records' alerts, replayed once for all the tests here. */
function nativeAlerts(): Promise<Alert[]> {
  nativeRun ??= (async () => {
    const file = join(dir, 'flows.jsonl');
    writeFileSync(file, flows.map((flow) => `${JSON.stringify(flow)}\n`).join(''));
    return run(loadConfig(EXAMPLE), file, 'flow');
  })();
  return nativeRun;
}

describe('the native flow records', () => {
  it('raise an alert for every injected incident', async () => {
    const native = await nativeAlerts();
    const card = scoreAlerts(native, generated.truth);
    for (const row of card.rows.filter((r) => r.incidents > 0)) expect(row.detected, row.type).toBe(row.incidents);
    expect(new Set(native.map((a) => a.type))).toEqual(
      new Set(['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS', 'NEW_DESTINATION', 'VOLUME_SPIKE', 'GATEWAY_SILENT']),
    );
  });
});

describe.each(ENCODED_DIALECTS.map((d) => [d]))('through %s with its enrich config', (dialect) => {
  it('gives the same alerts as the native flow records', async () => {
    const native = await nativeAlerts();
    expect(native.length).toBeGreaterThan(0);
    const stream = new DialectStream(dialect);
    const file = join(dir, `flows.${dialect}.log`);
    writeFileSync(file, [...stream.header(), ...flows.flatMap((flow) => stream.lines(flow))].map((line) => `${line}\n`).join(''));
    const config = loadConfig(writeEnrichConfig(join(dir, `${dialect}.yaml`), readFileSync(EXAMPLE, 'utf8'), stream).config);
    const alerts = await run(config, file, dialect);
    if (dialect === 'vpc') {
      expect(byIncident(alerts).map(inWholeSeconds)).toEqual(byIncident(native).map(inWholeSeconds));
      // Scored against the truth as generate --format vpc writes it (incidents start on the second).
      const truth = stream.truth(generated.truth);
      expect(withoutDelays(scoreAlerts(alerts, truth))).toEqual(withoutDelays(scoreAlerts(native, generated.truth)));
    } else {
      expect(byIncident(alerts).map(comparable)).toEqual(byIncident(native).map(comparable));
      expect(scoreAlerts(alerts, generated.truth)).toEqual(scoreAlerts(native, generated.truth));
    }
  });
});
