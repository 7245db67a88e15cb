// The reference the service is judged against: an unbroken, single-process replay of the same
// records with the same config, one Pipeline per engine partition.
//
// Why per partition: the service runs one engine per partition of the repartition topic, and
// an engine's event time (watermark, the start of the new-destination learning period, the
// hourly idle sweep) is that partition's own. A single replay over the whole file would close
// windows on the global event time and could give other windows, so other alert_ids. The
// workload is keyed so that engine partition p reads exactly the valid records of flows
// partition p in offset order (workload.ts), which is what each Pipeline here is fed. No
// finish(): the service never ends its input either; the workload's tail closes the windows.
import type { Config } from '../config/types.js';
import { Pipeline } from '../engine/pipeline.js';
import type { Alert, FlowRecord } from '../engine/types.js';

export interface ReferenceRun {
  alerts: Alert[];
  /** Per partition: the engine's whole state as the changelog holds it after compaction. */
  states: Map<string, string | null>[];
  records: number;
}

export function replayPerPartition(config: Config, partitions: readonly (readonly FlowRecord[])[]): ReferenceRun {
  const alerts: Alert[] = [];
  const states: Map<string, string | null>[] = [];
  let records = 0;
  for (const flows of partitions) {
    const pipeline = new Pipeline(config);
    for (const flow of flows) {
      for (const alert of pipeline.push(flow)) alerts.push(alert);
    }
    records += flows.length;
    states.push(new Map(pipeline.engine.snapshot().map((c) => [c.key, c.value])));
  }
  return { alerts, states, records };
}
