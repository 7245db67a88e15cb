// NEW_DESTINATION's state: the classes a destination has received, sorted, one entry each,
// in the changelog as the sorted list it always was (so entries written by a Set-based
// state read back the same).
import { describe, expect, it } from 'vitest';
import type { FlowContext } from '../../src/detectors/detector.js';
import { newDestination } from '../../src/detectors/new-destination.js';
import { compilePolicy } from '../../src/engine/policy.js';
import { flow, T0, testConfig } from '../engine/fixtures.js';

const config = testConfig();
const policy = compilePolicy(config);

function ctx(dataClass: string | null): FlowContext {
  const f = flow({ data_class: dataClass, end_ms: T0 + 2 * 3_600_000 });
  return { flow: f, destination: 'api.example.eu', policy: dataClass === null ? undefined : policy.get(dataClass), firstEventMs: T0, earlier: [] };
}

describe('NEW_DESTINATION state', () => {
  it('learns each class once, keeps them sorted, and no longer alerts on a learnt one', () => {
    const known = newDestination.init();
    expect(newDestination.learnOne(known, ctx('telemetry'))).toBe(true);
    expect(newDestination.learnOne(known, ctx(null))).toBe(false);
    expect(newDestination.learnOne(known, ctx('eu_user_data'))).toBe(true);
    expect(newDestination.learnOne(known, ctx('telemetry'))).toBe(false);
    expect(known.classes).toEqual(['eu_user_data', 'telemetry']);
    expect(newDestination.scoreOne(known, ctx('eu_user_data'), config.detectors.new_destination)).toBeNull();
    expect(newDestination.scoreOne(known, ctx('payment_data'), config.detectors.new_destination)).not.toBeNull();
  });

  it('reads and writes the changelog as a sorted list, as the Set-based state wrote it', () => {
    const fromOld = newDestination.fromJSON(['eu_user_data', 'telemetry']);
    expect(fromOld.classes).toEqual(['eu_user_data', 'telemetry']);
    expect(newDestination.toJSON(fromOld)).toEqual(['eu_user_data', 'telemetry']);
    expect(newDestination.toJSON(newDestination.fromJSON([]))).toEqual([]);
    // A list out of order (never written, but read as sorted whatever wrote it).
    expect(newDestination.fromJSON(['b', 'a']).classes).toEqual(['a', 'b']);
  });

  it('is kept when its destination goes idle (baseline.idle_ttl) once it knows a class', () => {
    expect(newDestination.keepWhenIdle!(newDestination.init())).toBe(false);
    expect(newDestination.keepWhenIdle!(newDestination.fromJSON([]))).toBe(false);
    expect(newDestination.keepWhenIdle!(newDestination.fromJSON(['eu_user_data']))).toBe(true);
  });
});
