// Which settings a running service can take from a reloaded config (SIGHUP), and which need a
// restart. Live: policy.*, detectors.* (overrides included), baseline.warmup_windows,
// baseline.idle_ttl, alerts.suppress_for and suppressions.* (the config's static list); they
// apply from the next record on, over the state already learnt. Restart only:
// - windows.*: the window grid, the watermark rule and event-time bookkeeping that open windows
//   and the changelog were built with;
// - baseline.key, baseline.timezone and baseline.day_zones: what a baseline is kept for, and
//   the local hours and days its seasonal profile has learnt (state would silently mean
//   something else);
// - alerts.format: consumers of the alert topic expect one encoding;
// - kafka.* and service.*: connections, topics, the consumer group and the HTTP listener;
// - input.*: the dialect the flows topic is decoded in (decoders hold per-partition state);
// - enrich.* and the contents of its files (enrich_files): they are read when the service
//   starts; and with a sensor dialect,
//   policy.internal_networks too: the decoders orient records by the networks they started with.
import { canonicalJson } from './canonical.js';
import type { KeyPath } from './errors.js';
import type { Config } from './types.js';

/** Key paths (as prefixes) whose value shapes the engine's state. */
export const ENGINE_FIXED_KEYS: readonly KeyPath[] = [['windows'], ['baseline', 'key'], ['baseline', 'timezone'], ['baseline', 'day_zones']];

/** Key paths (as prefixes) a running service keeps until it restarts. */
export const RESTART_ONLY_KEYS: readonly KeyPath[] = [...ENGINE_FIXED_KEYS, ['alerts', 'format'], ['kafka'], ['service'], ['input'], ['enrich'], ['enrich_files']];

/** RESTART_ONLY_KEYS, and policy.internal_networks when the running service decodes a sensor dialect. */
export function restartOnlyKeys(running: Config): readonly KeyPath[] {
  return running.input.format === 'flow' ? RESTART_ONLY_KEYS : [...RESTART_ONLY_KEYS, ['policy', 'internal_networks']];
}

/** The leaf key paths under `roots` whose normalised values differ, in file order of the roots. */
export function changedKeys(before: Config, after: Config, roots: readonly KeyPath[] = RESTART_ONLY_KEYS): KeyPath[] {
  const out: KeyPath[] = [];
  for (const root of roots) diff(valueAt(before, root), valueAt(after, root), [...root], out);
  return out;
}

function diff(a: unknown, b: unknown, path: KeyPath, out: KeyPath[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) diff(a[key], b[key], [...path, key], out);
    return;
  }
  // Lists and scalars compare whole: brokers [a, b] → [b, a] is one change of kafka.brokers.
  if (canonical(a) !== canonical(b)) out.push(path);
}

function canonical(value: unknown): string {
  return value === undefined ? 'undefined' : canonicalJson(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let value = root;
  for (const segment of path) {
    if (!isPlainObject(value)) return undefined;
    value = value[segment];
  }
  return value;
}
