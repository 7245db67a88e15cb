// Where NEW_DESTINATION's learning period counts from: the first record's event time, moved
// back only by a record within allowed_lateness of the newest (records out of order at the
// start), never by a stale one. Found by the independent policy check
// (bench/independent/policy_edges.py, case stale_mid_record): a gateway flushing a record of
// two days ago ended the learning period at once, and every new pair after it alerted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord } from '../../src/engine/types.js';
import { flow, MIN, T0, testConfig } from './fixtures.js';

const DAY = 24 * 60 * MIN;
const SEC = 1000;

/** The alert types of a run of flows through the Pipeline (watermarks as the shells move them). */
function typesOf(flows: FlowRecord[], config = testConfig()): string[] {
  const p = new Pipeline(config);
  const out: Alert[] = [];
  for (const f of flows) out.push(...p.push(f));
  out.push(...p.finish());
  return out.filter((a) => a.incident_state !== 'CLOSED').map((a) => `${a.type} ${a.destination}`);
}

describe('the learning period of NEW_DESTINATION (learning_period 1h in testConfig)', () => {
  it('a stale record in the middle of the stream does not end it', () => {
    const types = typesOf([
      flow({ end_ms: T0, dst_host: 'a.example' }),
      flow({ end_ms: T0 + 10 * MIN, dst_host: 'a.example' }),
      flow({ end_ms: T0 - 2 * DAY, dst_host: 'old.example' }), // two days old: late, learnt, no start
      flow({ end_ms: T0 + 30 * MIN, dst_host: 'b.example' }), // 30 minutes in: still learning
      flow({ end_ms: T0 + 61 * MIN, dst_host: 'c.example' }), // 61 minutes in: learnt
    ]);
    expect(types).toEqual(['NEW_DESTINATION c.example']);
  });

  it('a record out of order within allowed_lateness (30s) at the start moves it back', () => {
    const engine = new Engine(testConfig());
    expect(engine.process(flow({ end_ms: T0, dst_host: 'a.example' }))).toEqual([]);
    expect(engine.process(flow({ end_ms: T0 - 20 * SEC, dst_host: 'a.example' }))).toEqual([]); // the start is now T0-20s
    // T0-20s + 1h = T0+59m40s: a pair first seen at T0+59m50s is past the learning period.
    const at = engine.process(flow({ end_ms: T0 + 59 * MIN + 50 * SEC, dst_host: 'b.example' }));
    expect(at.map((a) => a.type)).toEqual(['NEW_DESTINATION']);
  });

  it('a record older than allowed_lateness does not move it back, and a pair it brings is learnt without an alert', () => {
    const engine = new Engine(testConfig());
    expect(engine.process(flow({ end_ms: T0, dst_host: 'a.example' }))).toEqual([]);
    expect(engine.process(flow({ end_ms: T0 - 31 * SEC, dst_host: 'b.example' }))).toEqual([]); // 31s behind: stale
    // The start stays T0: T0+59m50s is still learning (it would not be from T0-31s).
    expect(engine.process(flow({ end_ms: T0 + 59 * MIN + 50 * SEC, dst_host: 'c.example' }))).toEqual([]);
    expect(engine.process(flow({ end_ms: T0 + 60 * MIN, dst_host: 'b.example' }))).toEqual([]); // known since its stale flow
    expect(engine.process(flow({ end_ms: T0 + 60 * MIN, dst_host: 'd.example' })).map((a) => a.type)).toEqual(['NEW_DESTINATION']);
  });

  it('the bound is inclusive: exactly allowed_lateness behind moves it back, a millisecond more does not', () => {
    const at30 = new Engine(testConfig());
    at30.process(flow({ end_ms: T0, dst_host: 'a.example' }));
    at30.process(flow({ end_ms: T0 - 30 * SEC, dst_host: 'a.example' })); // the start is now T0-30s
    // T0-30s + 1h = T0+59m30s: past the learning period from there.
    expect(at30.process(flow({ end_ms: T0 + 59 * MIN + 30 * SEC, dst_host: 'b.example' })).map((a) => a.type)).toEqual(['NEW_DESTINATION']);
    const past30 = new Engine(testConfig());
    past30.process(flow({ end_ms: T0, dst_host: 'a.example' }));
    past30.process(flow({ end_ms: T0 - 30 * SEC - 1, dst_host: 'a.example' })); // stale: the start stays T0
    expect(past30.process(flow({ end_ms: T0 + 59 * MIN + 30 * SEC, dst_host: 'b.example' }))).toEqual([]);
  });

  it("the independent check's fixture raises nothing", () => {
    const dir = join('test', 'fixtures', 'independent-policy', 'stale-record-ends-learning');
    const config = loadConfig(join(dir, 'config.yaml'));
    const flows = readFileSync(join(dir, 'flows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FlowRecord);
    expect(flows).toHaveLength(5);
    expect(typesOf(flows, config)).toEqual([]);
  });
});
