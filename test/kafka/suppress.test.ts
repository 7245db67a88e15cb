// Suppressions end to end on the real broker: `suppress add` before the service starts (loaded
// by reading the topic to its end) and another while it runs (followed live); the covered
// alerts land on the suppressed topic with their suppression, the others on the incident
// topic; both topics verify as intact chains; the audit topic holds every change; and once
// the event time passes the expiry the same kind of alert is published again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { suppressAdd, suppressList, suppressRemove } from '../../src/cli/suppress-command.js';
import { runVerify } from '../../src/cli/verify-command.js';
import { loadConfig } from '../../src/config/load.js';
import type { Alert } from '../../src/engine/types.js';
import { encodeFlowJson } from '../../src/io/wire.js';
import { decodeAuditEvent, encodeSuppression } from '../../src/suppress/records.js';
import { useInProcessServices } from './helpers/in-process.js';
import { createTopic, flow, produce, readAlerts, readTopic, serviceConfig, serviceYaml, uniqueTopics, waitFor } from './helpers/service-fixtures.js';

const SEC = 1000;
const MIN = 60 * SEC;

const h = useInProcessServices();
const dir = mkdtempSync(join(tmpdir(), 'egress-suppress-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kinds = (alerts: Alert[]) => alerts.map((a) => `${a.type} ${a.destination} ${a.suppressed_by?.id ?? '-'}`).sort();

describe('suppressions in the service', () => {
  it('routes covered alerts to the suppressed topic with their suppression, audits every change, verifies both chains, and stops at the expiry', async () => {
    const topics = uniqueTopics('suppress');
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, serviceYaml(h.broker.bootstrap, topics));
    const config = loadConfig(configFile);
    expect(config.kafka.topics.suppressed).toBe(`${topics.alerts}.suppressed`);
    await createTopic(h.kafka, topics.flows, 1);

    // Event times near the wall clock: the CLI dates a suppression now and limits its expiry from there.
    const now = Date.now();
    const base = Math.floor((now - MIN) / (10 * SEC)) * 10 * SEC;
    const expires = new Date(base + 10 * MIN).toISOString();
    const add = (id: string, destination: string, type: string) =>
      suppressAdd(config, { id, destination, type, reason: `${id} is known`, owner: 'soc-lead', expires, actor: 'test-analyst' });

    await add('us-residency', 'us.example.com', 'RESIDENCY_VIOLATION');
    // Written past the CLI: a scope that would widen is refused by the service too, and said.
    const wide = { id: 'bad-wide', scope: { type: null, destination: '*.example.com', data_class: null, principal: null }, reason: 'r', owner: 'o', created_at_ms: now, expires_at_ms: now + MIN };
    await produce(h.kafka, config.kafka.topics.suppressions, [{ key: 'bad-wide', value: encodeSuppression(wide) }]);

    const lines: Array<{ msg: string }> = [];
    const log = pino({ level: 'info', base: null, timestamp: false }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const service = await h.start(config, 'in-process', log);
    expect(lines.map((l) => l.msg)).toContain('suppressions loaded: 1 in force (config and topic)');
    expect(lines.map((l) => l.msg)).toContain(
      `suppression record ${config.kafka.topics.suppressions}/0@1 refused, suppression bad-wide not in force: ` +
        'destination "*.example.com" is a pattern; a suppression covers one exact destination (a baseline key such as api.example.com), never a wildcard or a domain suffix',
    );

    // While it runs: followed from the topic, no restart.
    const added = await add('files-bypass', 'files.example.eu', 'GATEWAY_BYPASS');
    // The CLI reports the bad record it read on the way, too.
    const badWide =
      `${config.kafka.topics.suppressions}/0@1: suppression bad-wide not in force: ` +
      'destination "*.example.com" is a pattern; a suppression covers one exact destination (a baseline key such as api.example.com), never a wildcard or a domain suffix';
    expect(added.lines).toEqual([badWide, `suppression files-bypass added: GATEWAY_BYPASS alerts to files.example.eu until ${expires}, owner soc-lead`]);
    await waitFor('the service to follow the new suppression', () => lines.some((l) => l.msg === 'suppression files-bypass in force'));

    const flows = [
      flow({ dst_host: 'us.example.com', dst_country: 'US', end_ms: base + 2 * SEC }), // covered by us-residency
      flow({ dst_host: 'files.example.eu', gateway_id: null, end_ms: base + 5 * SEC }), // covered by files-bypass
      flow({ dst_host: 'crm.example.eu', principal: 'mallory', end_ms: base + 8 * SEC }), // not covered
      flow({ dst_host: 'us.example.com', dst_country: 'US', end_ms: base + 11 * MIN }), // after the expiry: an incident again
    ];
    await produce(h.kafka, topics.flows, flows.map((f) => ({ key: f.flow_id, value: encodeFlowJson(f) })));
    await waitFor('all flows processed', () => service.counters().processed === flows.length);

    const incidents = await waitFor('2 incidents', async () => {
      const a = await readAlerts(h.kafka, topics.alerts);
      return a.length >= 2 ? a : undefined;
    });
    const suppressed = await waitFor('2 suppressed alerts', async () => {
      const a = await readAlerts(h.kafka, config.kafka.topics.suppressed);
      return a.length >= 2 ? a : undefined;
    });
    expect(kinds(incidents)).toEqual(['RESIDENCY_VIOLATION us.example.com -', 'UNAUTHORIZED_PRINCIPAL crm.example.eu -']);
    expect(incidents.find((a) => a.type === 'RESIDENCY_VIOLATION')?.detected_at_ms).toBe(base + 11 * MIN);
    expect(kinds(suppressed)).toEqual(['GATEWAY_BYPASS files.example.eu files-bypass', 'RESIDENCY_VIOLATION us.example.com us-residency']);
    expect(suppressed.find((a) => a.type === 'RESIDENCY_VIOLATION')?.suppressed_by).toEqual({
      id: 'us-residency',
      scope: { type: 'RESIDENCY_VIOLATION', destination: 'us.example.com', data_class: null, principal: null },
      reason: 'us-residency is known',
      owner: 'soc-lead',
      created_at_ms: expect.any(Number),
      expires_at_ms: base + 10 * MIN,
    });
    expect(suppressed.map((a) => a.chain_id)).toEqual([`${service.layout.engineInput}/0/suppressed`, `${service.layout.engineInput}/0/suppressed`]);
    expect((await readTopic(h.kafka, config.kafka.topics.suppressed)).map((m) => m.headers['x-suppressed-by']).sort()).toEqual(['files-bypass', 'us-residency']);
    expect(service.counters().suppressed).toEqual({ RESIDENCY_VIOLATION: 1, GATEWAY_BYPASS: 1 });

    // Both logs are gap-free chains that agree with the heads recorded in the changelog.
    await waitFor('the changelog marker', async () => (await readTopic(h.kafka, topics.changelog)).length > 0);
    const incidentsVerified = await runVerify({ config: configFile });
    expect(incidentsVerified.intact).toBe(true);
    const suppressedVerified = await runVerify({ config: configFile, topic: config.kafka.topics.suppressed });
    expect(suppressedVerified.lines.at(-1)).toBe('  intact: every link checks and no alert is missing');
    expect(suppressedVerified.intact).toBe(true);

    // Removing is audited too; list shows what is left.
    expect((await suppressRemove(config, 'us-residency', 'test-analyst')).lines).toEqual([badWide, 'suppression us-residency removed: RESIDENCY_VIOLATION alerts to us.example.com']);
    const listed = await suppressList(config, {});
    expect(listed.lines).toEqual([badWide, `files-bypass  GATEWAY_BYPASS alerts to files.example.eu  until ${expires}  owner soc-lead  (topic)  files-bypass is known`]);
    const audit = (await readTopic(h.kafka, config.kafka.topics.suppression_audit)).map((m) => {
      const e = decodeAuditEvent(m.value!);
      if (!e.ok) throw new Error(e.reason);
      return `${m.key} ${e.value.action} ${e.value.suppression.id} by ${e.value.actor}`;
    });
    expect(audit).toEqual(['us-residency add us-residency by test-analyst', 'files-bypass add files-bypass by test-analyst', 'us-residency remove us-residency by test-analyst']);
    const records = await readTopic(h.kafka, config.kafka.topics.suppressions);
    expect(records.map((m) => `${m.key} ${m.value === null ? 'tombstone' : 'record'}`)).toEqual(['us-residency record', 'bad-wide record', 'files-bypass record', 'us-residency tombstone']);
    await service.stop();
  });

  it('refuses a widening scope before touching Kafka', async () => {
    // Brokers nobody listens on: the refusal must come first.
    const config = serviceConfig('127.0.0.1:9', uniqueTopics('refused'));
    await expect(suppressAdd(config, { destination: '*.example.com', reason: 'r', owner: 'o', expires: '7d' })).rejects.toThrow(
      'suppress add refused: --destination: destination "*.example.com" is a pattern; a suppression covers one exact destination (a baseline key such as api.example.com), never a wildcard or a domain suffix',
    );
  });
});
