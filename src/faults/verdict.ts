// The fault suite's judgement, from what the topics hold after the run and the reference
// replay. Pure: hand-made evidence gives figures that can be checked by hand.
//
// Record accounting (every offset of the flows topic ends in exactly one place):
//   produced      = records on the flows topic (checked equal, value by value, to what the
//                   driver sent: nothing duplicated or lost on the way in)
//   dead-lettered = distinct flows-topic offsets named by the x-source-* headers on the
//                   dead-letter topic (a crash can repeat a dead letter; it counts once)
//   forwarded     = distinct flows-topic offsets on the repartition topic (named in each
//                   pack, or by x-source-* headers; a crash can re-forward: copies count once)
//   processed     = forwarded records that the engines' state reflects: those below the
//                   partition's final progress marker (written atomically with the state)
//   unaccounted   = produced offsets neither forwarded nor dead-lettered (must be 0), and
//                   offsets in both (must be 0); forwarded but not processed (must be 0).
// That every processed record was applied exactly once (not lost, not double-counted after a
// restore) is shown by the engine state rebuilt from the changelog being equal, key by key,
// to the state of the reference replay. Service metrics are not used: a SIGKILLed instance
// takes its counters with it.
import type { Alert, AlertType } from '../engine/types.js';
import { ALERT_TYPES } from '../engine/types.js';
import { scoreAlerts } from '../eval/scorecard.js';
import type { Incident } from '../generate/types.js';
import { DLQ_HEADERS } from '../kafka/dlq.js';
import { parseProgress, PROGRESS_KEY } from '../kafka/progress.js';
import { repartitionEntries, type RepartitionEntry, type TopicRecord } from './read-back.js';
import type { ReferenceRun } from './reference.js';
import type { WorkloadRecord } from './workload.js';

