// One Pipeline per input partition, as the service keeps them: for reading retained history
// from a topic (reports, flighting) with the same event-time rules as the service.
import type { Config } from '../config/types.js';
import type { EngineOptions } from './engine.js';
import { Pipeline } from './pipeline.js';
import type { Alert, FlowRecord } from './types.js';

export class PartitionedPipelines {
  private readonly pipelines = new Map<number, Pipeline>();

  constructor(
    private readonly config: Config,
    private readonly options: EngineOptions = {},
  ) {}

  push(partition: number, flow: FlowRecord): Alert[] {
    let p = this.pipelines.get(partition);
    if (!p) this.pipelines.set(partition, (p = new Pipeline(this.config, this.options)));
    return p.push(flow);
  }

  /** Every partition's end of input, in partition order. */
  finish(): Alert[] {
    const out: Alert[] = [];
    for (const partition of [...this.pipelines.keys()].sort((a, b) => a - b)) out.push(...this.pipelines.get(partition)!.finish());
    return out;
  }
}

/** Alerts of several partitions in one deterministic order: event time of the decision, then id. */
export function sortAlerts(alerts: Alert[]): Alert[] {
  return alerts.sort((a, b) => a.detected_at_ms - b.detected_at_ms || (a.alert_id < b.alert_id ? -1 : a.alert_id > b.alert_id ? 1 : 0));
}
