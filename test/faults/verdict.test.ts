// The fault suite's accounting on hand-made topic contents: two partitions, four produced
// records (one malformed), a crash's copies on the repartition and dead-letter topics, and a
// changelog whose latest values and progress markers are known.
import { describe, expect, it } from 'vitest';
import type { Alert, AlertType, FlowRecord } from '../../src/engine/types.js';
import type { TopicRecord } from '../../src/faults/read-back.js';
import { diffState, judge, latestState, type Evidence } from '../../src/faults/verdict.js';
import type { WorkloadRecord } from '../../src/faults/workload.js';
import type { Incident } from '../../src/generate/types.js';
import { progressEntry, type Progress } from '../../src/kafka/progress.js';
import { encodePack } from '../../src/kafka/repartition-pack.js';

const FLOWS = 'run.flows';
const T = Date.UTC(2026, 0, 6, 12);

function flow(id: string): FlowRecord {
  return {
    flow_id: id, gateway_id: 'gw-1', start_ms: T - 1000, end_ms: T, src_ip: '10.0.0.1', dst_ip: '198.51.100.1', src_port: 1, dst_port: 443,
    protocol: 6, dst_host: 'x.example.com', dst_country: 'US', bytes_out: 1, bytes_in: 1, packets_out: 1, packets_in: 1, data_class: null, principal: null,
  };
}

const produced: WorkloadRecord[] = [
  { key: 'x', partition: 0, value: Buffer.from('f1'), flow: flow('f1') },
  { key: 'm', partition: 0, value: Buffer.from('{bad'), flow: null },
  { key: 'y', partition: 1, value: Buffer.from('f3'), flow: flow('f3') },
  { key: 'x', partition: 0, value: Buffer.from('f2'), flow: flow('f2') },
];

const rec = (partition: number, offset: number, value: string | null, headers: Record<string, string> = {}, key: string | null = null): TopicRecord => ({
  partition, offset, key, value: value === null ? null : Buffer.from(value), headers, timestamp: 0,
});
const src = (partition: number, offset: number, topic = FLOWS) => ({ 'x-source-topic': topic, 'x-source-partition': String(partition), 'x-source-offset': String(offset) });
// A marker as written before markers carried chain heads: the verdict reads only topic, next and sources.
const progress = (next: number) => progressEntry({ topic: 'run.repartition', next, sources: {} } as unknown as Progress).value;

function alert(id: string, type: AlertType, destination = 'x.example.com'): Alert {
  return {
    alert_id: id, type, severity: 'HIGH', destination, dst_country: 'US', data_class: null, principal: null, gateway_id: 'gw-1',
    window_start_ms: T, window_end_ms: T, flow_count: 1, bytes: 1, observed: 1, expected: 0, score: 1, threshold: 1, reason: 'r',
    sample_flow_ids: [], config_version: 'v', detected_at_ms: T,
  };
}

const truth: Incident[] = [
  { incident_id: 'i1', type: 'RESIDENCY_VIOLATION', destination: 'x.example.com', data_class: null, principal: null, start_ms: T - 5000, end_ms: T + 5000 },
  { incident_id: 'i2', type: 'VOLUME_SPIKE', destination: 'y.example.com', data_class: null, principal: null, start_ms: T - 5000, end_ms: T + 5000 },
];

function evidence(over: Partial<Evidence> = {}): Evidence {
  return {
    partitions: 2,
    flowsTopic: FLOWS,
    produced,
    flows: [rec(0, 0, 'f1'), rec(0, 1, '{bad'), rec(0, 2, 'f2'), rec(1, 0, 'f3')],
    // f1 forwarded twice (a forwarder crashed after producing, before committing).
    repartition: [rec(0, 0, 'f1', src(0, 0)), rec(0, 1, 'f2', src(0, 2)), rec(0, 2, 'f1', src(0, 0)), rec(1, 0, 'f3', src(1, 0))],
    // The malformed record dead-lettered twice for the same reason.
    deadLetters: [rec(0, 0, '{bad', src(0, 1)), rec(0, 1, '{bad', src(0, 1))],
    alerts: [alert('a1', 'RESIDENCY_VIOLATION'), alert('a2', 'VOLUME_SPIKE', 'y.example.com'), alert('a1', 'RESIDENCY_VIOLATION')],
    changelog: [
      rec(0, 0, 'A0', {}, 'd:x.example.com'),
      rec(0, 1, progress(2), {}, 'x:progress'),
      rec(0, 2, 'A1', {}, 'd:x.example.com'),
      rec(0, 3, progress(3), {}, 'x:progress'),
      rec(1, 0, 'B', {}, 'd:y.example.com'),
      rec(1, 1, 'gone', {}, 'd:z.example.com'),
      rec(1, 2, null, {}, 'd:z.example.com'),
      rec(1, 3, progress(1), {}, 'x:progress'),
    ],
    reference: {
      alerts: [alert('a1', 'RESIDENCY_VIOLATION'), alert('a2', 'VOLUME_SPIKE', 'y.example.com')],
      states: [new Map([['d:x.example.com', 'A1']]), new Map([['d:y.example.com', 'B']])],
      records: 3,
    },
    truth,
    ...over,
  };
}

