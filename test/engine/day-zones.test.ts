// baseline.day_zones: a destination whose senders keep another zone's week takes its weekdays
// from that zone (src/engine/day-zones.ts). Without it the weekday slots switch at midnight of
// baseline.timezone, and a destination kept in Tokyo reads its every Monday, which begins at
// 15:00 UTC on Sunday, as growth against the Sunday slot (docs/detection-volume.md, limits).
import { describe, expect, it } from 'vitest';
import { Calendar } from '../../src/engine/calendar.js';
import { DayZones } from '../../src/engine/day-zones.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord } from '../../src/engine/types.js';
import { testConfig } from './fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Friday 2026-03-06 00:00 in Tokyo (UTC+9, no daylight saving): Thursday 15:00 UTC. */
const TOKYO_FRIDAY = Date.UTC(2026, 2, 5, 15);

describe('which calendar a destination keeps its days in', () => {
  const main = new Calendar('UTC');
  const zones = new DayZones(
    [
      { destination: '*.jp.example', timezone: 'Asia/Tokyo' },
      { destination: 'api.jp.example', timezone: 'America/Denver' },
      { destination: '*.us.example', timezone: 'America/Denver' },
    ],
    main,
  );

  it('the first entry whose glob matches (case-insensitive), else baseline.timezone', () => {
    const at = Date.UTC(2026, 2, 8, 16); // Sunday 16:00 UTC
    const day = (d: string) => zones.resolve(d).at(at);
    expect(day('api.jp.example')).toMatchObject({ weekday: 0, hour: 1, dayBucket: 20260309 }); // Monday 01:00 in Tokyo
    expect(day('API.JP.EXAMPLE')).toMatchObject({ weekday: 0, hour: 1 });
    expect(day('sftp.us.example')).toMatchObject({ weekday: 6, hour: 10, dayBucket: 20260308 }); // Sunday 10:00 in Denver (MDT, UTC-6, from 02:00 that day)
    expect(zones.resolve('api.example.com')).toBe(main);
  });
});

/** The next value of a linear congruential sequence (deterministic sizes). */
function nextLcg(x: number): number {
  return (x * 1103515245 + 12345) % 2147483648;
}

/** One flow to api.jp.example at `t` of 10 KB times a factor in [0.7, 1.3] read from `x`. */
function flowOf(id: string, t: number, x: number): FlowRecord {
  return {
    flow_id: id, gateway_id: 'gw-1', start_ms: t, end_ms: t + 500,
    src_ip: '10.1.1.1', dst_ip: '198.51.100.7', src_port: 40000 + (Math.floor(t / 1000) % 60), dst_port: 443, protocol: 6,
    dst_host: 'api.jp.example', dst_country: 'DE', bytes_out: Math.round(10_000 * (0.7 + 0.6 * (x / 2147483648))), bytes_in: 100,
    packets_out: 10, packets_in: 1, data_class: null, principal: null,
  };
}

/**
 * One destination whose week is Tokyo's, from a Friday there for `days` days: every minute 3
 * flows on its weekend and 6 on its weekdays, of 10 KB times a deterministic factor in [0.7,
 * 1.3] (a linear congruential sequence); hours of the day alike.
 */
function tokyoTraffic(days: number): FlowRecord[] {
  const flows: FlowRecord[] = [];
  let x = 12345;
  for (let m = 0; m < (days * DAY) / MINUTE; m++) {
    const t = TOKYO_FRIDAY + m * MINUTE;
    const weekend = [1, 2].includes(Math.floor((t - TOKYO_FRIDAY) / DAY) % 7); // Saturday and Sunday in Tokyo
    const n = weekend ? 3 : 6;
    for (let i = 0; i < n; i++) {
      x = nextLcg(x);
      flows.push(flowOf(`t${m}-${i}`, t + i * 1000, x));
    }
  }
  return flows;
}

/**
 * Traffic on Tokyo's clock from Friday 09:00 there (a partial first day, as most first days
 * are): per minute 6 flows on its weekdays, 3 at its weekends, a third of that (at least 1)
 * from 00:00 to 06:59 there; sizes as tokyoTraffic's.
 */
