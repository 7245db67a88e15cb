// The wording of every alert type's reason, exactly: the rule or baseline by its config key,
// observed against expected in human units, the threshold, and what to check next.
import { beforeEach, describe, expect, it } from 'vitest';
import type { BaselineVerdict, WindowObservation } from '../../src/detectors/baseline/seasonal-baseline.js';
import type { FlowContext, WindowContext } from '../../src/detectors/detector.js';
import { gatewayBypass } from '../../src/detectors/gateway-bypass.js';
import { newDestination } from '../../src/detectors/new-destination.js';
import { residencyViolation } from '../../src/detectors/residency-violation.js';
import { cusumState, sustainedIncrease } from '../../src/detectors/sustained-increase.js';
import { unauthorizedPrincipal } from '../../src/detectors/unauthorized-principal.js';
import { volumeSpike } from '../../src/detectors/volume-spike.js';
import { compilePolicy } from '../../src/engine/policy.js';
import type { FlowRecord } from '../../src/engine/types.js';
import { flow, MIN, resetFlowIds, T0, testConfig } from '../engine/fixtures.js';

// testConfig: eu_user_data allowed in [EEA, GB], principals ["svc-eu-*", alice], require_gateway,
// learning period 1h. The fixture flow: svc-eu-export on 10.1.1.1 sends 1000 B through gw-1
// to api.example.eu [198.51.100.7] (DE).
const config = testConfig();
/** A growth fit restored from state written before it: unknown. */
const UNKNOWN_FIT = new Array(6).fill(Number.NaN);
const euUserData = compilePolicy(config).get('eu_user_data')!;

beforeEach(resetFlowIds);

function flowCtx(f: FlowRecord, destination = f.dst_host ?? f.dst_ip): FlowContext {
  return { flow: f, destination, policy: euUserData, firstEventMs: T0, earlier: [] };
}

describe('RESIDENCY_VIOLATION', () => {
  it('names the allowed_countries rule, the bytes against 0 B, and whose job to check', () => {
    const f = flow({ dst_host: null, dst_ip: '203.0.113.9', dst_country: 'US', bytes_out: 2_500_000 });
    expect(residencyViolation.scoreOne(undefined, flowCtx(f), config.detectors.residency_violation)).toStrictEqual({
      observed: 2_500_000,
      expected: 0,
      score: 1,
      threshold: 1,
      reason:
        'Residency rule policy.data_classes.eu_user_data.allowed_countries (EEA, GB) forbids US: svc-eu-export sent 2.5 MB of ' +
        'eu_user_data to 203.0.113.9 (US) against 0 B allowed (threshold: any byte). Check whether svc-eu-export\'s job was ' +
        'changed to send to US, and block 203.0.113.9 at the gateway if the transfer was not approved.',
    });
  });

  it('with no country and no principal, asks where the destination is and names the source address', () => {
    const f = flow({ dst_country: null, principal: null });
    expect(residencyViolation.scoreOne(undefined, flowCtx(f), config.detectors.residency_violation)?.reason).toBe(
      'Residency rule policy.data_classes.eu_user_data.allowed_countries (EEA, GB) forbids an unknown country: an unauthenticated ' +
        'principal on 10.1.1.1 sent 1 KB of eu_user_data to api.example.eu [198.51.100.7] (unknown country) against 0 B allowed ' +
        '(threshold: any byte). Find out where api.example.eu is (the gateway resolved no country) and whether the unauthenticated ' +
        'job on 10.1.1.1 may send there, and block api.example.eu at the gateway if the transfer was not approved.',
    );
  });
});

describe('UNAUTHORIZED_PRINCIPAL', () => {
  it('names the principals rule and who to ask', () => {
    const f = flow({ principal: 'mallory' });
    expect(unauthorizedPrincipal.scoreOne(undefined, flowCtx(f), config.detectors.unauthorized_principal)?.reason).toBe(
      'Principal rule policy.data_classes.eu_user_data.principals (svc-eu-*, alice) does not cover mallory: mallory sent 1 KB of ' +
        'eu_user_data to api.example.eu [198.51.100.7] (DE) against 0 B allowed (threshold: any byte). Ask mallory\'s owner ' +
        'whether access to eu_user_data was granted, and revoke the credential if not.',
    );
  });

  it('an unauthenticated flow: find the sender by its address', () => {
    const f = flow({ principal: null });
    expect(unauthorizedPrincipal.scoreOne(undefined, flowCtx(f), config.detectors.unauthorized_principal)?.reason).toBe(
      'Principal rule policy.data_classes.eu_user_data.principals (svc-eu-*, alice) does not cover an unauthenticated principal: ' +
        'an unauthenticated principal on 10.1.1.1 sent 1 KB of eu_user_data to api.example.eu [198.51.100.7] (DE) against 0 B ' +
        'allowed (threshold: any byte). Find who sends from 10.1.1.1 without authenticating, and make the gateway require a ' +
        'principal for eu_user_data.',
    );
  });
});

