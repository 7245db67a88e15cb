// The scorecard, measured: generated traffic with injected incidents of every type,
// written to an Avro file, replayed through the CLI's replay with config/example.yaml.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { replay, type ReplaySummary } from '../../src/cli/replay.js';
import { writeTruth } from '../../src/eval/scorecard.js';
import { generateTraffic, resolveGenerateOptions } from '../../src/generate/index.js';
import { openFlowOutput } from '../../src/io/flow-output.js';

// 3 days, 150 destinations, about 3.7 million records, 10 incidents of each type.
export const QUALITY_RUN = { seed: 11, rate: 12, destinations: 150, incidents_per_type: 10 };

let dir: string;
let summary: ReplaySummary;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ew-quality-'));
  const { flows, truth } = generateTraffic(resolveGenerateOptions(QUALITY_RUN));
  const out = openFlowOutput(join(dir, 'flows.avro'));
  for (const f of flows) if (!out.write(f)) await out.drain();
  await out.close();
  await writeTruth(join(dir, 'truth.jsonl'), truth);
  summary = await replay({
    config: loadConfig('config/example.yaml'),
    input: join(dir, 'flows.avro'),
    output: null,
    truth: join(dir, 'truth.jsonl'),
    progress: false,
    log: () => {},
  });
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scorecard on generated traffic (seed 11)', () => {
  it('reads every record and finds no malformed one', () => {
    expect(summary.malformed).toBe(0);
    expect(summary.records).toBeGreaterThan(3_000_000);
  });

  for (const type of ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS', 'NEW_DESTINATION', 'GATEWAY_SILENT']) {
    it(`${type}: every incident found, no false alert`, () => {
      const row = summary.scorecard!.rows.find((r) => r.type === type)!;
      expect(row.incidents).toBe(10);
      expect(row.recall).toBe(1);
      expect(row.precision).toBe(1);
    });
  }

  for (const type of ['VOLUME_SPIKE', 'SUSTAINED_INCREASE']) {
    it(`${type}: recall and precision at least 0.9`, () => {
      const row = summary.scorecard!.rows.find((r) => r.type === type)!;
      expect(row.incidents).toBe(10);
      expect(row.recall).toBeGreaterThanOrEqual(0.9);
      expect(row.precision).toBeGreaterThanOrEqual(0.9);
    });
  }
});
