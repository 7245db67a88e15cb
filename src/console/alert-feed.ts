// The console's alerts: the most recent ones kept for pages that connect later, and every
// new one pushed to the connected pages (server-sent events).
import type { Alert } from '../engine/types.js';

export type AlertListener = (alert: Alert, seq: number) => void;

export class AlertFeed {
  private readonly recent: Array<{ alert: Alert; seq: number }> = [];
  private readonly listeners = new Set<AlertListener>();
  private seq = 0;

  constructor(private readonly keep = 1000) {}

  push(alert: Alert): void {
    const seq = ++this.seq;
    this.recent.push({ alert, seq });
    if (this.recent.length > this.keep) this.recent.shift();
    for (const l of this.listeners) l(alert, seq);
  }

  /** Kept alerts after `afterSeq` (an EventSource's Last-Event-ID), oldest first. */
  since(afterSeq = 0): Array<{ alert: Alert; seq: number }> {
    return this.recent.filter((r) => r.seq > afterSeq);
  }

  subscribe(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
