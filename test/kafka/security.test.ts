// The service against a locked-down broker: TLS with a CA made for the test, SCRAM-SHA-512
// logins, the StandardAuthorizer with no access without an ACL. The service's user gets
// exactly the ACLs serviceAcls() lists (the list docs/operations.md documents) and nothing more;
// the real `egress-watch run` child process then turns flows into the expected alerts.
// Passwords come from an environment variable or a file and never appear in any output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchAlerts } from '../../src/cli/alerts-command.js';
import { loadConfig } from '../../src/config/load.js';
import { serviceAcls, toAclEntries, type AclRule } from '../../src/kafka/acls.js';
import { encodeFlowJson } from '../../src/io/wire.js';
import { startSecureBroker, type SecureBroker, type ScramUser } from './helpers/secure-broker.js';
import { ensureBuilt, spawnService, waitReady, type ServiceProcess } from './helpers/service-process.js';
import {
  alertTraffic,
  produce,
  readAlerts,
  readTopic,
  serviceYaml,
  typeAndDestination,
  uniqueTopics,
  waitFor,
  type TopicNames,
} from './helpers/service-fixtures.js';
import { makeTestCertificates, type TestCertificates } from './helpers/tls-certs.js';

const { Kafka: KafkaClient, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

// Letters and digits only (the storage tool's --add-scram syntax), long enough to be unmistakable in any output.
const password = () => `pw${randomBytes(15).toString('hex')}`;
const ADMIN: ScramUser = { username: 'ew-admin', password: password() };
const SERVICE: ScramUser = { username: 'ew-svc', password: password() };
const NO_FLOWS_READ: ScramUser = { username: 'ew-no-flows-read', password: password() };
const NO_GROUP_READ: ScramUser = { username: 'ew-no-group-read', password: password() };
const USERS = [SERVICE, NO_FLOWS_READ, NO_GROUP_READ];
const SECRETS = [ADMIN, ...USERS].map((u) => u.password);
const PASSWORD_ENV = 'EW_TEST_KAFKA_PASSWORD';

let dir: string;
let certs: TestCertificates;
let broker: SecureBroker;
let adminKafka: Kafka;
let admin: Admin;
const children: ServiceProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'egress-watch-security-'));
  certs = makeTestCertificates(dir);
  broker = await startSecureBroker({ certs, admin: ADMIN, users: USERS });
  adminKafka = clientAs(ADMIN);
  admin = adminKafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await admin?.disconnect();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function clientAs(user: ScramUser, ca = certs.caPem): Kafka {
  return new KafkaClient({
    clientId: 'ew-security-test',
    brokers: [broker.saslSsl],
    logLevel: logLevel.NOTHING,
    ssl: { ca: [readFileSync(ca, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: user.username, password: user.password },
    retry: { retries: 2 },
  });
}

/** A config file for `user` over SASL_SSL; the password from PASSWORD_ENV or from a file. */
function writeConfig(name: string, t: TopicNames, user: ScramUser, source: 'env' | 'file' = 'env'): string {
  const passwordLine =
    source === 'env' ? `password_env: ${PASSWORD_ENV}` : `password_file: ${writePasswordFile(`${name}.password`, user.password)}`;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    serviceYaml(broker.saslSsl, t, {
      kafka: [`  ssl: {ca: ${certs.caPem}}`, `  sasl: {mechanism: scram-sha-512, username: ${user.username}, ${passwordLine}}`].join('\n'),
    }),
  );
  return file;
}

function writePasswordFile(name: string, secret: string): string {
  const file = join(dir, name);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 }); // as `echo secret > file` writes it
  return file;
}

function run(configFile: string, instance: string, env: NodeJS.ProcessEnv, extraArgs: string[] = []): ServiceProcess {
  const args = ['--config', configFile, '--instance-id', instance, '--session-timeout', '10s', ...extraArgs];
  const p = spawnService(args, { env: { ...process.env, ...env } });
  children.push(p);
  return p;
}

/** The operator's set-up, as docs/operations.md describes it: the admin creates the topics, then grants the ACLs. */
async function createServiceTopics(t: TopicNames, partitions: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: t.flows, numPartitions: partitions },
      { topic: `${t.group}.repartition`, numPartitions: partitions },
      { topic: t.alerts },
      { topic: t.dead_letter },
      { topic: t.changelog, numPartitions: partitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: `${t.alerts}.suppressions`, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: `${t.alerts}.suppressed` },
    ],
  });
}

