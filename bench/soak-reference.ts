// node dist/bench/soak-reference.js PROBE_FLOWS RATE SOAK_FLOWS SOAK_START_ISO [DURATION_MS]
//
// What an unbroken run would have alerted for a soak (bench/soak.ts): the same capacity-probe
// and soak traffic (same seed, destinations, rate and start, read off the soak's printout and
// its JSON), the latency probes left out, through one in-process Pipeline in generation
// order: no Kafka, no partitions, no backlog. Prints the alerts by type, to set beside the
// soak's. The soak config's event-time settings are repeated here (writeSoakConfig).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { Pipeline } from '../src/engine/pipeline.js';
import { ALERT_TYPES, type Alert } from '../src/engine/types.js';
import { packageRoot } from '../src/io/schemas.js';
import { rateForRecords, soakTraffic } from './soak/traffic.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5);
const SEED = 42;
const DESTINATIONS = 100_000;

const [probeFlows, rate, soakFlows, startIso, durationArg] = process.argv.slice(2);
if (startIso === undefined) {
  console.error('usage: node dist/bench/soak-reference.js PROBE_FLOWS RATE SOAK_FLOWS SOAK_START_ISO [DURATION_MS]');
  process.exit(2);
}
const doc = parseDocument(readFileSync(join(packageRoot(), 'config', 'example.yaml'), 'utf8'));
doc.setIn(['windows', 'allowed_lateness'], '1h');
doc.setIn(['windows', 'idle_timeout'], '30m');
const config = parseConfig(doc.toString(), 'soak-reference.yaml');

const probe = soakTraffic({
  seed: SEED, destinations: DESTINATIONS, start_ms: T0, duration_ms: 6 * HOUR,
  rate: rateForRecords({ seed: SEED, destinations: DESTINATIONS, start_ms: T0, duration_ms: 6 * HOUR, incidents_per_type: 0, learning_ms: 0, types: [] }, 3_000_000),
  incidents_per_type: 0, learning_ms: 0, types: [],
});
const durationMs = Number(durationArg ?? 10 * MINUTE);
const eventDuration = Math.round((durationMs * 3.6 * 60) / MINUTE) * MINUTE;
const base = { seed: SEED, destinations: DESTINATIONS, start_ms: Date.parse(startIso), duration_ms: eventDuration, incidents_per_type: 1, learning_ms: 26 * HOUR };
const eventRate = Math.max(5, rateForRecords({ ...base, types: [] }, (Number(rate) * durationMs) / 1000));
const soak = soakTraffic({ ...base, rate: eventRate, types: eventDuration >= 30 * HOUR ? [...ALERT_TYPES] : ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS'] });

const pipeline = new Pipeline(config);
const byType: Record<string, number> = {};
const count = (alerts: Alert[]) => {
  for (const a of alerts) byType[a.type] = (byType[a.type] ?? 0) + 1;
};
const take = (flows: Iterable<Parameters<Pipeline['push']>[0]>, n: number) => {
  let i = 0;
  for (const flow of flows) {
    if (i++ >= n) break;
    count(pipeline.push(flow));
  }
};
take(probe.flows, Number(probeFlows));
take(soak.flows, Number(soakFlows));
console.log(JSON.stringify({ alerts_by_type: byType, event_rate: Math.round(eventRate * 10) / 10 }));
