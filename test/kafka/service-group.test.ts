// Two service instances (child processes) in one consumer group: they split the partitions,
// and when one is SIGKILLed the other takes its partitions over with their state restored
// from the changelog. The alert ids equal those of an unbroken in-process run over the
// repartition topic's records (each record once, in partition order); repeats are allowed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../src/engine/types.js';
import { decodeFlowMessage, encodeFlowAvro } from '../../src/io/wire.js';
import {
  createTopic,
  groupCaughtUp,
  produceBulk,
  readAlerts,
  readTopic,
  replayAlerts,
  scrape,
  SEC,
  serviceConfig,
  serviceYaml,
  streamTraffic,
  T0,
  uniqueTopics,
  waitFor,
} from './helpers/service-fixtures.js';
import { useServiceHarness, waitReady } from './helpers/service-process.js';
import { decodePack } from '../../src/kafka/repartition-pack.js';

const h = useServiceHarness('egress-watch-group-');
const run = h.run;

async function assignedEnginePartitions(url: string, instance: string, topic: string): Promise<number> {
  return (await scrape(`${url}/metrics`)).get(`egress_watch_assigned_partitions{topic="${topic}",instance="${instance}"}`) ?? 0;
}

describe('egress-watch run, two instances in one group', () => {
  it('splits the partitions, and the survivor of a SIGKILL carries on with the restored state', async () => {
    const topics = uniqueTopics('group');
    const config = serviceConfig(h.broker.bootstrap, topics);
    const configFile = join(h.dir, 'group.yaml');
    writeFileSync(configFile, serviceYaml(h.broker.bootstrap, topics));
    await createTopic(h.kafka, topics.flows, 4);
    const repartition = `${topics.group}.repartition`;

    const a = run(configFile, 'a');
    const aUrl = await waitReady(a);
    const b = run(configFile, 'b');
    const bUrl = await waitReady(b);
    const split = await waitFor('both instances own engine partitions', async () => {
      const counts = [await assignedEnginePartitions(aUrl, 'a', repartition), await assignedEnginePartitions(bUrl, 'b', repartition)];
      return counts[0] > 0 && counts[1] > 0 && counts[0] + counts[1] === 4 ? counts : undefined;
    });
    expect(split[0] + split[1]).toBe(4);
    await waitReady(a);
    await waitReady(b);

    // Gateways key by gateway, not by destination: the service re-keys through the repartition topic.
    const flows = streamTraffic(28, 60, 11);
    const toMessage = (f: FlowRecord) => ({ key: f.gateway_id ?? 'none', value: encodeFlowAvro(f) });
    const cut = T0 + 250 * SEC;
    await produceBulk(h.kafka, topics.flows, flows.filter((f) => f.end_ms < cut).map(toMessage));
    await waitFor('both caught up on the first part', () => groupCaughtUp(h.kafka, topics.group, [topics.flows, repartition]), 60_000);

    await b.kill('SIGKILL');
    await produceBulk(h.kafka, topics.flows, flows.filter((f) => f.end_ms >= cut).map(toMessage));
    await waitFor('a owns every partition', async () => (await assignedEnginePartitions(aUrl, 'a', repartition)) === 4, 60_000);
    await waitFor('a caught up on everything', () => groupCaughtUp(h.kafka, topics.group, [topics.flows, repartition]), 90_000);

    // a restored b's partitions with the destinations b had learnt.
    const restoredWithState = a.lines
      .map((l) => JSON.parse(l) as { msg?: string; destinations?: number; partition?: number })
      .filter((l) => l.msg === 'state restored' && (l.destinations ?? 0) > 0);
    expect(restoredWithState.length).toBe(split[1]);

    // The reference: each repartitioned flow once (copies carry the same source offset), per
    // partition in the order the engines read them.
    const seen = new Set<string>();
    const perPartition: FlowRecord[][] = [[], [], [], []];
    for (const m of await readTopic(h.kafka, repartition)) {
      const pack = decodePack(m.value!);
      if (typeof pack === 'string') throw new Error(pack);
      for (const f of pack.flows) {
        const source = `${pack.sourcePartition}/${f.offset}`;
        if (seen.has(source)) continue;
        seen.add(source);
        const decoded = decodeFlowMessage(f.value, 'avro');
        if (!decoded.ok) throw new Error(decoded.reason);
        perPartition[m.partition].push(decoded.flow);
      }
    }
    expect(seen.size).toBe(flows.length);
    const reference = replayAlerts(config, perPartition);
    const alerts = await readAlerts(h.kafka, topics.alerts);
    expect([...new Set(alerts.map((x) => x.alert_id))].sort()).toEqual(reference.map((x) => x.alert_id).sort());
    expect(reference.filter((x) => x.detected_at_ms >= cut && x.type === 'NEW_DESTINATION').length).toBeGreaterThan(0);
    expect(reference.filter((x) => x.detected_at_ms >= cut && x.type === 'VOLUME_SPIKE').length).toBeGreaterThan(0);

    await a.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
  });
});