export interface Evidence {
  partitions: number;
  flowsTopic: string;
  /** What the driver produced, in order. */
  produced: readonly WorkloadRecord[];
  flows: readonly TopicRecord[];
  repartition: readonly TopicRecord[];
  deadLetters: readonly TopicRecord[];
  /** The alert topic decoded, in topic order. */
  alerts: readonly Alert[];
  changelog: readonly TopicRecord[];
  reference: ReferenceRun;
  truth: readonly Incident[];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Figures {
  partitions: number;
  produced: number;
  malformedProduced: number;
  onFlowsTopic: number;
  forwarded: number;
  forwardCopies: number;
  deadLettered: number;
  deadLetterCopies: number;
  processed: number;
  unaccounted: number;
  doubleAccounted: number;
  alertRecords: number;
  alertIds: number;
  referenceAlertIds: number;
  lost: number;
  invented: number;
  duplicates: number;
  falseNewDestination: number;
  incidents: number;
  incidentsAlerted: number;
  referenceIncidentsAlerted: number;
  statePartitionsEqual: number;
  alertsByType: Partial<Record<AlertType, number>>;
  checks: Check[];
}

const sourceId = (partition: number | string, offset: number | string) => `${partition}/${offset}`;

export function judge(e: Evidence): Figures {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  // --- the flows topic holds exactly what was produced
  const producedByPartition: WorkloadRecord[][] = Array.from({ length: e.partitions }, () => []);
  for (const r of e.produced) producedByPartition[r.partition].push(r);
  const known = new Map<string, WorkloadRecord>(); // flows offset -> produced record
  let flowsMismatch = 0;
  const flowsByPartition: TopicRecord[][] = Array.from({ length: e.partitions }, () => []);
  for (const r of e.flows) flowsByPartition[r.partition]?.push(r);
  for (let p = 0; p < e.partitions; p++) {
    const sent = producedByPartition[p];
    const got = flowsByPartition[p];
    for (let i = 0; i < Math.max(sent.length, got.length); i++) {
      const s = sent[i];
      const g = got[i];
      if (s === undefined || g === undefined || g.offset !== i || !sameValue(s.value, g.value)) flowsMismatch++;
      else known.set(sourceId(p, g.offset), s);
    }
  }
  const malformedProduced = e.produced.filter((r) => r.flow === null).length;
  check('flows topic = produced', flowsMismatch === 0, `${e.flows.length} records on the topic, ${e.produced.length} produced, ${flowsMismatch} differ`);

  // --- forwarded and dead-lettered, each distinct flows offset once
  const forwardedFirstCopy = new Map<string, RepartitionEntry>();
  const repartitionOrder: string[][] = Array.from({ length: e.partitions }, () => []);
  let wrongPartition = 0;
  const entries = repartitionEntries(e.repartition);
  for (const r of entries) {
    if (forwardedFirstCopy.has(r.source)) continue;
    forwardedFirstCopy.set(r.source, r);
    repartitionOrder[r.partition].push(r.source);
    if (!r.source.startsWith(`${r.partition}/`)) wrongPartition++;
  }
  const deadLettered = new Set<string>();
  let foreignDeadLetters = 0;
  for (const r of e.deadLetters) {
    if (r.headers[DLQ_HEADERS.topic] !== e.flowsTopic) foreignDeadLetters++;
    else deadLettered.add(sourceId(r.headers[DLQ_HEADERS.partition], r.headers[DLQ_HEADERS.offset]));
  }
  let unaccounted = 0;
  let doubleAccounted = 0;
  let malformedForwarded = 0;
  let validDeadLettered = 0;
  for (const [id, r] of known) {
    const f = forwardedFirstCopy.has(id);
    const d = deadLettered.has(id);
    if (!f && !d) unaccounted++;
    if (f && d) doubleAccounted++;
    if (f && r.flow === null) malformedForwarded++;
    if (d && r.flow !== null) validDeadLettered++;
  }
  const strangers = [...forwardedFirstCopy.keys(), ...deadLettered].filter((id) => !known.has(id)).length;
  check('every record forwarded or dead-lettered', unaccounted === 0 && doubleAccounted === 0 && strangers === 0,
    `${unaccounted} in neither, ${doubleAccounted} in both, ${strangers} naming no produced record`);
  check('dead letters = the malformed records', malformedForwarded === 0 && validDeadLettered === 0 && deadLettered.size === malformedProduced && foreignDeadLetters === 0,
    `${deadLettered.size} dead-lettered, ${malformedProduced} malformed produced, ${validDeadLettered} valid ones dead-lettered, ${malformedForwarded} malformed forwarded, ${foreignDeadLetters} from the engine stage`);

  // --- engine partition p read exactly the valid records of flows partition p, in order
  let orderBreaks = wrongPartition;
  for (let p = 0; p < e.partitions; p++) {
    const expected = producedByPartition[p].flatMap((r, offset) => (r.flow === null ? [] : [sourceId(p, offset)]));
    const got = repartitionOrder[p];
    if (expected.length !== got.length || expected.some((id, i) => got[i] !== id)) orderBreaks++;
  }
  check('repartition order = flows order', orderBreaks === 0, `${orderBreaks} partitions out of order or misrouted`);

  // --- what the engines' state reflects: progress markers and the state itself
  const states = latestState(e.changelog, e.partitions);
  let processed = 0;
  for (const first of forwardedFirstCopy.values()) {
    if (first.offset < (states[first.partition]?.next ?? 0)) processed++;
  }
  check('every forwarded record processed', processed === forwardedFirstCopy.size, `${processed} of ${forwardedFirstCopy.size} below their partition's progress marker`);
  let statePartitionsEqual = 0;
  const stateDiffs: string[] = [];
  for (let p = 0; p < e.partitions; p++) {
    const diff = diffState(states[p].entries, e.reference.states[p] ?? new Map());
    if (diff.length === 0) statePartitionsEqual++;
    else stateDiffs.push(`partition ${p}: ${diff.length} keys differ (${diff.slice(0, 3).join(', ')})`);
  }
  check('engine state = replay state', statePartitionsEqual === e.partitions, stateDiffs.length === 0 ? `${e.partitions} partitions equal` : stateDiffs.join('; '));

  // --- alerts
  const firstById = new Map<string, Alert>();
  for (const a of e.alerts) if (!firstById.has(a.alert_id)) firstById.set(a.alert_id, a);
  const referenceIds = new Set(e.reference.alerts.map((a) => a.alert_id));
  const lostIds = [...referenceIds].filter((id) => !firstById.has(id));
  const inventedAlerts = [...firstById.values()].filter((a) => !referenceIds.has(a.alert_id));
  const falseNewDestination = inventedAlerts.filter((a) => a.type === 'NEW_DESTINATION').length;
  check('alerts lost', lostIds.length === 0, `${lostIds.length} replay alert_ids missing from the topic`);
  check('alerts invented', inventedAlerts.length === 0,
    `${inventedAlerts.length} topic alert_ids the replay does not give${inventedAlerts.length > 0 ? `: ${inventedAlerts.slice(0, 3).map((a) => `${a.type} ${a.destination}`).join(', ')}` : ''}`);
  check('no false NEW_DESTINATION', falseNewDestination === 0, `${falseNewDestination} NEW_DESTINATION alerts the replay does not give`);

  const distinctAlerts = [...firstById.values()];
  const card = scoreAlerts(distinctAlerts, e.truth);
  const referenceCard = scoreAlerts(e.reference.alerts, e.truth);
  check('every incident alerted', card.total.detected === card.total.incidents,
    `${card.total.detected} of ${card.total.incidents} (replay: ${referenceCard.total.detected})`);
  const alertsByType: Partial<Record<AlertType, number>> = {};
  for (const type of ALERT_TYPES) {
    const n = distinctAlerts.filter((a) => a.type === type).length;
    if (n > 0) alertsByType[type] = n;
  }

  return {
    partitions: e.partitions,
    produced: e.produced.length,
    malformedProduced,
    onFlowsTopic: e.flows.length,
    forwarded: forwardedFirstCopy.size,
    forwardCopies: entries.length - forwardedFirstCopy.size,
    deadLettered: deadLettered.size,
    deadLetterCopies: e.deadLetters.length - deadLettered.size - foreignDeadLetters,
    processed,
    unaccounted: unaccounted + doubleAccounted + strangers + flowsMismatch + (forwardedFirstCopy.size - processed),
    doubleAccounted,
    alertRecords: e.alerts.length,
    alertIds: firstById.size,
    referenceAlertIds: referenceIds.size,
    lost: lostIds.length,
    invented: inventedAlerts.length,
    duplicates: e.alerts.length - firstById.size,
    falseNewDestination,
    incidents: card.total.incidents,
    incidentsAlerted: card.total.detected,
    referenceIncidentsAlerted: referenceCard.total.detected,
    statePartitionsEqual,
    alertsByType,
    checks,
  };
}

function sameValue(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b || (a?.length ?? 0) + (b?.length ?? 0) === 0;
  return a.equals(b);
}

interface PartitionState {
  /** Engine keys -> value (deleted keys removed). */
  entries: Map<string, string>;
  /** The progress marker's next offset; 0 without one. */
  next: number;
}

/** The changelog compacted by hand: latest value per key and partition. */
export function latestState(changelog: readonly TopicRecord[], partitions: number): PartitionState[] {
  const out: PartitionState[] = Array.from({ length: partitions }, () => ({ entries: new Map(), next: 0 }));
  for (const r of changelog) {
    const s = out[r.partition];
    if (s === undefined || r.key === null) continue;
    const value = r.value === null ? null : r.value.toString('utf8');
    if (r.key === PROGRESS_KEY) {
      const progress = value === null ? null : parseProgress(value);
      s.next = progress !== null && typeof progress !== 'string' ? progress.next : 0;
    } else if (value === null) {
      s.entries.delete(r.key);
    } else {
      s.entries.set(r.key, value);
    }
  }
  return out;
}

/** Keys whose values differ (or exist on one side only). */
export function diffState(actual: ReadonlyMap<string, string | null>, expected: ReadonlyMap<string, string | null>): string[] {
  const keys = new Set([...actual.keys(), ...expected.keys()]);
  return [...keys].filter((k) => (actual.get(k) ?? null) !== (expected.get(k) ?? null)).sort();
}
