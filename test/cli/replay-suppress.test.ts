// `replay` with suppressions written in the config: covered alerts leave --output for
// --suppressed (each with its suppression), the summary counts them, an expiry at the
// alert's event time no longer covers it, and suppressing a VOLUME_SPIKE changes nothing
// the baseline learns: detection runs first, the shell suppresses after it.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { replay } from '../../src/cli/replay.js';
import { parseConfig } from '../../src/config/load.js';
import type { Alert, FlowRecord } from '../../src/engine/types.js';
import { tempDir } from '../io/fixtures.js';
import { alertTraffic, flow, SEC, serviceYaml, T0, uniqueTopics } from '../kafka/helpers/service-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const iso = (ms: number) => new Date(ms).toISOString();

function suppressionYaml(entries: Array<{ id: string; scope: string; expires: number }>): string {
  return [
    'suppressions:',
    '  entries:',
    ...entries.flatMap((e) => [
      `    - id: ${e.id}`,
      `      scope: ${e.scope}`,
      '      reason: known and benign',
      '      owner: alice',
      `      created_at: ${iso(T0 - 86_400_000)}`,
      `      expires_at: ${iso(e.expires)}`,
    ]),
  ].join('\n');
}

function configWith(entries: Parameters<typeof suppressionYaml>[0]) {
  // The service tests' small-window config (10 s windows, warm-up 3); the Kafka part is unused here.
  return parseConfig(serviceYaml('127.0.0.1:9', uniqueTopics('replay'), { extra: suppressionYaml(entries) }), 'replay-suppress.yaml');
}

function writeFlows(name: string, flows: FlowRecord[]): string {
  const path = tmp.file(name);
  writeFileSync(path, flows.map((f) => JSON.stringify(f)).join('\n') + '\n');
  return path;
}

function readJsonl(path: string): Alert[] {
  const text = readFileSync(path, 'utf8').trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as Alert);
}

const kinds = (alerts: Alert[]) => alerts.map((a) => `${a.type} ${a.destination}`).sort();

describe('replay with suppressions in the config', () => {
  it('moves covered alerts to --suppressed with their suppression and counts them; an expiry at the event time does not cover', async () => {
    const input = writeFlows('alerts.jsonl', alertTraffic().flows);
    const config = configWith([
      { id: 'us-residency', scope: '{destination: us.example.com, type: RESIDENCY_VIOLATION}', expires: T0 + 3_600_000 },
      // The UNAUTHORIZED_PRINCIPAL alert is detected at T0+12 s, the expiry: no longer covered.
      { id: 'crm-expired', scope: '{destination: crm.example.eu, principal: mallory}', expires: T0 + 12 * SEC },
      // Another type at the same destination: the GATEWAY_BYPASS alert is not covered.
      { id: 'files-spike', scope: '{destination: files.example.eu, type: VOLUME_SPIKE}', expires: T0 + 3_600_000 },
    ]);
    const output = tmp.file('incidents.jsonl');
    const suppressedFile = tmp.file('suppressed.jsonl');
    const log: string[] = [];
    const summary = await replay({ config, input, output, suppressed: suppressedFile, progress: false, log: (l) => log.push(l) });

    expect(kinds(summary.alerts)).toEqual([
      'GATEWAY_BYPASS files.example.eu',
      'NEW_DESTINATION new.example.eu',
      'UNAUTHORIZED_PRINCIPAL crm.example.eu',
      'VOLUME_SPIKE steady.example.eu',
    ]);
    expect(kinds(readJsonl(output))).toEqual(kinds(summary.alerts));
    expect(summary.alerts.find((a) => a.type === 'UNAUTHORIZED_PRINCIPAL')?.detected_at_ms).toBe(T0 + 12 * SEC);
    const suppressed = readJsonl(suppressedFile);
    expect(kinds(suppressed)).toEqual(['RESIDENCY_VIOLATION us.example.com']);
    expect(suppressed[0].suppressed_by).toEqual({
      id: 'us-residency',
      scope: { type: 'RESIDENCY_VIOLATION', destination: 'us.example.com', data_class: null, principal: null },
      reason: 'known and benign',
      owner: 'alice',
      created_at_ms: T0 - 86_400_000,
      expires_at_ms: T0 + 3_600_000,
    });
    expect(summary.suppressed).toHaveLength(1);
    expect(log).toContain('  alerts 4: UNAUTHORIZED_PRINCIPAL 1, GATEWAY_BYPASS 1, NEW_DESTINATION 1, VOLUME_SPIKE 1');
    expect(log).toContain('  suppressed 1 (not in the alerts): us-residency 1');
  });

  it('a suppressed VOLUME_SPIKE is still not learnt as normal: an identical second spike is detected again, exactly as without the suppression', async () => {
    // steady.example.eu: 1 KB per 10 s window; windows 6 and 9 carry the same spike (40 x 100 KB).
    const flows: FlowRecord[] = [];
    for (let w = 0; w < 12; w++) {
      const spike = w === 6 || w === 9;
      for (let i = 0; i < (spike ? 40 : 1); i++) {
        flows.push(flow({ dst_host: 'steady.example.eu', end_ms: T0 + w * 10 * SEC + SEC + i * 100, bytes_out: spike ? 100_000 : 1000, src_ip: `10.1.1.${1 + (i % 5)}` }));
      }
    }
    const input = writeFlows('spikes.jsonl', flows);
    const quiet = { progress: false, log: () => {} };
    const plain = await replay({ config: configWith([]), input, output: null, ...quiet });
    const marked = await replay({
      config: configWith([{ id: 'steady-spikes', scope: '{destination: steady.example.eu, type: VOLUME_SPIKE}', expires: T0 + 3_600_000 }]),
      input,
      output: null,
      ...quiet,
    });

    const spikes = (alerts: Alert[]) => alerts.filter((a) => a.type === 'VOLUME_SPIKE').map((a) => a.window_start_ms);
    expect(spikes(plain.alerts)).toEqual([T0 + 60 * SEC, T0 + 90 * SEC]);
    expect(spikes(marked.alerts)).toEqual([]);
    expect(spikes(marked.suppressed)).toEqual([T0 + 60 * SEC, T0 + 90 * SEC]);
    // Same evidence, same scores: the suppression changed where the alerts went, not what was learnt.
    // (The chain links differ: the two runs chain different alerts.)
    const strip = (a: Alert) => ({ ...a, suppressed_by: undefined, config_version: undefined, alert_id: undefined, chain_id: undefined, chain_seq: undefined, chain_prev: undefined, chain_hash: undefined });
    expect(marked.suppressed.map(strip)).toEqual(plain.alerts.filter((a) => a.type === 'VOLUME_SPIKE').map(strip));
  });
});