describe('GATEWAY_BYPASS', () => {
  it('names the require_gateway rule and the route to close', () => {
    const f = flow({ gateway_id: null, bytes_out: 1_234_567 });
    expect(gatewayBypass.scoreOne(undefined, flowCtx(f), config.detectors.gateway_bypass)?.reason).toBe(
      'Gateway rule policy.data_classes.eu_user_data.require_gateway is true: svc-eu-export sent 1.23 MB of eu_user_data from ' +
        '10.1.1.1 to api.example.eu [198.51.100.7] (DE) through no gateway, against 0 B allowed (threshold: any byte). Find the ' +
        'route from 10.1.1.1 that avoids the gateways and close it.',
    );
  });
});

describe('NEW_DESTINATION', () => {
  it('names the first-seen rule with its learning period and the processor to check', () => {
    const f = flow({ end_ms: T0 + 61 * MIN, dst_host: 'c.example', dst_country: 'FR', bytes_out: 52_000 });
    expect(newDestination.scoreOne(newDestination.init(), flowCtx(f), config.detectors.new_destination)).toStrictEqual({
      observed: 52_000,
      expected: 0,
      score: 1,
      threshold: 1,
      reason:
        'First-seen rule detectors.new_destination (learning period 1h): c.example [198.51.100.7] (FR) received 52 KB of ' +
        'eu_user_data from svc-eu-export for the first time, against 0 B of it in 1h of learning or since (threshold: the first ' +
        "flow after learning). Check that c.example is an approved processor for eu_user_data, and ask svc-eu-export's owner " +
        'why it started sending there.',
    });
  });
});

describe('an unauthenticated sender is named by its source address', () => {
  it('GATEWAY_BYPASS and NEW_DESTINATION', () => {
    const bypass = flow({ gateway_id: null, principal: null, src_ip: '10.2.3.4' });
    expect(gatewayBypass.scoreOne(undefined, flowCtx(bypass), config.detectors.gateway_bypass)?.reason).toBe(
      'Gateway rule policy.data_classes.eu_user_data.require_gateway is true: an unauthenticated principal on 10.2.3.4 sent 1 KB ' +
        'of eu_user_data from 10.2.3.4 to api.example.eu [198.51.100.7] (DE) through no gateway, against 0 B allowed (threshold: ' +
        'any byte). Find the route from 10.2.3.4 that avoids the gateways and close it.',
    );
    const fresh = flow({ end_ms: T0 + 2 * 60 * MIN, principal: null, dst_host: null, dst_ip: '203.0.113.50' });
    expect(newDestination.scoreOne(newDestination.init(), flowCtx(fresh), config.detectors.new_destination)?.reason).toBe(
      'First-seen rule detectors.new_destination (learning period 1h): 203.0.113.50 (DE) received 1 KB of eu_user_data from an ' +
        'unauthenticated principal on 10.1.1.1 for the first time, against 0 B of it in 1h of learning or since (threshold: the ' +
        'first flow after learning). Check that 203.0.113.50 is an approved processor for eu_user_data, and find who on 10.1.1.1 ' +
        'started sending there.',
    );
  });
});

function window(over: Partial<WindowObservation>): WindowObservation {
  return { start_ms: T0, end_ms: T0 + MIN, bytes: 0, flows: 0, packets: 0, sources: 1, hour: 9, weekday: 0, ...over };
}

function verdict(over: Partial<BaselineVerdict>): BaselineVerdict {
  return {
    features: new Float64Array(4),
    distance: 0,
    // No count below its expectation unless a test says so: the spike's distance is the distance.
    spikeDistance: over.distance ?? 0,
    residual: new Float64Array(4),
    sigma: Float64Array.of(1, 1, 1, 1),
    expectedBytes: 0,
    expectedFlows: 0,
    epoch: 0,
    dailyJob: false,
    dayKnown: true,
    runRatio: 0,
    previousBytesZ: 0,
    rareLevel: 0,
    runRecord: 0,
    lift: new Float64Array(4),
    // The weekday term as one log-space step (the sparse rate reading's): here the same.
    linearBytes: over.expectedBytes ?? 0,
    linearFlows: over.expectedFlows ?? 0,
    ...over,
  };
}