function tokyoClockTraffic(days: number): FlowRecord[] {
  const start = TOKYO_FRIDAY + 9 * HOUR;
  let x = 777;
  const flows: FlowRecord[] = [];
  for (let m = 0; m < (days * DAY) / MINUTE; m++) {
    const t = start + m * MINUTE;
    const weekend = [1, 2].includes(Math.floor((t - TOKYO_FRIDAY) / DAY) % 7);
    const night = (t - TOKYO_FRIDAY) % DAY < 7 * HOUR;
    const n = Math.max(1, Math.round((weekend ? 3 : 6) / (night ? 3 : 1)));
    for (let i = 0; i < n; i++) {
      x = nextLcg(x);
      flows.push(flowOf(`k${m}-${i}`, t + i * 1000, x));
    }
  }
  return flows;
}

/** Every volume detector's score of every window: detector, window start, expected bytes, score. */
function windowScores(flows: FlowRecord[], extra: string): string[] {
  const out: string[] = [];
  const p = new Pipeline(testConfig(extra), {
    onWindowScore: (w) => {
      if (w.detector === 'VOLUME_SPIKE' || w.detector === 'SUSTAINED_INCREASE') out.push(`${w.detector} ${w.window_start_ms} ${w.expected} ${w.score}`);
    },
  });
  for (const f of flows) p.push(f);
  p.finish();
  return out;
}

function volumeAlerts(flows: FlowRecord[], extra = ''): Alert[] {
  const p = new Pipeline(testConfig(extra));
  const out: Alert[] = [];
  for (const f of flows) out.push(...p.push(f));
  out.push(...p.finish());
  return out.filter((a) => a.type === 'SUSTAINED_INCREASE' || a.type === 'VOLUME_SPIKE');
}

describe('a destination that keeps Tokyo\'s week, judged in UTC', () => {
  const flows = tokyoTraffic(17); // Friday 6 March to Monday 23 March in Tokyo: three weekends

  it('without day_zones, reads the Monday that begins at 15:00 UTC on Sunday as growth, and a Friday against a slot that learnt a Saturday', () => {
    const opened = volumeAlerts(flows)
      .filter((a) => a.incident_state === 'OPEN')
      .map((a) => [a.type, new Date(a.window_start_ms).toISOString(), (a.observed / a.expected).toFixed(2)]);
    expect(opened).toEqual([
      // Sunday 15:09 UTC is Monday 00:09 in Tokyo: a weekday's 6 flows a minute against the Sunday slot.
      ['SUSTAINED_INCREASE', '2026-03-15T15:09:00.000Z', '1.48'],
      // UTC's Friday holds Tokyo's Friday from 09:00 and its Saturday to 09:00, so its slot learnt
      // a day below a weekday: Friday 10:39 in Tokyo reads high against it.
      ['SUSTAINED_INCREASE', '2026-03-20T01:39:00.000Z', '1.34'],
    ]);
  });

  it('with its zone in day_zones, raises nothing', () => {
    expect(volumeAlerts(flows, 'baseline:\n  day_zones:\n    - {destination: "*.jp.example", timezone: Asia/Tokyo}\n')).toEqual([]);
  });
});

describe('days in a zone of whole hours, hours in UTC', () => {
  it('score every window as baseline.timezone set to that zone does (its hour slots are the same hours, named 9 apart)', () => {
    const flows = tokyoClockTraffic(17);
    const zoned = windowScores(flows, 'baseline:\n  day_zones:\n    - {destination: "*", timezone: Asia/Tokyo}\n');
    const tokyo = windowScores(flows, 'baseline:\n  timezone: Asia/Tokyo\n');
    expect(zoned.length).toBe(2 * 17 * 1440);
    expect(zoned).toEqual(tokyo);
    // And differ from UTC's days: the zone is what makes them equal.
    expect(windowScores(flows, '')).not.toEqual(tokyo);
  });
});

