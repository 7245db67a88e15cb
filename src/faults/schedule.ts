// The fault schedule: from a seed, which faults hit the service group, in which order, against
// which instance, and with which delays. Pure (no clock, no I/O), so a seed names one schedule
// and a failing run can be repeated exactly.
import { Prng } from '../generate/prng.js';

export const FAULT_KINDS = ['sigkill', 'sigterm', 'broker-restart', 'pause', 'rebalance'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The two long-lived instances of the group; a third (`c`) only joins for a rebalance. */
export const MEMBERS = ['a', 'b'] as const;
export type Member = (typeof MEMBERS)[number];
export const JOINER = 'c';

export interface Fault {
  /** 1-based position in the schedule. */
  cycle: number;
  kind: FaultKind;
  /** The instance signalled (sigkill, sigterm, pause); unused for broker-restart and rebalance. */
  target: Member;
  /** Wall time between the chunk reaching the broker and the fault: it lands mid-processing. */
  hitAfterMs: number;
  /**
   * How long the fault lasts: sigkill/sigterm: until the instance is started again; pause: the
   * SIGSTOP (always longer than the session timeout); broker-restart: broker down; rebalance:
   * how long the third instance stays after it is ready.
   */
  downMs: number;
}

export interface ScheduleOptions {
  seed: number;
  count: number;
  /** Which kinds to draw from; default all five. */
  kinds?: readonly FaultKind[];
  /** The group's session timeout: a pause is longer than this. */
  sessionTimeoutMs: number;
}

/** Stream of the generator's Prng that the schedule uses; the workload uses others. */
const SCHEDULE_STREAM = 71;

/**
 * Every kind at least once when count allows (so a full run covers the whole list), the rest
 * drawn uniformly from the kinds, then shuffled; targets and delays drawn per fault.
 */
export function planFaults(o: ScheduleOptions): Fault[] {
  const kinds = [...(o.kinds ?? FAULT_KINDS)];
  if (!Number.isSafeInteger(o.count) || o.count < 0) throw new RangeError(`fault count: expected a non-negative integer, got ${o.count}`);
  if (kinds.length === 0) throw new RangeError('fault kinds: at least one kind is needed');
  for (const k of kinds) {
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new RangeError(`fault kind ${JSON.stringify(k)}: expected one of ${FAULT_KINDS.join(', ')}`);
  }
  const prng = Prng.fromSeed(o.seed, SCHEDULE_STREAM);
  const drawn: FaultKind[] = kinds.slice(0, Math.min(o.count, kinds.length));
  while (drawn.length < o.count) drawn.push(prng.choice(kinds));
  prng.shuffle(drawn);
  return drawn.map((kind, i) => ({
    cycle: i + 1,
    kind,
    target: prng.choice(MEMBERS),
    hitAfterMs: prng.int(0, 600),
    downMs: downTime(kind, prng, o.sessionTimeoutMs),
  }));
}

function downTime(kind: FaultKind, prng: Prng, sessionTimeoutMs: number): number {
  switch (kind) {
    case 'sigkill':
    case 'sigterm':
      return prng.int(0, 3_000);
    case 'pause':
      return sessionTimeoutMs + prng.int(2_000, 4_000);
    case 'broker-restart':
      return prng.int(1_000, 4_000);
    case 'rebalance':
      return prng.int(1_000, 3_000);
  }
}

export function describeFault(f: Fault): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  switch (f.kind) {
    case 'sigkill':
      return `SIGKILL ${f.target}, restart after ${s(f.downMs)}`;
    case 'sigterm':
      return `SIGTERM ${f.target}, restart after ${s(f.downMs)}`;
    case 'pause':
      return `SIGSTOP ${f.target} for ${s(f.downMs)}, then SIGCONT`;
    case 'broker-restart':
      return `broker stopped for ${s(f.downMs)}, restarted on the same port and log dir`;
    case 'rebalance':
      return `instance ${JOINER} joins, stays ${s(f.downMs)} after it is ready, leaves (SIGTERM)`;
  }
}
