// `replay` over a real file with event-time trouble: a record from a broken clock years
// ahead (rejected with its reason, like a malformed one), a flow delivered twice (counted
// once), one out of order and one late; the summary counts each.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { replay } from '../../src/cli/replay.js';
import { flow, MIN, T0, testConfig } from '../engine/fixtures.js';
import { tempDir } from '../io/fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const NOW = Date.parse('2026-11-23T17:00:00.000Z');
const SEC = 1000;

describe('replay: event time', () => {
  it('rejects a record too far ahead of processing time with the reason and counts duplicates, late and out-of-order records', async () => {
    const input = tmp.file('flows.jsonl');
    const other = { dst_host: 'y.example', data_class: null };
    const lines = [
      flow({ flow_id: 'c1', gateway_id: 'gw-a', dst_host: 'x.example', dst_country: 'US', end_ms: T0 }), // residency
      flow({ flow_id: 'c1', gateway_id: 'gw-b', dst_host: 'x.example', dst_country: 'US', end_ms: T0 + 2 * SEC }), // the same connection again
      flow({ flow_id: 'c2', gateway_id: 'gw-a', ...other, end_ms: Date.parse('2031-01-01T00:00:00.000Z') }), // a broken clock
      null, // malformed
      flow({ flow_id: 'c3', gateway_id: 'gw-a', ...other, end_ms: T0 + 10 * SEC }),
      flow({ flow_id: 'c4', gateway_id: 'gw-a', ...other, end_ms: T0 + 5 * SEC }), // out of order, window still open
      flow({ flow_id: 'c5', gateway_id: 'gw-a', ...other, end_ms: T0 + 20 * MIN }),
      flow({ flow_id: 'c6', gateway_id: 'gw-a', ...other, end_ms: T0 + 20 * MIN + SEC }), // gw-b is idle from here
      flow({ flow_id: 'c7', gateway_id: 'gw-a', ...other, end_ms: T0 + 1 * MIN }), // late
    ];
    writeFileSync(input, lines.map((f) => (f === null ? '{"flow_id": ' : JSON.stringify(f))).join('\n') + '\n');
    const log: string[] = [];
    const rejects = tmp.file('rejects.jsonl');
    const summary = await replay({ config: testConfig(), input, output: null, rejects, progress: false, log: (l) => log.push(l), processingTimeMs: NOW });

    const tooFar =
      'event time 2031-01-01T00:00:00.000Z is 1499d 7h ahead of processing time 2026-11-23T17:00:00.000Z; bound windows.max_future=1h';
    expect(log[0]).toBe(`flows.jsonl:3: ${tooFar}`);
    expect(log[1]).toMatch(/^flows\.jsonl:4: invalid JSON/);
    const rejected = readFileSync(rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { where: string; reason: string });
    expect(rejected.map((r) => r.where)).toEqual(['flows.jsonl:3', 'flows.jsonl:4']);
    expect(rejected[0].reason).toBe(tooFar);

    expect(summary).toMatchObject({ records: 9, malformed: 1, tooFarAhead: 1, processed: 7, duplicates: 1, late: 1, outOfOrder: 1, destinations: 2 });
    // One alert: the copy neither alerts again nor is folded into a follow-up.
    expect(summary.alerts.map((a) => [a.type, a.destination, a.flow_count])).toEqual([['RESIDENCY_VIOLATION', 'x.example', 1]]);
    expect(log).toContain('  processed 7, malformed 1, too far ahead 1, internal (not egress) 0, destinations 2');
    expect(log).toContain('  event time: duplicates 1, late 1, out of order 1');
  });
});
