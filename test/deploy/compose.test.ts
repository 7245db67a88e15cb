// No Docker engine runs here: the Dockerfile and docker-compose.yml are checked for the
// structure they must have, and the commands they run are parsed by the real CLI options.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addGenerateOptions } from '../../src/cli/generate-command.js';
import { registerGenerateTopicOptions, topicPlanFrom } from '../../src/cli/generate-topic.js';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_KAFKA_VERSION } from '../../src/kafka/local-broker.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Dockerfile instructions: comments and blank lines dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = pending + line;
    pending = '';
    const match = /^(\S+)\s+(.*)$/.exec(full);
    if (match === null) throw new Error(`Dockerfile:${startLine}: not an instruction: ${full}`);
    out.push({ line: startLine, keyword: match[1].toUpperCase(), args: match[2] });
  });
  return out;
}

describe('Dockerfile', () => {
  const instructions = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const stages = instructions.filter((i) => i.keyword === 'FROM');
  const finalStage = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));

  it('builds on node:20-slim in every stage', () => {
    expect(stages.map((s) => s.args)).toEqual(['node:20-slim AS build', 'node:20-slim']);
  });

  it('installs with npm ci from the lock file and compiles', () => {
    const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs).toContain('npm ci --ignore-scripts');
    expect(runs).toContain('npm run build');
    expect(runs.some((r) => r.startsWith('npm ci --omit=dev'))).toBe(true);
  });

  it('runs as a user that is not root, with egress-watch as the entrypoint', () => {
    const users = finalStage.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users).toEqual(['node']);
    const entrypoint = finalStage.filter((i) => i.keyword === 'ENTRYPOINT').map((i) => JSON.parse(i.args) as string[]);
    expect(entrypoint).toEqual([['egress-watch']]);
    const cmd = finalStage.filter((i) => i.keyword === 'CMD').map((i) => JSON.parse(i.args) as string[]);
    expect(cmd).toEqual([['run', '--config', '/app/config/docker.yaml']]);
  });

  it('copies every folder the package ships (package.json "files")', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    const copied = finalStage.filter((i) => i.keyword === 'COPY').map((i) => i.args.split(/\s+/).slice(-2)[0].replace(/^\/app\//, ''));
    for (const folder of pkg.files) expect(copied).toContain(folder);
  });

  it('.dockerignore keeps node_modules and dist of the host out of the build', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.egress-watch']));
  });
});

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  const { kafka, generator } = compose.services;
  const service = compose.services['egress-watch'];

  it('has the services kafka, egress-watch and generator', () => {
    expect(Object.keys(compose.services)).toEqual(['kafka', 'egress-watch', 'generator']);
  });

  it('runs Apache Kafka of the version `egress-watch local` runs, in KRaft mode', () => {
    expect(kafka.image).toBe(`apache/kafka:${DEFAULT_KAFKA_VERSION}`);
    const env = kafka.environment!;
    for (const key of [
      'CLUSTER_ID',
      'KAFKA_NODE_ID',
      'KAFKA_PROCESS_ROLES',
      'KAFKA_CONTROLLER_QUORUM_VOTERS',
      'KAFKA_CONTROLLER_LISTENER_NAMES',
      'KAFKA_LISTENERS',
      'KAFKA_ADVERTISED_LISTENERS',
      'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP',
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
    ]) {
      expect(env, key).toHaveProperty(key);
    }
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    // KRaft cluster ids are 16 bytes in base64url without padding.
    expect(Buffer.from(String(env.CLUSTER_ID), 'base64url')).toHaveLength(16);
    expect(String(env.CLUSTER_ID)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(String(env.KAFKA_ADVERTISED_LISTENERS).split(',')).toContain('PLAINTEXT://kafka:9092');
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    expect(ports).toEqual(['127.0.0.1:9094:9094', '127.0.0.1:9464:9464']);
  });

  it('starts the service after Kafka is healthy and the generator after the service is ready', () => {
    expect(service.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    expect(generator.depends_on).toEqual({ 'egress-watch': { condition: 'service_healthy' } });
    expect(service.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:9464/readyz');
  });

  it('runs the service on config/docker.yaml, which loads and points at kafka:9092', () => {
    expect(service.build).toBe('.');
    expect(service.command).toEqual(['run', '--config', '/config/docker.yaml']);
    expect(service.volumes).toEqual(['./config:/config:ro']);
    const docker = loadConfig(join(ROOT, 'config', 'docker.yaml'));
    const example = loadConfig(join(ROOT, 'config', 'example.yaml'));
    expect(docker.kafka.brokers).toEqual(['kafka:9092']);
    expect(docker.service).toEqual({ ...example.service, http_host: '0.0.0.0' });
    // Only the addresses differ: the policy and detectors are the documented ones.
    expect(docker.policy).toEqual(example.policy);
    expect(docker.detectors).toEqual(example.detectors);
    expect({ ...docker.kafka, brokers: [] }).toEqual({ ...example.kafka, brokers: [] });
  });

  it('runs the generator with options `generate` accepts, to the flows topic of the config', () => {
    expect(generator.image).toBe(service.image);
    const [name, ...args] = generator.command!;
    expect(name).toBe('generate');
    const cmd = registerGenerateTopicOptions(addGenerateOptions(new Command('generate'))).exitOverride().option('-o, --output <file>', '', '-');
    cmd.parse(args, { from: 'user' });
    const opts = cmd.opts();
    const plan = topicPlanFrom(opts);
    expect(plan.topic).toBe(loadConfig(join(ROOT, 'config', 'docker.yaml')).kafka.topics.flows);
    expect(plan.configFile).toBe('/config/docker.yaml');
    expect(plan.format).toBe('avro');
  });
});
