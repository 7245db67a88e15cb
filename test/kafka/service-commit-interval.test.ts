// kafka.commit_interval against the real broker: catching up on a backlog, an engine partition
// writes its state and commits its offset once instead of after every batch, and the result is
// the unbroken run's; a partition deferred while another one was still behind is written by
// another partition's batch once the instance has caught up; a service stopped mid-backlog
// writes its deferred state before leaving the group, so its successor re-reads nothing.
import { describe, expect, it } from 'vitest';
import { encodeFlowJson } from '../../src/io/wire.js';
import { PROGRESS_KEY } from '../../src/kafka/progress.js';
import { useInProcessServices } from './helpers/in-process.js';
import {
  changelogShowsCommits,
  createTopic,
  groupCaughtUp,
  produceBulk,
  readAlerts,
  readTopic,
  replayAlerts,
  scrape,
  serviceConfig,
  streamTraffic,
  uniqueTopics,
  waitFor,
} from './helpers/service-fixtures.js';

const h = useInProcessServices();

// About 50,000 flows (18 MB of JSON): many fetches of 1 MB, so a backlog of many batches.
const flows = streamTraffic(300, 120);
// A few hundred flows to other destinations: one batch, after which its partition has nothing left.
const small = streamTraffic(10, 30, 9).map((f) => ({ ...f, dst_host: f.dst_host!.replace('dest-', 'small-') }));

/**
 * The flows on partition 0 (and `small` on partition 1, when given) before the service starts.
 * Repartitioning off: the service reads each partition in the order given.
 */
async function backlog(label: string, interval: string, withSmall: boolean) {
  const topics = uniqueTopics(label);
  const config = serviceConfig(h.broker.bootstrap, topics, { repartition: false, kafka: `  commit_interval: ${interval}` });
  await createTopic(h.kafka, topics.flows, withSmall ? 2 : 1);
  await produceBulk(h.kafka, topics.flows, flows.map((f) => ({ key: f.dst_host, partition: 0, value: encodeFlowJson(f) })));
  if (withSmall) await produceBulk(h.kafka, topics.flows, small.map((f) => ({ key: f.dst_host, partition: 1, value: encodeFlowJson(f) })));
  const partitions = withSmall ? [flows, small] : [flows];
  return { topics, config, total: flows.length + (withSmall ? small.length : 0), reference: replayAlerts(config, partitions) };
}

const sortedIds = (alerts: Array<{ alert_id: string }>) => alerts.map((a) => a.alert_id).sort();

describe('egress-watch run: kafka.commit_interval', () => {
  it('writes state and commits once while catching up on a backlog, with the alerts of an unbroken run', async () => {
    expect(flows.length).toBeGreaterThan(40_000);
    const { topics, config, reference } = await backlog('cadence', '1h', false);
    const service = await h.start(config, 'cadence');
    await waitFor('the backlog processed', () => service.counters().processed === flows.length, 120_000);
    await waitFor('the offset committed', () => groupCaughtUp(h.kafka, topics.group, [topics.flows]));
    await waitFor('the changelog showing the transaction that committed it', () => changelogShowsCommits(h.kafka, topics.group, topics.flows, topics.changelog));

    const batches = (await scrape(service.metricsUrl)).get('egress_watch_batch_duration_seconds_count{instance="cadence",stage="engine"}') ?? 0;
    const markers = (await readTopic(h.kafka, topics.changelog)).filter((m) => m.key === PROGRESS_KEY);
    // Every batch but the last found records left behind it, and the hour never passed: one
    // write, by the batch that caught up. (After every batch, this would be one per batch.)
    expect(batches).toBeGreaterThan(5);
    expect(markers).toHaveLength(1);
    expect(JSON.parse(markers[0].value!.toString())).toMatchObject({ topic: topics.flows, next: flows.length });

    const alerts = await readAlerts(h.kafka, topics.alerts);
    expect(reference.length).toBeGreaterThan(50);
    expect(alerts.map((a) => a.alert_id)).toEqual(reference.map((a) => a.alert_id));
  });

  it('writes a partition deferred while another was behind, though no batch of its own comes', async () => {
    const { topics, config } = await backlog('cadence-idle', '1h', true);
    const service = await h.start(config, 'timer');
    await waitFor('both partitions processed', () => service.counters().processed === flows.length + small.length, 120_000);
    // Partition 1's only batch ended while partition 0 was behind, so it deferred; no batch of
    // its own follows, and the hour never passes: partition 0's batch that catches up writes it.
    await waitFor('both offsets committed while the service runs', () => groupCaughtUp(h.kafka, topics.group, [topics.flows]));
    // The offsets are seen committed before the changelog's commit marker may be (helpers).
    await waitFor('the changelog showing the transactions that committed them', () => changelogShowsCommits(h.kafka, topics.group, topics.flows, topics.changelog));
    const markers = (await readTopic(h.kafka, topics.changelog)).filter((m) => m.key === PROGRESS_KEY && m.partition === 1);
    expect(markers.map((m) => JSON.parse(m.value!.toString()).next)).toEqual([small.length]);
  });

  it('stopped mid-backlog, writes the deferred state and offsets before leaving: the next instance re-reads nothing', async () => {
    const { topics, config, total, reference } = await backlog('cadence-stop', '1h', true);
    const first = await h.start(config, 'first');
    await waitFor('some of the backlog processed', () => first.counters().processed > small.length, 120_000);
    await first.stop();
    const done = first.counters().processed;
    expect(done).toBeLessThan(total); // stopped with a backlog left, so state was deferred

    const second = await h.start(config, 'second');
    await waitFor('the rest processed', () => second.counters().processed + second.counters().skipped >= total - done, 120_000);
    await waitFor('the offsets committed', () => groupCaughtUp(h.kafka, topics.group, [topics.flows]));
    // Without the writes at stop the second instance would start from offset 0 with no state.
    expect(second.counters()).toMatchObject({ processed: total - done, skipped: 0 });

    // Nothing processed twice, so no alert twice, and together exactly the unbroken run's.
    expect(sortedIds(await readAlerts(h.kafka, topics.alerts))).toEqual(sortedIds(reference));
  });
});
