// The service as a child process, SIGKILLed in the middle of a stream and started again:
// no alert is lost (the alert ids equal those of an unbroken in-process run over the same
// records in the same per-partition order; repeats of an id are allowed), and the restarted
// instance raises no NEW_DESTINATION for what it had learnt and keeps its volume baselines.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify-command.js';
import type { FlowRecord } from '../../src/engine/types.js';
import { encodeFlowJson } from '../../src/io/wire.js';
import {
  createTopic,
  groupCaughtUp,
  produceBulk,
  readAlerts,
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

const h = useServiceHarness('egress-watch-restart-');
const run = h.run;

const PARTITIONS = 2;
const partitionOf = (f: FlowRecord) => Number(/^dest-(\d+)\./.exec(f.dst_host!)![1]) % PARTITIONS;

describe('egress-watch run, killed and restarted', () => {
  it('loses no alert and raises no false NEW_DESTINATION after a SIGKILL mid-stream', async () => {
    const topics = uniqueTopics('restart');
    // Repartitioning off and records keyed to partitions by destination here: the reference
    // run below then reads exactly the per-partition order the service read.
    const yaml = serviceYaml(h.broker.bootstrap, topics, { repartition: false });
    const config = serviceConfig(h.broker.bootstrap, topics, { repartition: false });
    const configFile = join(h.dir, 'restart.yaml');
    writeFileSync(configFile, yaml);
    await createTopic(h.kafka, topics.flows, PARTITIONS);

    const flows = streamTraffic(28, 60);
    const toMessage = (f: FlowRecord) => ({ key: f.dst_host, partition: partitionOf(f), value: encodeFlowJson(f) });
    const cut = T0 + 250 * SEC;
    const before = flows.filter((f) => f.end_ms < cut);
    const after = flows.filter((f) => f.end_ms >= cut);

    const first = run(configFile, 'first');
    const firstUrl = await waitReady(first);
    await produceBulk(h.kafka, topics.flows, before.map(toMessage));
    const processed = async () => (await scrape(`${firstUrl}/metrics`)).get('egress_watch_records_processed_total{instance="first"}') ?? 0;
    await waitFor('the first part processed', async () => (await processed()) === before.length);

    // Stream the second part in small pieces and kill the service while it is busy with them.
    const firstHalfOfRest = after.slice(0, Math.floor(after.length / 2));
    const pieces: Promise<void>[] = [];
    for (let i = 0; i < firstHalfOfRest.length; i += 40) {
      pieces.push(produceBulk(h.kafka, topics.flows, firstHalfOfRest.slice(i, i + 40).map(toMessage)));
      await Promise.all(pieces.splice(0));
      if (i === 400) {
        await waitFor('some of the second part processed', async () => (await processed()) > before.length + 100);
        const { signal } = await first.kill('SIGKILL');
        expect(signal).toBe('SIGKILL');
      }
    }
    await produceBulk(h.kafka, topics.flows, after.slice(firstHalfOfRest.length).map(toMessage));

    const second = run(configFile, 'second');
    await waitReady(second);
    await waitFor('the restarted service caught up', () => groupCaughtUp(h.kafka, topics.group, [topics.flows]), 90_000);

    const alerts = await readAlerts(h.kafka, topics.alerts);
    const partitions = [0, 1].map((p) => flows.filter((f) => partitionOf(f) === p));
    const reference = replayAlerts(config, partitions);
    const ids = new Set(alerts.map((a) => a.alert_id));
    expect([...ids].sort()).toEqual(reference.map((a) => a.alert_id).sort());

    // The reference does raise new-destination and volume alerts after the restart point, so
    // an instance that had forgotten its state would have differed above; and no destination
    // got NEW_DESTINATION twice.
    const afterCut = reference.filter((a) => a.detected_at_ms >= cut);
    expect(afterCut.filter((a) => a.type === 'NEW_DESTINATION').length).toBeGreaterThan(0);
    expect(afterCut.filter((a) => a.type === 'VOLUME_SPIKE').length).toBeGreaterThan(0);
    const newDest = alerts.filter((a) => a.type === 'NEW_DESTINATION');
    const distinct = new Map(newDest.map((a) => [`${a.destination}|${a.data_class}`, new Set<string>()]));
    for (const a of newDest) distinct.get(`${a.destination}|${a.data_class}`)!.add(a.alert_id);
    for (const [key, set] of distinct) expect({ key, ids: set.size }).toEqual({ key, ids: 1 });

    // The alert log survived the crash intact: one hash chain per partition, every link in
    // place (repeats after the crash are identical links), and its ends agree with the chain
    // heads recorded in the changelog.
    const verified = await runVerify({ config: configFile });
    expect(verified.intact).toBe(true);
    const chainLines = verified.lines.filter((l) => l.startsWith('  chain ')).map((l) => l.replace(/, head [0-9a-f]{64}$/, ''));
    const perPartition = partitions.map((p) => replayAlerts(config, [p]).length);
    expect(chainLines).toEqual(perPartition.map((n, p) => `  chain ${topics.flows}/${p}: seq 0..${n - 1} (${n} links)`));

    await second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
