// What happens to an alert after the engine, written once (as Zeek's NOTICE framework: policy,
// then the log): an analyst's suppression that covers it sets it aside with suppressed_by,
// then it is appended to the hash chain of its kind (incidents, or `<chain>/suppressed`), then
// the caller's output takes it. Replay, the Kafka service and flighting all route through here,
// so a file replay and the service publish the same alerts with the same links.
//
// Incident or suppressed is decided before chaining: each chain then holds every alert of its
// output with no gap (`egress-watch verify` checks both).
import { chainAlert, suppressedChainId, type ChainHead } from '../audit/chain.js';
import type { Alert } from '../model/contract.js';
import type { SuppressionBook } from '../suppress/book.js';

export type AlertRoute = 'incident' | 'suppressed';

/** The chain heads an alert path continues (a replay's fresh ones, or a partition's restored ones). */
export interface AlertChains {
  /** Chain id of the incidents: `replay`, or `<engine input topic>/<partition>`. */
  id: string;
  incidents: ChainHead;
  /** The suppressed alerts' head, asked for only when the first one comes (a marker without one stays without). */
  suppressed(): ChainHead;
}

export interface AlertPathOptions {
  /** The suppressions in force; none when absent. */
  suppressions?: SuppressionBook;
  /** Chain the alerts; absent: they are routed only (flighting compares alerts, it publishes none). */
  chains?: AlertChains;
}

export class AlertPath {
  constructor(private readonly opts: AlertPathOptions) {}

  /** Decides the alert's route, setting suppressed_by and its chain link; the caller outputs it there. */
  route(alert: Alert): AlertRoute {
    const by = this.opts.suppressions?.cover(alert) ?? null;
    const chains = this.opts.chains;
    if (by === null) {
      if (chains !== undefined) chainAlert(alert, chains.id, chains.incidents);
      return 'incident';
    }
    alert.suppressed_by = by;
    if (chains !== undefined) chainAlert(alert, suppressedChainId(chains.id), chains.suppressed());
    return 'suppressed';
  }

  /** Routes a batch into the two lists, in order. */
  split(alerts: readonly Alert[], incidents: Alert[], suppressed: Alert[]): void {
    for (const a of alerts) (this.route(a) === 'incident' ? incidents : suppressed).push(a);
  }
}