function windowCtx(destination: string, w: WindowObservation, baseline: BaselineVerdict): WindowContext {
  return { destination, window: w, baseline, learnedWindows: 100, learnedHours: 48, historyMs: 8 * 86_400_000, dailySpread: 0, warmupWindows: 60 };
}

describe('VOLUME_SPIKE', () => {
  const settings = { ...config.detectors.volume_spike, threshold: 6, min_bytes: 1_000_000 };

  it('names the baseline, bytes and flows/min against the expectation, the distance and its threshold', () => {
    const ctx = windowCtx(
      'api.example.eu',
      window({ bytes: 52_300_000, flows: 140, sources: 7 }),
      verdict({ distance: 9.8712, expectedBytes: 1_200_000, expectedFlows: 12.4 }),
    );
    expect(volumeSpike.scoreOne(volumeSpike.init(), ctx, settings)).toStrictEqual({
      observed: 52_300_000,
      expected: 1_200_000,
      score: 9.8712,
      threshold: 6,
      alert: true,
      reason:
        'Volume baseline of api.example.eu (detectors.volume_spike): 52.3 MB and 140 flows/min sent in one 1m window against ' +
        '1.2 MB and 12.4 flows/min expected (43.6x the bytes); Mahalanobis distance 9.87 > threshold 6. Identify the 7 sources ' +
        'and the principals behind the burst and confirm it was an approved transfer.',
      // The alert opens the detector's run: the baseline does not learn from the window.
      hold: true,
    });
  });

  it('counts flows per minute, not per window', () => {
    const ctx = windowCtx(
      '203.0.113.0/24',
      window({ end_ms: T0 + 5 * MIN, bytes: 8_000_000, flows: 140, sources: 1 }),
      verdict({ distance: 12.5, expectedBytes: 400_000, expectedFlows: 12.4 }),
    );
    expect(volumeSpike.scoreOne(volumeSpike.init(), ctx, settings).reason).toBe(
      'Volume baseline of 203.0.113.0/24 (detectors.volume_spike): 8 MB and 28 flows/min sent in one 5m window against ' +
        '400 KB and 2.48 flows/min expected (20.0x the bytes); Mahalanobis distance 12.50 > threshold 6. Identify the source ' +
        'and the principals behind the burst and confirm it was an approved transfer.',
    );
  });

  it('alerts on a burst that lasts: this window and the one before past the run level, scored on the threshold\'s scale', () => {
    // Bytes 5.5 sd above expectation here and 5 in the window before, both past the rare level (4)
    // and the run record (3.5): the smaller, 5, over the higher, 4, is 1.25 of the threshold, 7.5.
    const ctx = windowCtx(
      'files.example.net',
      window({ bytes: 150_000_000, flows: 6, sources: 1 }),
      verdict({ distance: 4.1, expectedBytes: 700_000, expectedFlows: 7.5, residual: Float64Array.of(5.5, 0, 0, 0), runRatio: 5 / 4, previousBytesZ: 5, rareLevel: 4, runRecord: 3.5 }),
    );
    expect(volumeSpike.scoreOne(volumeSpike.init(), ctx, settings)).toStrictEqual({
      observed: 150_000_000,
      expected: 700_000,
      score: 7.5,
      threshold: 6,
      alert: true,
      reason:
        'Volume baseline of files.example.net (detectors.volume_spike): 150 MB and 6 flows/min sent in one 1m window against ' +
        '700 KB and 7.5 flows/min expected (214.3x the bytes); bytes 5.50 sd above expectation in this window and 5.00 in its previous window with traffic, ' +
        'both past 4.00 sd, where its own tail puts 1 window in 3,000, and past 3.50 sd ' +
        '(a margin over the highest two windows in a row reached before, slowly forgotten); score 7.50 > threshold 6 ' +
        '(Mahalanobis distance 4.10): a burst that lasts, not one big transfer. Identify the source ' +
        'and the principals behind the burst and confirm it was an approved transfer.',
      hold: true,
    });
  });

  it('scores the distance with flows and sources below their expectation read as at it: more bytes in fewer flows alone does not alert', () => {
    // 30 MB in 3 flows against 4.8 MB in 12: the whole distance 7.2 (the flows' fall adds to
    // it), the spike's distance 4.1 (bytes and packets alone): below the threshold of 6.
    const ctx = windowCtx('files.example.net', window({ bytes: 30_000_000, flows: 3 }), verdict({ distance: 7.2, spikeDistance: 4.1, expectedBytes: 4_800_000, expectedFlows: 12 }));
    expect(volumeSpike.scoreOne(volumeSpike.init(), ctx, settings)).toMatchObject({ score: 4.1, alert: false, reason: '' });
  });

  it('words the distance it scored (flows below expectation read as at it), not the whole distance', () => {
    // Whole distance 9.5, the spike's 7.25: the score and the reason both read 7.25.
    const ctx = windowCtx('files.example.net', window({ bytes: 30_000_000, flows: 3 }), verdict({ distance: 9.5, spikeDistance: 7.25, expectedBytes: 1_000_000, expectedFlows: 12 }));
    expect(volumeSpike.scoreOne(volumeSpike.init(), ctx, settings)).toMatchObject({
      score: 7.25,
      alert: true,
      reason:
        'Volume baseline of files.example.net (detectors.volume_spike): 30 MB and 3 flows/min sent in one 1m window against ' +
        '1 MB and 12 flows/min expected (30.0x the bytes); Mahalanobis distance 7.25 > threshold 6. Identify the source ' +
        'and the principals behind the burst and confirm it was an approved transfer.',
    });
  });

  it('words nothing for a window that does not alert', () => {
    const ctx = windowCtx('api.example.eu', window({ bytes: 5_000_000, flows: 10 }), verdict({ distance: 2, expectedBytes: 4_000_000 }));
    expect(volumeSpike.scoreOne(volumeSpike.init(), ctx, settings)).toMatchObject({ alert: false, reason: '', hold: false });
  });
});

