// `replay --format`: the same alerts written as json, ocsf or ecs JSON Lines, or as an Avro
// container file; each read back gives the alerts the replay returned.
import { readFileSync, writeFileSync } from 'node:fs';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay, type ReplaySummary } from '../../src/cli/replay.js';
import type { Alert } from '../../src/engine/types.js';
import { decodeAlert } from '../../src/io/wire.js';
import { flow, resetFlowIds, T0, testConfig } from '../engine/fixtures.js';
import { tempDir } from '../io/fixtures.js';

const tmp = tempDir();
let input: string;

beforeAll(() => {
  resetFlowIds();
  input = tmp.file('flows.jsonl');
  const flows = [
    flow({ dst_host: 'x.example', dst_country: 'US', end_ms: T0 }), // residency
    flow({ dst_host: 'y.example', gateway_id: null, end_ms: T0 + 1000 }), // bypass
  ];
  writeFileSync(input, flows.map((f) => JSON.stringify(f)).join('\n') + '\n');
});
afterAll(() => tmp.remove());

async function run(format: 'json' | 'avro' | 'ocsf' | 'ecs', output: string): Promise<ReplaySummary> {
  return replay({ config: testConfig(), input, output, format, progress: false, log: () => {} });
}

function readLines(path: string): Alert[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const decoded = decodeAlert(Buffer.from(line), 'json');
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.alert;
    });
}

describe('replay --format', () => {
  it('writes the same two alerts in each JSON format', async () => {
    const reference = await run('json', tmp.file('alerts.json.jsonl'));
    expect(reference.alerts.map((a) => a.type)).toEqual(['RESIDENCY_VIOLATION', 'GATEWAY_BYPASS']);
    const expected = readLines(tmp.file('alerts.json.jsonl'));
    for (const format of ['ocsf', 'ecs'] as const) {
      const path = tmp.file(`alerts.${format}.jsonl`);
      const summary = await run(format, path);
      expect(summary.alerts).toStrictEqual(reference.alerts);
      const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      if (format === 'ocsf') expect(lines.map((l) => [l.class_uid, l.type_uid])).toEqual([[2004, 200401], [2004, 200401]]);
      else expect(lines.map((l) => (l.event as { kind: string }).kind)).toEqual(['alert', 'alert']);
      expect(readLines(path)).toStrictEqual(expected);
    }
  });

  it('writes an Avro container of the alert schema', async () => {
    const path = tmp.file('alerts.avro');
    const summary = await run('avro', path);
    const records: Alert[] = [];
    await new Promise<void>((resolve, reject) => {
      avro.createFileDecoder(path).on('data', (r: Alert) => records.push({ ...r })).on('end', resolve).on('error', reject);
    });
    const decoded = records.map((r) => {
      const d = decodeAlert(Buffer.from(JSON.stringify(r)), 'json');
      if (!d.ok) throw new Error(d.reason);
      return d.alert;
    });
    expect(decoded).toStrictEqual(readLines(tmp.file('alerts.json.jsonl')));
    expect(summary.alerts).toHaveLength(2);
  });

  it('refuses Avro to stdout before reading anything', async () => {
    await expect(run('avro', '-')).rejects.toThrow('--format avro writes an Avro container file: give --output <file>.avro, not stdout');
  });
});
