// `replay` writes a chained alert log; `verify --input` checks it and names the line of an edit.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { replay } from '../../src/cli/replay.js';
import { runVerify } from '../../src/cli/verify-command.js';
import { flow, MIN, T0, testConfig } from '../engine/fixtures.js';
import { tempDir } from '../io/fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('verify --input over a replay output', () => {
  it('finds the log intact, then names the line an edit broke', async () => {
    // Three residency violations 20 minutes apart (suppress_for 15m: three alerts).
    const flows = [0, 20, 40].map((m) => flow({ end_ms: T0 + m * MIN, dst_host: 'us.example', dst_ip: '203.0.113.9', dst_country: 'US' }));
    const input = tmp.file('flows.jsonl');
    writeFileSync(input, flows.map((f) => JSON.stringify(f)).join('\n') + '\n');
    const output = tmp.file('alerts.jsonl');
    const r = await replay({ config: testConfig(), input, output, progress: false, log: () => {} });
    expect(r.alerts.map((a) => [a.type, a.chain_id, a.chain_seq])).toEqual([
      ['RESIDENCY_VIOLATION', 'replay', 0],
      ['RESIDENCY_VIOLATION', 'replay', 1],
      ['RESIDENCY_VIOLATION', 'replay', 2],
    ]);
    const intact = await runVerify({ input: output });
    expect(intact.intact).toBe(true);
    expect(intact.lines[0]).toBe(`verify ${output}: 3 alerts, 0 repeated deliveries, 1 chain`);
    expect(intact.lines[1]).toBe(`  chain replay: seq 0..2 (3 links), head ${r.alerts[2].chain_hash}`);

    // An analyst "tidies up" the second alert's byte count.
    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    const edited = JSON.parse(lines[1]);
    edited.bytes = 1;
    lines[1] = JSON.stringify(edited);
    writeFileSync(output, lines.join('\n') + '\n');
    const broken = await runVerify({ input: output });
    expect(broken.intact).toBe(false);
    expect(broken.lines.slice(2)).toEqual([
      '  2 problems:',
      `    ${output}:2: chain replay seq 1: alert ${edited.alert_id} was altered: its fields do not hash to its chain_hash`,
      `    ${output}:3: chain replay seq 2: 1 alert missing before it (seq 1..1)`,
    ]);
  });
});