describe('SUSTAINED_INCREASE', () => {
  it('names the baseline, the run against its expectation in bytes and flows/min, and the CUSUM threshold', () => {
    // Nine windows in: the tenth (09:09-09:10) ends the 10-minute block, whose bytes are 2x
    // the expectation: y = ln 2 = 0.69 over a block sd of 0.3 is z = 2.3, clipped to 2;
    // less the allowance of 1, it tips the sum from 4.5 to 5.5.
    const state = cusumState({
      blocks: [
        { block: Math.floor(T0 / (10 * MIN)), bytes: 900e6, expected: 450e6, sum: 4.5, variance: 0.09, learnt: 100, mean: 0 },
      ],
      run: 9, runBytes: 900e6, runExpected: 450e6, runFlows: 2700, runStartMs: T0, runExpectedFlows: 1800,
      episode: { start: Number.NaN, above: 0, epoch: 0, level: 0, grownTo: 0, grownAt: Number.NaN },
    });
    const ctx = windowCtx(
      'cdn.example.com',
      window({ start_ms: T0 + 9 * MIN, end_ms: T0 + 10 * MIN, bytes: 100e6, flows: 300 }),
      verdict({ residual: Float64Array.of(2, 2, 0, 0), expectedBytes: 50e6, expectedFlows: 200 }),
    );
    const settings = { ...config.detectors.sustained_increase, threshold: 5, min_windows: 10 };
    expect(sustainedIncrease.scoreOne(state, ctx, settings)).toStrictEqual({
      observed: 1e9,
      expected: 500e6,
      score: 5.5,
      threshold: 5,
      alert: true,
      span: { start_ms: T0, flow_count: 3000, bytes: 1e9 },
      reason:
        'Volume baseline of cdn.example.com (detectors.sustained_increase): 1 GB and 300 flows/min sent over 10 windows (10m) ' +
        'against 500 MB and 200 flows/min expected (2.00x the bytes); CUSUM 5.50 > threshold 5. Check for a new job or ' +
        'principal exporting to cdn.example.com and whether the growth was planned.',
      hold: true,
    });
  });

  it('refuses a state of a length no layout had, naming the lengths it reads', () => {
    expect(() => sustainedIncrease.fromJSON(new Array(15).fill(0))).toThrow(
      'sustained_increase state: 15 numbers, expected 29 ending in 3 (or an older layout\'s 32, 22, 28, 26, 23 or at most 7)',
    );
  });

  it('reads the single-window CUSUM state written before block sums as no run open', () => {
    expect(sustainedIncrease.fromJSON([4.5, 9, 900e6, 450e6, 2700, T0])).toStrictEqual(sustainedIncrease.init());
    expect(sustainedIncrease.fromJSON([4.5, 9, 900e6, 450e6, 2700, T0, 1800])).toStrictEqual(sustainedIncrease.init());
  });

  it('round-trips its state through JSON, a closed episode (NaN) too', () => {
    const idle = sustainedIncrease.init();
    expect(sustainedIncrease.fromJSON(JSON.parse(JSON.stringify(sustainedIncrease.toJSON(idle))))).toStrictEqual(idle);
    const s = cusumState({
      blocks: [
        { block: 7, bytes: 1, expected: 2, sum: 3, variance: 0.5, learnt: 4, mean: 0.1 },
      ],
      run: 3, runBytes: 10, runExpected: 11, runFlows: 12, runStartMs: T0, runExpectedFlows: 13,
      episode: { start: T0, above: 1.5, epoch: 2, level: 0.4, grownTo: 0.35, grownAt: T0 + 20 * MIN },
    });
    expect(sustainedIncrease.fromJSON(JSON.parse(JSON.stringify(sustainedIncrease.toJSON(s))))).toStrictEqual(s);
  });

  it('reads state written before the rate reading (26 numbers, two block lengths): the 10-minute block\'s rate reading its expected bytes, no window seen; the hourly block dropped', () => {
    const old = [3, 10, 11, 12, T0, 13, T0, 1.5, 2, 0.4, 0.35, T0 + 20 * MIN, 7, 1, 2, 3, 0.5, 4, 0.1, -1, 0, 0, 7, 0.25, 9, -0.2];
    const read = sustainedIncrease.fromJSON(old);
    expect(read.length).toBe(28);
    expect(Array.from(read.subarray(12, 22))).toStrictEqual([7, 1, 2, 3, 0.5, 4, 0.1, 2, Number.NaN, 0]);
    expect(Array.from(read.subarray(0, 12))).toStrictEqual(old.slice(0, 12));
    // The growth fit unknown: an open run keeps the mark alone as its reading of growth.
    expect(Array.from(read.subarray(22))).toStrictEqual(UNKNOWN_FIT);
  });

  it('reads state written before episodes tracked growth: level 0, no growth yet (the run start stands in)', () => {
    // Two block lengths then (10 minutes, an hour): the 10-minute block carries on.
    const blocks = [{ block: 7, bytes: 1, expected: 2, sum: 3, variance: 0.5, learnt: 4, mean: 0.1 }];
    const old = [3, 10, 11, 12, T0, 13, T0, 1.5, 2, 7, 1, 2, 3, 0.5, 4, 0.1, 8, 5, 6, 7, 0.25, 9, -0.2];
    expect(sustainedIncrease.fromJSON(old)).toStrictEqual(
      cusumState({
        blocks, run: 3, runBytes: 10, runExpected: 11, runFlows: 12, runStartMs: T0, runExpectedFlows: 13,
        episode: { start: T0, above: 1.5, epoch: 2, level: 0, grownTo: 0, grownAt: Number.NaN },
        fit: UNKNOWN_FIT,
      }),
    );
  });

  it('reads state written while episodes kept two smoothings more (28 numbers): the first 26 as they were, the rate reading from the 10-minute block', () => {
    const blocks = [{ block: 7, bytes: 1, expected: 2, sum: 3, variance: 0.5, learnt: 4, mean: 0.1 }];
    const state = cusumState({
      blocks, run: 3, runBytes: 10, runExpected: 11, runFlows: 12, runStartMs: T0, runExpectedFlows: 13,
      episode: { start: T0, above: 1.5, epoch: 2, level: 0.4, grownTo: 0.35, grownAt: T0 + 20 * MIN },
      fit: UNKNOWN_FIT,
    });
    // The layout of then: the run and the episode, then 7 numbers per block length (10 minutes, an hour).
    const written = [3, 10, 11, 12, T0, 13, T0, 1.5, 2, 0.4, 0.35, T0 + 20 * MIN, 7, 1, 2, 3, 0.5, 4, 0.1, 8, 5, 6, 7, 0.25, 9, -0.2, 0.41, 0.3];
    expect(written.length).toBe(28);
    expect(sustainedIncrease.fromJSON(written)).toStrictEqual(state);
  });
});