/** Grants the rules and waits until the broker lists them all: ACLs reach the authorizer through the metadata log. */
async function grant(rules: AclRule[], user: ScramUser): Promise<string[]> {
  const entries = toAclEntries(rules, `User:${user.username}`);
  await admin.createAcls({ acl: entries });
  return waitFor(`the ACLs of ${user.username}`, async () => {
    const acls = await aclsOf(user);
    return acls.length >= entries.length ? acls : undefined;
  });
}

/** Every ACL the broker holds for the user, as `TYPE PATTERN name OPERATION` lines, sorted. */
async function aclsOf(user: ScramUser): Promise<string[]> {
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    principal: `User:${user.username}`,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  const name = <T extends object>(enumeration: T, value: number) => Object.entries(enumeration).find(([, v]) => v === value)?.[0];
  return resources
    .flatMap((r) =>
      r.acls.map(
        (a) =>
          `${name(AclResourceTypes, r.resourceType)} ${name(ResourcePatternTypes, r.resourcePatternType)} ${r.resourceName} ` +
          `${name(AclOperationTypes, a.operation)} ${name(AclPermissionTypes, a.permissionType)} ${a.host}`,
      ),
    )
    .sort();
}

function expectNoSecret(p: ServiceProcess): void {
  const output = [...p.lines, ...p.stdout].join('\n');
  for (const secret of SECRETS) expect(output).not.toContain(secret);
}

function lastLine(p: ServiceProcess): string {
  return p.lines.filter((l) => l.trim() !== '').at(-1) ?? '';
}