describe('judge', () => {
  it('accounts every record once and counts copies and duplicates apart', () => {
    const f = judge(evidence());
    expect(f.checks.filter((c) => !c.ok)).toEqual([]);
    expect({
      produced: f.produced, malformed: f.malformedProduced, forwarded: f.forwarded, forwardCopies: f.forwardCopies,
      deadLettered: f.deadLettered, deadLetterCopies: f.deadLetterCopies, processed: f.processed, unaccounted: f.unaccounted,
      alertRecords: f.alertRecords, alertIds: f.alertIds, lost: f.lost, invented: f.invented, duplicates: f.duplicates,
      incidents: f.incidents, alerted: f.incidentsAlerted, states: f.statePartitionsEqual,
    }).toEqual({
      produced: 4, malformed: 1, forwarded: 3, forwardCopies: 1, deadLettered: 1, deadLetterCopies: 1, processed: 3, unaccounted: 0,
      alertRecords: 3, alertIds: 2, lost: 0, invented: 0, duplicates: 1, incidents: 2, alerted: 2, states: 2,
    });
  });

  it('reads packed repartition records (many flows each, provenance in the value) the same way', () => {
    const pack = (sourcePartition: number, offsets: number[]) =>
      encodePack({ sourcePartition, flows: offsets.map((offset) => ({ offset, value: Buffer.from(`flow@${offset}`) })) });
    const packed = (partition: number, offset: number, value: Buffer): TopicRecord => ({ partition, offset, key: null, value, headers: {}, timestamp: 0 });
    const f = judge(
      evidence({
        // f1 and f2 in one pack, then a crash's copy of f1 in a pack of its own.
        repartition: [packed(0, 0, pack(0, [0, 2])), packed(0, 1, pack(0, [0])), packed(1, 0, pack(1, [0]))],
        changelog: [rec(0, 0, 'A1', {}, 'd:x.example.com'), rec(0, 1, progress(2), {}, 'x:progress'), rec(1, 0, 'B', {}, 'd:y.example.com'), rec(1, 1, progress(1), {}, 'x:progress')],
      }),
    );
    expect(f.checks.filter((c) => !c.ok)).toEqual([]);
    expect([f.forwarded, f.forwardCopies, f.processed, f.unaccounted]).toEqual([3, 1, 3, 0]);
  });

  it('finds lost and invented alerts and false NEW_DESTINATIONs by alert_id', () => {
    const f = judge(evidence({ alerts: [alert('a1', 'RESIDENCY_VIOLATION'), alert('n9', 'NEW_DESTINATION')] }));
    expect([f.lost, f.invented, f.falseNewDestination, f.incidentsAlerted]).toEqual([1, 1, 1, 1]);
    expect(f.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['alerts lost', 'alerts invented', 'no false NEW_DESTINATION', 'every incident alerted']);
  });

  it('counts a record neither forwarded nor dead-lettered, and one the engines never reached', () => {
    const withoutF3 = evidence({ repartition: evidence().repartition.filter((r) => r.partition === 0) });
    expect(judge(withoutF3).unaccounted).toBe(1);
    // Partition 0's marker says only offset 0 is in the state: f2 (offset 1) was forwarded, not processed.
    const behind = evidence({ changelog: [...evidence().changelog, rec(0, 4, progress(1), {}, 'x:progress')] });
    const f = judge(behind);
    expect([f.processed, f.unaccounted]).toEqual([2, 1]);
    expect(f.checks.find((c) => c.name === 'every forwarded record processed')?.ok).toBe(false);
  });

  it('fails when the state differs from the replay, or a valid record was dead-lettered', () => {
    const f = judge(evidence({ reference: { ...evidence().reference, states: [new Map([['d:x.example.com', 'A0']]), new Map([['d:y.example.com', 'B']])] } }));
    expect(f.statePartitionsEqual).toBe(1);
    expect(f.checks.find((c) => c.name === 'engine state = replay state')?.detail).toBe('partition 0: 1 keys differ (d:x.example.com)');
    const g = judge(evidence({ deadLetters: [...evidence().deadLetters, rec(0, 2, 'f3', src(1, 0))] }));
    expect(g.checks.find((c) => c.name === 'every record forwarded or dead-lettered')?.detail).toBe('0 in neither, 1 in both, 0 naming no produced record');
  });

  it('notices a flows topic that differs from what was produced', () => {
    const f = judge(evidence({ flows: [rec(0, 0, 'f1'), rec(0, 1, '{bad'), rec(0, 2, 'f2'), rec(0, 3, 'f2'), rec(1, 0, 'f3')] }));
    expect(f.checks.find((c) => c.name === 'flows topic = produced')?.ok).toBe(false);
  });
});

describe('latestState and diffState', () => {
  it('keeps the latest value per key, drops deleted keys, and reads the last progress marker', () => {
    const [p0, p1] = latestState(evidence().changelog, 2);
    expect([...p0.entries]).toEqual([['d:x.example.com', 'A1']]);
    expect(p0.next).toBe(3);
    expect([...p1.entries]).toEqual([['d:y.example.com', 'B']]);
    expect(p1.next).toBe(1);
    expect(diffState(new Map([['a', '1'], ['b', '2']]), new Map([['a', '1'], ['c', '3']]))).toEqual(['b', 'c']);
  });
});
