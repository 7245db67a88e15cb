// The suppressions in force for one service or replay: the static ones of the config
// (suppressions.entries) plus those read from the suppressions topic. The shell feeds it;
// matching stays pure (match.ts). A topic record with the id of a config entry is refused:
// the config's word is final for its own ids.
import type { Alert } from '../model/contract.js';
import { coveringSuppression } from './match.js';
import type { Suppression } from './types.js';

export class SuppressionBook {
  private configured = new Map<string, Suppression>();
  private readonly fromTopic = new Map<string, Suppression>();

  constructor(configured: readonly Suppression[] = []) {
    this.setConfigured(configured);
  }

  /** The config's list (at start and after a reload). */
  setConfigured(list: readonly Suppression[]): void {
    this.configured = new Map(list.map((s) => [s.id, s]));
  }

  /** A record of the suppressions topic: a suppression, or null for a tombstone of `id`. Returns why it was refused, or null. */
  applyTopicRecord(id: string, suppression: Suppression | null): string | null {
    if (this.configured.has(id)) return `id ${JSON.stringify(id)} belongs to a suppression of the config (suppressions.entries); the topic's record is ignored`;
    if (suppression === null) this.fromTopic.delete(id);
    else this.fromTopic.set(id, suppression);
    return null;
  }

  /** The suppression that covers the alert (smallest id among those that do), or null. */
  cover(alert: Alert): Suppression | null {
    if (this.configured.size === 0 && this.fromTopic.size === 0) return null;
    return coveringSuppression(alert, this.all());
  }

  get size(): number {
    return this.configured.size + this.fromTopic.size;
  }

  *all(): Iterable<Suppression> {
    yield* this.configured.values();
    yield* this.fromTopic.values();
  }
}
