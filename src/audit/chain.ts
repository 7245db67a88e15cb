// The tamper-evident alert log: every alert carries a link of a hash chain, one chain per
// engine partition (the unit that emits alerts in a deterministic order). A link is the
// SHA-256 of the previous link and the alert's own fields, so editing, dropping or
// reordering a published alert breaks every later link, and `egress-watch verify` finds it.
//
// The chain head (next sequence number, last hash) lives next to the engine state (in the
// service it is part of the changelog's progress marker, written atomically with the
// state), so a restarted or reassigned partition continues its chain; alerts repeated
// after a crash repeat their links exactly (same evidence, same predecessor).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../config/canonical.js';
import type { Alert } from '../engine/types.js';

/** Chain id of a partition's suppressed alerts: `<chain id of its incidents>/suppressed`. */
export function suppressedChainId(chainId: string): string {
  return `${chainId}/suppressed`;
}

export function isSuppressedChain(chainId: string): boolean {
  return chainId.endsWith('/suppressed');
}

/** Predecessor of the first link of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainHead {
  /** Sequence number the next alert gets; 0 for a new chain. */
  seq: number;
  /** chain_hash of the last alert; GENESIS_HASH for a new chain. */
  hash: string;
}

export function newChainHead(): ChainHead {
  return { seq: 0, hash: GENESIS_HASH };
}

/**
 * The fields a link covers, in the alert schema's order: every contract field plus the
 * chain's own id, sequence and predecessor. Optional fields added to the schema later go to
 * LINKED_OPTIONAL_FIELDS below, not here (appending here would change every existing link).
 */
const LINKED_FIELDS = [
  'alert_id', 'type', 'severity', 'destination', 'dst_country', 'data_class', 'principal', 'gateway_id',
  'window_start_ms', 'window_end_ms', 'flow_count', 'bytes', 'observed', 'expected', 'score', 'threshold',
  'reason', 'sample_flow_ids', 'config_version', 'detected_at_ms', 'chain_id', 'chain_seq', 'chain_prev',
] as const;

/**
 * Optional fields added after the chain existed: covered as [name, canonical JSON] pairs only
 * when set, so the links of alerts without them (every alert published before) stay the same,
 * and key order (JSON text vs Avro) cannot change the hash.
 */
const LINKED_OPTIONAL_FIELDS = ['suppressed_by', 'incident_id', 'incident_state'] as const;

/** The hash an intact alert's chain_hash must equal. */
export function linkHash(alert: Alert): string {
  const fields = alert as unknown as Record<string, unknown>;
  const covered: unknown[] = LINKED_FIELDS.map((k) => fields[k] ?? null);
  for (const k of LINKED_OPTIONAL_FIELDS) if (fields[k] != null) covered.push([k, canonicalJson(fields[k])]);
  return createHash('sha256').update(JSON.stringify(covered)).digest('hex');
}

/** Appends the alert to the chain: sets its chain fields and advances the head. */
export function chainAlert(alert: Alert, chainId: string, head: ChainHead): void {
  alert.chain_id = chainId;
  alert.chain_seq = head.seq;
  alert.chain_prev = head.hash;
  alert.chain_hash = linkHash(alert);
  head.seq++;
  head.hash = alert.chain_hash;
}

/** A head read back from storage, or what is wrong with it. */
export function parseChainHead(value: unknown): ChainHead | string {
  const o = value as Partial<ChainHead> | null;
  if (typeof o !== 'object' || o === null) return 'chain head is not an object';
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 0) return 'chain head seq is not a non-negative integer';
  if (typeof o.hash !== 'string' || !/^[0-9a-f]{64}$/.test(o.hash)) return 'chain head hash is not 64 hex digits';
  return { seq: o.seq as number, hash: o.hash };
}
