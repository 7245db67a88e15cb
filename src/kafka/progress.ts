// The progress marker: which input the state of one changelog partition already reflects.
//
// Every state write puts its state changes and then this marker to changelog partition p in
// one transaction (state-writes.ts), with the group offset, so after a restore the state and
// the marker always agree. The offset a consumer starts from can still lag the marker (a new
// owner may fetch the group's offsets before the old owner's last transaction completes): the
// marker tells the task to skip records its state already contains instead of counting their
// bytes twice. Likewise records duplicated on the repartition topic (a forwarder that crashed
// after producing but before committing, outside any transaction) are recognised by their
// source offset and skipped.
import { newChainHead, parseChainHead, type ChainHead } from '../audit/chain.js';
import type { StateChange } from '../engine/types.js';

/** Changelog key of the marker (engine/state-store.ts owns every changelog key). */
import { PROGRESS_KEY } from '../engine/state-store.js';
export { PROGRESS_KEY };

export interface Progress {
  /** The engine-input topic the offsets below belong to. */
  topic: string;
  /** Next offset of the engine-input partition that the state does not reflect yet. */
  next: number;
  /** Repartitioned input: highest flows-topic offset applied, per flows partition. */
  sources: Record<string, number>;
  /** Head of this partition's alert hash chain: it advances with the state it was computed from. */
  chain: ChainHead;
  /**
   * Head of the chain of this partition's suppressed alerts (`<topic>/<partition>/suppressed`,
   * on kafka.topics.suppressed); absent until the first one, and in markers written before.
   */
  suppressed?: ChainHead;
}

export function emptyProgress(topic: string): Progress {
  return { topic, next: 0, sources: {}, chain: newChainHead() };
}

export function progressEntry(progress: Progress): StateChange {
  return { key: PROGRESS_KEY, value: JSON.stringify({ v: 1, ...progress }) };
}

/** The marker read back, or a description of what is wrong with it. */
export function parseProgress(value: string): Progress | string {
  let j: unknown;
  try {
    j = JSON.parse(value);
  } catch (err) {
    return `progress marker is not JSON: ${(err as Error).message}`;
  }
  const o = j as Partial<Progress> & { v?: unknown };
  if (typeof o !== 'object' || o === null || o.v !== 1) return 'progress marker has an unknown version';
  if (typeof o.topic !== 'string' || !Number.isSafeInteger(o.next) || typeof o.sources !== 'object' || o.sources === null) {
    return 'progress marker lacks topic, next or sources';
  }
  const sources: Record<string, number> = {};
  for (const [partition, offset] of Object.entries(o.sources)) {
    if (!Number.isSafeInteger(offset)) return `progress marker: source offset of partition ${partition} is not an integer`;
    sources[partition] = offset;
  }
  // Markers written before the alert log was chained have no head: the chain starts there.
  const chain = o.chain === undefined ? newChainHead() : parseChainHead(o.chain);
  if (typeof chain === 'string') return `progress marker: ${chain}`;
  if (o.suppressed === undefined) return { topic: o.topic, next: o.next as number, sources, chain };
  const suppressed = parseChainHead(o.suppressed);
  if (typeof suppressed === 'string') return `progress marker: suppressed ${suppressed}`;
  return { topic: o.topic, next: o.next as number, sources, chain, suppressed };
}