describe('the service over TLS + SASL/SCRAM with exactly the documented ACLs', () => {
  it('refuses a broker certificate from a CA the client does not trust', async () => {
    const untrusting = clientAs(ADMIN, certs.otherCaPem).admin();
    await expect(untrusting.connect()).rejects.toThrow(/self-signed certificate|unable to verify|certificate/i);
    await untrusting.disconnect();
  });

  it('turns flows into alerts with the password from an environment variable, then restores its state with the password from a file', async () => {
    const t = uniqueTopics('sec');
    const configFile = writeConfig('service', t, SERVICE, 'env');
    const config = loadConfig(configFile);
    await createServiceTopics(t, 2);
    const granted = await grant(serviceAcls(config), SERVICE);

    // Exactly the documented list, nothing more (READ and WRITE imply DESCRIBE; no CREATE, no cluster right,
    // no IDEMPOTENT_WRITE: the state producers' transactional ids are enough).
    const group = t.group;
    expect(granted).toEqual(
      [
        `TOPIC LITERAL ${t.flows} READ ALLOW *`,
        `TOPIC LITERAL ${group}.repartition READ ALLOW *`,
        `TOPIC LITERAL ${group}.repartition WRITE ALLOW *`,
        `TOPIC LITERAL ${t.changelog} READ ALLOW *`,
        `TOPIC LITERAL ${t.changelog} WRITE ALLOW *`,
        `TOPIC LITERAL ${t.changelog} DESCRIBE_CONFIGS ALLOW *`,
        `TOPIC LITERAL ${t.alerts} WRITE ALLOW *`,
        `TOPIC LITERAL ${t.dead_letter} WRITE ALLOW *`,
        `TOPIC LITERAL ${t.alerts}.suppressions READ ALLOW *`,
        `TOPIC LITERAL ${t.alerts}.suppressed WRITE ALLOW *`,
        `GROUP LITERAL ${group} READ ALLOW *`,
        `GROUP PREFIXED ${group}.restore. READ ALLOW *`,
        `GROUP PREFIXED ${group}.restore. DELETE ALLOW *`,
        `GROUP PREFIXED ${group}.suppressions. READ ALLOW *`,
        `GROUP PREFIXED ${group}.suppressions. DELETE ALLOW *`,
        `TRANSACTIONAL_ID PREFIXED ${group}.state. WRITE ALLOW *`,
      ].sort(),
    );

    const traffic = alertTraffic();
    const messages = traffic.flows.map((f) => ({ key: f.flow_id, value: encodeFlowJson(f) }));
    messages.splice(3, 0, { key: 'bad', value: Buffer.from('{"flow_id": "x"') });
    await produce(adminKafka, t.flows, messages);

    // Debug logging: the most the service ever writes, all of it checked for the password below.
    const first = run(configFile, 'sec-1', { [PASSWORD_ENV]: SERVICE.password }, ['--log-level', 'debug']);
    await waitReady(first);
    const alerts = await waitFor('the five alerts', async () => {
      const got = await readAlerts(adminKafka, t.alerts);
      return got.length >= traffic.expected.length ? got : undefined;
    });
    expect(typeAndDestination(alerts)).toEqual(typeAndDestination(traffic.expected as never));
    const deadLetters = await waitFor('the dead letter', async () => {
      const got = await readTopic(adminKafka, t.dead_letter);
      return got.length > 0 ? got : undefined;
    });
    expect(deadLetters.map((m) => m.key)).toEqual(['bad']);
    await waitFor('the changelog', async () => ((await readTopic(adminKafka, t.changelog)).length > 0 ? true : undefined));
    expect(await first.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expectNoSecret(first);

    // The restart reads the changelog (not empty, waited for above) back through a single-use
    // group `<group>.restore.<uuid>` (READ on the prefix; without it the instance never gets
    // ready) and deletes that group afterwards (DELETE on the prefix; without it the group would
    // still be listed). The password now comes from a file.
    const fileConfig = writeConfig('service-file', t, SERVICE, 'file');
    const second = run(fileConfig, 'sec-2', {});
    await waitReady(second);
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(group));
    // While it runs it follows the suppressions topic through a single-use group of its own
    // (`<group>.suppressions.<uuid>`; the first instance deleted its own at SIGTERM).
    const following = groups.filter((g) => g.startsWith(`${group}.suppressions.`));
    expect(following).toHaveLength(1);
    expect(groups.filter((g) => !following.includes(g))).toEqual([group]);
    expect(second.lines.filter((l) => /"level":(40|50|60)/.test(l) && !l.includes('"component":"kafkajs"'))).toEqual([]);
    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expectNoSecret(second);
  });

  it('`alerts` for a user who may not use its console group ends with the refusal, not a silent wait', async () => {
    const t = uniqueTopics('sec-console');
    const configFile = writeConfig('console-no-group', t, NO_GROUP_READ, 'env');
    await createServiceTopics(t, 1);
    // It may read the incident topic, but no group of the `<group>.console.` prefix.
    await grant([{ resourceType: 'TOPIC', patternType: 'LITERAL', name: t.alerts, operations: ['READ'], why: 'test' }], NO_GROUP_READ);
    process.env[PASSWORD_ENV] = NO_GROUP_READ.password;
    try {
      const watching = watchAlerts(loadConfig(configFile), { timeoutMs: 120_000, write: () => {}, clientLog: () => {} });
      // Before, kafkajs's crash went unheard and the watch waited for its timeout.
      await expect(watching).rejects.toThrow(
        `no group coordinator for user "ew-no-group-read" (kafkajs: Failed to find group coordinator): kafkajs reports a consumer group ` +
          'the user may not use this way, after logging "Group authorization failed". ' +
          `\`egress-watch alerts\` needs: READ, DELETE on group ${t.group}.console. (prefixed); ` +
          'docs/operations.md, section "Security", lists what each command needs',
      );
    } finally {
      delete process.env[PASSWORD_ENV];
    }
  });

  it('a wrong password fails at once, naming the user and where the password came from, not the password', async () => {
    const t = uniqueTopics('sec-wrong');
    const configFile = writeConfig('wrong', t, SERVICE, 'env');
    const wrong = password();
    const p = run(configFile, 'sec-wrong', { [PASSWORD_ENV]: wrong });
    expect(await p.exited).toEqual({ code: 1, signal: null });
    expect(lastLine(p)).toBe(
      `egress-watch: Kafka at ${broker.saslSsl} refused the SASL login of user "ew-svc" (scram-sha-512): ` +
        'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512. ' +
        `Check the user name in kafka.sasl.username and the password in environment variable ${PASSWORD_ENV} (kafka.sasl)`,
    );
    const output = [...p.lines, ...p.stdout].join('\n');
    expect(output).not.toContain(wrong);
    expectNoSecret(p);
  });

  it('a missing password variable or file is named, and nothing starts', async () => {
    const t = uniqueTopics('sec-missing');
    const envConfig = writeConfig('missing-env', t, SERVICE, 'env');
    const unset = run(envConfig, 'sec-unset', { [PASSWORD_ENV]: '' });
    expect(await unset.exited).toEqual({ code: 2, signal: null });
    expect(lastLine(unset)).toBe(`egress-watch: ${envConfig}: kafka.sasl.password_env: environment variable ${PASSWORD_ENV} is not set`);

    const fileConfig = writeConfig('missing-file', t, SERVICE, 'file');
    const passwordFile = join(dir, 'missing-file.password');
    writeFileSync(passwordFile, '\n');
    const empty = run(fileConfig, 'sec-empty', {});
    expect(await empty.exited).toEqual({ code: 2, signal: null });
    expect(lastLine(empty)).toBe(`egress-watch: ${fileConfig}: kafka.sasl.password_file: ${passwordFile} is empty`);
    // (A password file that does not exist is a config error at load: test/kafka/secret.test.ts.)
    for (const p of [unset, empty]) expectNoSecret(p);
  });

  it('a user without READ on the flows topic is told which topics and ACLs the service needs', async () => {
    const t = uniqueTopics('sec-noflows');
    const configFile = writeConfig('no-flows-read', t, NO_FLOWS_READ, 'env');
    const rules = serviceAcls(loadConfig(configFile));
    await createServiceTopics(t, 1);
    await grant(rules.filter((r) => r.name !== t.flows), NO_FLOWS_READ);

    const p = run(configFile, 'sec-noflows', { [PASSWORD_ENV]: NO_FLOWS_READ.password });
    expect(await p.exited).toEqual({ code: 1, signal: null });
    expect(lastLine(p)).toBe(
      `egress-watch: Kafka refused user "ew-no-flows-read" to create topic ${t.flows} (TOPIC_AUTHORIZATION_FAILED). ` +
        'Either it does not exist: create the topics before starting the service, which needs no CREATE right; ' +
        'or it exists and the ACLs do not let this user see it. ' +
        `The service needs: READ on topic ${t.flows}; READ, WRITE on topic ${t.group}.repartition; ` +
        `READ, WRITE, DESCRIBE_CONFIGS on topic ${t.changelog}; WRITE on topic ${t.alerts}; WRITE on topic ${t.dead_letter}; ` +
        `READ on topic ${t.alerts}.suppressions; WRITE on topic ${t.alerts}.suppressed; ` +
        'docs/operations.md, section "Security", lists every ACL the service needs',
    );
    expectNoSecret(p);
  });

  it('a user without READ on its consumer group is told which group ACLs the service needs', async () => {
    const t = uniqueTopics('sec-nogroup');
    const configFile = writeConfig('no-group-read', t, NO_GROUP_READ, 'env');
    const rules = serviceAcls(loadConfig(configFile));
    await createServiceTopics(t, 1);
    await grant(rules.filter((r) => !(r.resourceType === 'GROUP' && r.patternType === 'LITERAL')), NO_GROUP_READ);

    const p = run(configFile, 'sec-nogroup', { [PASSWORD_ENV]: NO_GROUP_READ.password });
    expect(await p.exited).toEqual({ code: 1, signal: null });
    const fatal = p.lines.map((l) => JSON.parse(l) as { level: number; err?: { message: string } }).filter((l) => l.level === 60);
    expect(fatal.map((l) => l.err?.message)).toContain(
      'no group coordinator for user "ew-no-group-read" (kafkajs: Failed to find group coordinator): kafkajs reports a consumer group ' +
        'the user may not use this way, after logging "Group authorization failed". ' +
        `The service needs: READ on group ${t.group}; READ, DELETE on group ${t.group}.restore. (prefixed); ` +
        `READ, DELETE on group ${t.group}.suppressions. (prefixed); ` +
        'docs/operations.md, section "Security", lists every ACL the service needs',
    );
    expect(p.lines.some((l) => l.includes('"error":"Not authorized to access group: Group authorization failed"'))).toBe(true);
    expectNoSecret(p);
  });
});
