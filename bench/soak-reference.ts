// node dist/bench/soak-reference.js PROBE_FLOWS RATE SOAK_FLOWS SOAK_START_ISO [DURATION_MS] [--destinations N] [--compare SOAK.json]
//
// What an unbroken run would have alerted for a soak (bench/soak.ts): the same capacity-probe
// and soak flows (bench/soak/workload.ts, default seed and destinations; the figures come off
// the soak's printout and JSON), the latency probes left out, through one in-process Pipeline
// in generation order: no Kafka, no partitions, no backlog. Prints the alerts by type, to set
// beside the soak's; with --compare and the soak's JSON (which lists the alerts it read),
// also which findings (type, destination, window) both, only the service or only the
// reference raised, latency probes left out.
import { readFileSync } from 'node:fs';
import { parseConfig } from '../src/config/load.js';
import type { FlowRecord } from '../src/engine/types.js';
import { Pipeline } from '../src/engine/pipeline.js';
import { compareAlerts, type AlertKeyed } from './soak/alert-keys.js';
import { capacityProbeTraffic, soakConfigDocument, soakPhaseTraffic } from './soak/workload.js';

const SEED = 42;

const args = process.argv.slice(2);
const compareAt = args.indexOf('--compare');
const compareFile = compareAt >= 0 ? args.splice(compareAt, 2)[1] : undefined;
const destinationsAt = args.indexOf('--destinations');
const DESTINATIONS = destinationsAt >= 0 ? Number(args.splice(destinationsAt, 2)[1]) : 100_000;
const [probeFlows, rate, soakFlows, startIso, durationArg] = args;
if (startIso === undefined) {
  console.error('usage: node dist/bench/soak-reference.js PROBE_FLOWS RATE SOAK_FLOWS SOAK_START_ISO [DURATION_MS]');
  process.exit(2);
}
const pipeline = new Pipeline(parseConfig(soakConfigDocument().toString(), 'soak-reference.yaml'));
const byType: Record<string, number> = {};
const keyed: AlertKeyed[] = [];
const take = (flows: Iterable<FlowRecord>, n: number) => {
  let i = 0;
  for (const flow of flows) {
    if (i++ >= n) break;
    for (const a of pipeline.push(flow)) {
      byType[a.type] = (byType[a.type] ?? 0) + 1;
      keyed.push({ type: a.type, destination: a.destination, window_start_ms: a.window_start_ms });
    }
  }
};
take(capacityProbeTraffic(SEED, DESTINATIONS).flows, Number(probeFlows));
const soak = soakPhaseTraffic({ seed: SEED, destinations: DESTINATIONS, startMs: Date.parse(startIso), durationMs: Number(durationArg ?? 600_000), rate: Number(rate) });
take(soak.traffic.flows, Number(soakFlows));
console.log(JSON.stringify({ alerts_by_type: byType, event_rate: Math.round(soak.eventRate * 10) / 10 }));
if (compareFile !== undefined) {
  const soakRun = JSON.parse(readFileSync(compareFile, 'utf8')) as { alerts?: AlertKeyed[] };
  if (soakRun.alerts === undefined) {
    console.error(`${compareFile}: no alert list (soaks before it was recorded keep counts only)`);
    process.exit(2);
  }
  const service = soakRun.alerts.filter((a) => !/^soak-probe-\d+\.example$/.test(a.destination));
  console.log(JSON.stringify({ compared: compareAlerts(service, keyed).byType }));
}
