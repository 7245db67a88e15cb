// The fuzz run's targets: each draws inputs from the arbitraries of inputs.ts, feeds one entry
// point, checks the outcome with oracle.ts and returns its class for the counts. A check that
// fails throws: the run reports it as an escaped exception or a bad outcome.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config, KafkaConfig } from '../../src/config/types.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord } from '../../src/engine/types.js';
import { AvroFileWriter, readAvroBatches } from '../../src/io/avro-file.js';
import { openFlowInput } from '../../src/io/input.js';
import type { InputItem } from '../../src/io/input-item.js';
import { alertType } from '../../src/io/schemas.js';
import { decodeAlert, decodeFlowMessage, encodeAlert, encodeFlowAvro, encodeFlowConfluent, encodeFlowJson, type WireFormat, type WireOptions } from '../../src/io/wire.js';
import { gatewayDecoder, repartitionDecoder } from '../../src/kafka/decoder.js';
import { createDecoder } from '../../src/io/dialects/index.js';
import { decodeText } from '../../src/io/dialects/read-file.js';
import { dialectInputArb, dialectReasonProblem, type DialectInput } from './dialect-inputs.js';
import { reasonClass } from '../../src/kafka/dlq.js';
import {
  alertArb, applyDamage, applyMutation, damageArb, fitsAvro, mutationArb, newerFlowType, NEWER_FLOW_SCHEMA, newerRecordArb,
  rawNumberMutationArb, toJsonText, validFlowArb,
} from './inputs.js';
import { acceptedFlowProblem, alertContractProblem, fileItemProblem, fileReasonClass, judgeFlowOutcome, MAX_REASON_LENGTH, namesField, reasonClassOf } from './oracle.js';

/** One fuzz target: `draw` makes a batch of inputs from a seed, `run` tries one and returns outcome classes. */
export interface Target<T = unknown> {
  name: string;
  /** What one input is, for the report ("message", "file", "flow sequence"). */
  unit: string;
  draw(seed: number, n: number): T[];
  run(input: T, counts: Map<string, number>): Promise<void> | void;
  /** Inputs per batch: smaller for slow ones, so the time budget is kept. */
  batch: number;
}

function bump(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function sample<T>(arb: fc.Arbitrary<T>, seed: number, n: number): T[] {
  return fc.sample(arb, { seed, numRuns: n });
}

const NEWER_ID = 7;
const REGISTRY: WireOptions = { schemas: new Map([[NEWER_ID, newerFlowType()]]) };
const OPTIONS: WireOptions[] = [{}, REGISTRY, { ...REGISTRY, localFallback: true }];
const FORMATS: WireFormat[] = ['auto', 'avro', 'json'];

function frame(id: number, body: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeInt32BE(id, 1);
  return Buffer.concat([head, body]);
}

function fail(what: string): never {
  throw new Error(what);
}

const randomBytes: Target<[Uint8Array, number, number]> = {
  name: 'decodeFlowMessage: random bytes',
  unit: 'message',
  batch: 2000,
  draw: (seed, n) => sample(fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.nat(2), fc.nat(2)), seed, n),
  run: ([bytes, f, o], counts) => bump(counts, judgeFlowOutcome(decodeFlowMessage(Buffer.from(bytes), FORMATS[f], OPTIONS[o]))),
};

const damaged: Target<[FlowRecord, Record<string, unknown>, ReturnType<typeof damageArb> extends fc.Arbitrary<infer D> ? D[] : never, number, number]> = {
  name: 'decodeFlowMessage: valid encodings cut, bit-flipped, overwritten',
  unit: 'message',
  batch: 1000,
  draw: (seed, n) => sample(fc.tuple(validFlowArb(), newerRecordArb(), fc.array(damageArb(), { minLength: 1, maxLength: 3 }), fc.nat(3), fc.nat(2)), seed, n),
  run: ([flow, newer, damages, which, f], counts) => {
    const encodings: [Buffer, WireOptions][] = [
      [encodeFlowAvro(flow), {}],
      [encodeFlowConfluent(flow, 1), {}],
      [frame(NEWER_ID, newerFlowType().toBuffer(newer)), REGISTRY],
      [encodeFlowJson(flow), {}],
    ];
    const [whole, options] = encodings[which];
    bump(counts, judgeFlowOutcome(decodeFlowMessage(damages.reduce<Buffer>((b, d) => applyDamage(b, d), whole), FORMATS[f], options)));
  },
};

const badFields: Target<[FlowRecord, ReturnType<typeof mutationArb> extends fc.Arbitrary<infer M> ? M : never]> = {
  name: 'decodeFlowMessage: one bad field (JSON, raw Avro, Confluent; 1 MiB strings)',
  unit: 'record',
  batch: 500,
  draw: (seed, n) => sample(fc.tuple(validFlowArb(), fc.oneof(mutationArb({ mebibyte: true }), rawNumberMutationArb())), seed, n),
  run: ([flow, m], counts) => {
    const record = applyMutation(flow, m);
    const json = decodeFlowMessage(Buffer.from(toJsonText(record)), 'auto');
    const cls = judgeFlowOutcome(json);
    if (m.expect === 'reject' && json.ok) fail(`${m.kind} in ${m.field} was accepted`);
    if (!json.ok && !namesField(json.reason, m.field)) fail(`${m.kind} in ${m.field}: reason does not name it: ${json.reason}`);
    bump(counts, cls);
    if (m.kind === '1 MiB string') bump(counts, '(1 MiB strings among them)');
    if (!fitsAvro(record)) return;
    for (const [buf, schemaId] of [[encodeFlowAvro(record as never), undefined], [encodeFlowConfluent(record as never, 5), 5]] as const) {
      const out = decodeFlowMessage(buf, 'auto');
      judgeFlowOutcome(out);
      const want = schemaId === undefined ? json : { ...json, schemaId };
      if (JSON.stringify(out) !== JSON.stringify(want)) fail(`${m.kind} in ${m.field}: Avro says ${JSON.stringify(out).slice(0, 200)}, JSON ${JSON.stringify(json).slice(0, 200)}`);
    }
  },
};

const unknownIds: Target<[number, Uint8Array]> = {
  name: 'decodeFlowMessage: Confluent frames with unknown schema ids',
  unit: 'message',
  batch: 2000,
  draw: (seed, n) => sample(fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).filter((id) => id !== NEWER_ID), fc.uint8Array({ maxLength: 200 })), seed, n),
  run: ([id, body], counts) => {
    const out = decodeFlowMessage(frame(id, body), 'auto', REGISTRY);
    if (out.ok || out.reason !== `unknown schema id ${id}` || out.schemaId !== id) fail(`id ${id}: ${JSON.stringify(out).slice(0, 200)}`);
    bump(counts, 'schema-id');
  },
};

const alerts: Target<[Uint8Array, Alert, ReturnType<typeof damageArb> extends fc.Arbitrary<infer D> ? D : never, number]> = {
  name: 'decodeAlert: random bytes and damaged alerts',
  unit: 'message',
  batch: 1000,
  draw: (seed, n) => sample(fc.tuple(fc.uint8Array({ maxLength: 300 }), alertArb(), damageArb(), fc.nat(3)), seed, n),
  run: ([bytes, alert, damage, how], counts) => {
    const buf = how === 3 ? Buffer.from(bytes) : applyDamage(how === 0 ? encodeAlert(alert, 'json') : encodeAlert(alert, 'avro', how === 2 ? 12 : undefined), damage);
    const out = decodeAlert(buf, 'auto');
    if (out.ok) {
      if (!alertType().isValid(out.alert)) fail(`accepted an alert outside the schema: ${JSON.stringify(out.alert).slice(0, 200)}`);
      bump(counts, 'accepted');
    } else {
      const cls = reasonClassOf(out.reason);
      if (cls === null) fail(`vague alert reason: ${out.reason.slice(0, 200)}`);
      bump(counts, cls);
    }
  },
};

const METRIC_CLASS: Record<string, string> = {
  empty: 'empty', 'json-syntax': 'json', 'avro-truncated': 'avro', 'avro-trailing': 'avro', 'avro-structure': 'avro',
  'schema-id': 'schema', 'missing-field': 'invalid_record', 'field-value': 'invalid_record', 'not-a-record': 'invalid_record',
};
const SERVICE_DECODERS = [
  gatewayDecoder({ format: 'auto', schema_registry: null } as KafkaConfig),
  gatewayDecoder({ format: 'avro', schema_registry: null } as KafkaConfig),
  gatewayDecoder({ format: 'json', schema_registry: null } as KafkaConfig),
  repartitionDecoder,
];

const service: Target<[Uint8Array | null, number]> = {
  name: 'service topic decoders (gateway, repartition) and dead-letter classes',
  unit: 'message',
  batch: 2000,
  draw: (seed, n) => sample(fc.tuple(fc.option(fc.uint8Array({ maxLength: 300 }), { freq: 50 }), fc.nat(SERVICE_DECODERS.length - 1)), seed, n),
  run: ([bytes, which], counts) => {
    const out = SERVICE_DECODERS[which].decode(bytes === null ? null : Buffer.from(bytes));
    const cls = judgeFlowOutcome(out);
    if (!out.ok && reasonClass(out.reason) !== METRIC_CLASS[cls]) fail(`dead-letter class ${reasonClass(out.reason)} for ${cls}: ${out.reason}`);
    bump(counts, cls);
  },
};

const DIALECT_NETS = ['10.0.0.0/8', '192.168.0.0/16', 'fd00::/8'];

/** Each line through the service's and replay's reading (decode, orient, the contract check). */
const dialects: Target<DialectInput> = {
  name: 'sensor dialects: damaged zeek (TSV, JSON), vpc, goflow2, suricata and ocsf records',
  unit: 'record',
  batch: 2000,
  draw: (seed, n) => sample(dialectInputArb(), seed, n),
  run: ({ dialect, lines, auto }, counts) => {
    const reading = { decoder: createDecoder(auto === true ? 'auto' : dialect, { internalNetworks: DIALECT_NETS }), enrich: (r: { flow: FlowRecord }) => r.flow };
    for (const line of lines) {
      const out = decodeText(reading, line);
      if (typeof out === 'string') {
        const problem = dialectReasonProblem(out, MAX_REASON_LENGTH);
        if (problem !== null) fail(`${dialect}: ${problem} (line ${JSON.stringify(line.slice(0, 200))})`);
        bump(counts, `${dialect} ${fileReasonClass(out).replace(/^field [^:]+/, 'field')}`);
        continue;
      }
      for (const flow of out) {
        const problem = acceptedFlowProblem(flow);
        if (problem !== null) fail(`${dialect}: ${problem}`);
      }
      bump(counts, `${dialect} ${out.length === 0 ? 'no flow (header, skipped, not egress)' : 'flows'}`);
    }
  },
};

/** Temp files of the file targets (removed by cleanup()). */
let dir: string | undefined;
function tempFile(name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'egress-watch-fuzz-'));
  return join(dir, name);
}

export function cleanup(): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

async function readAll(items: AsyncIterable<InputItem[]>, label: string, counts: Map<string, number>): Promise<number> {
  let n = 0;
  for await (const batch of items) {
    for (const item of batch) {
      const problem = fileItemProblem(item, label);
      if (problem !== null) fail(problem);
      bump(counts, item.ok ? 'accepted' : fileReasonClass(item.reason));
      n++;
    }
  }
  return n;
}

type FileLine = Uint8Array;
const jsonl: Target<[FileLine[], boolean, ReturnType<typeof damageArb> extends fc.Arbitrary<infer D> ? D | null : never]> = {
  name: 'JSON Lines files (.jsonl, .jsonl.gz, damaged gzip)',
  unit: 'file',
  batch: 40,
  draw: (seed, n) => sample(fc.tuple(
    fc.array(fc.oneof(
      validFlowArb().map((f) => Buffer.from(JSON.stringify(f))),
      fc.tuple(validFlowArb(), mutationArb()).map(([f, m]) => Buffer.from(toJsonText(applyMutation(f, m)))),
      fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b.filter((x) => x !== 0x0a))),
    ), { maxLength: 60 }),
    fc.boolean(),
    fc.option(damageArb(), { freq: 3 }),
  ), seed, n),
  run: async ([lines, gzip, damage], counts) => {
    const name = gzip ? 'fuzz.jsonl.gz' : 'fuzz.jsonl';
    const text = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    const bytes = gzip ? gzipSync(text) : text;
    writeFileSync(tempFile(name), damage === null ? bytes : applyDamage(bytes, damage));
    const n = await readAll(openFlowInput(tempFile(name), { chunkSize: 256 }), name, counts);
    if (damage === null && n > lines.length) fail(`${n} items from ${lines.length} lines`);
  },
};

const SYNC = Buffer.from('fedcba9876543210');

const avroFiles: Target<[{ records: object[]; schema?: object }, 'null' | 'deflate', (ReturnType<typeof damageArb> extends fc.Arbitrary<infer D> ? D : never)[]]> = {
  name: 'Avro container files (local and newer writer schema, null and deflate), damaged',
  unit: 'file',
  batch: 40,
  draw: (seed, n) => sample(fc.tuple(
    fc.oneof(
      fc.array(validFlowArb(), { minLength: 1, maxLength: 40 }).map((records) => ({ records: records as object[] })),
      fc.array(newerRecordArb(), { minLength: 1, maxLength: 40 }).map((records) => ({ records: records as object[], schema: NEWER_FLOW_SCHEMA })),
    ),
    fc.constantFrom<'null' | 'deflate'>('null', 'deflate'),
    fc.array(damageArb(), { minLength: 0, maxLength: 3 }),
  ), seed, n),
  run: async ([{ records, schema }, codec, damages], counts) => {
    const path = tempFile('fuzz.avro');
    const writer = new AvroFileWriter(path, { codec, schema, blockSize: 512, syncMarker: SYNC });
    for (const r of records) if (!writer.write(r as FlowRecord)) await writer.drain();
    await writer.close();
    const whole = readFileSync(path);
    writeFileSync(path, damages.reduce<Buffer>((b, d) => applyDamage(b, d), whole));
    const n = await readAll(readAvroBatches(path), 'fuzz.avro', counts);
    if (damages.length === 0 && n !== records.length) fail(`undamaged file: ${n} items for ${records.length} records`);
  },
};

const HOUR = 3_600_000;
const engineConfig: Config = parseConfig(
  `
policy:
  internal_networks: [10.0.0.0/8]
  data_classes:
    eu_user_data:
      allowed_countries: [EEA, GB]
      principals: ["svc-eu-*", alice]
      require_gateway: true
detectors:
  new_destination: {learning_period: 1h}
`,
  'fuzz.yaml',
);

function isInternal(ip: string): boolean {
  const addr = ipaddr.process(ip);
  return addr.kind() === 'ipv4' && (addr as ipaddr.IPv4).octets[0] === 10;
}

const engine: Target<[FlowRecord[], boolean]> = {
  name: 'engine: Pipeline over random valid flow sequences',
  unit: 'flow sequence',
  batch: 50,
  draw: (seed, n) => sample(fc.oneof(
    fc.tuple(fc.array(validFlowArb({ spanMs: 6 * HOUR, pooled: true }), { maxLength: 400, size: 'large' }), fc.constant(true)),
    fc.tuple(fc.array(validFlowArb({ spanMs: 3 * 24 * HOUR, pooled: true }), { maxLength: 400, size: 'large' }), fc.constant(true)),
    fc.tuple(fc.array(validFlowArb(), { maxLength: 60, size: 'large' }), fc.constant(false)),
  ).map(([flows, clustered]) => [flows.map((f, i) => ({ ...f, flow_id: `f${i}-${f.flow_id}` })), clustered] as [FlowRecord[], boolean]), seed, n),
  run: ([flows, clustered], counts) => {
    const runOnce = (): { alerts: Alert[]; pipeline: Pipeline } => {
      const pipeline = new Pipeline(engineConfig);
      const out: Alert[] = [];
      for (const f of flows) for (const a of pipeline.push({ ...f })) out.push(a);
      for (const a of pipeline.finish()) out.push(a);
      return { alerts: out, pipeline };
    };
    const { alerts: out, pipeline } = runOnce();
    const c = pipeline.engine.counters;
    if (c.records !== flows.length) fail(`records ${c.records} for ${flows.length} flows`);
    const internal = flows.filter((f) => isInternal(f.dst_ip)).length;
    if (c.internal !== internal) fail(`internal ${c.internal}, expected ${internal}`);
    if (c.late > flows.length - internal) fail(`late ${c.late} of ${flows.length - internal} external flows`);
    const ids = new Set(flows.map((f) => f.flow_id));
    for (const a of out) {
      const problem = alertContractProblem(a, ids, engineConfig.config_version);
      if (problem !== null) fail(`alert ${a.type}: ${problem}`);
      encodeAlert(a, 'json');
      encodeAlert(a, 'avro');
      bump(counts, `alert ${a.type}`);
    }
    if (clustered) {
      // Determinism: the same input again gives the same alerts.
      const again = runOnce().alerts;
      if (JSON.stringify(again) !== JSON.stringify(out)) fail('the same flows gave different alerts');
    }
    bump(counts, 'flows', flows.length);
    bump(counts, 'late', c.late);
    bump(counts, 'internal', c.internal);
  },
};

export const TARGETS: Target[] = [randomBytes, damaged, badFields, unknownIds, alerts, service, dialects, jsonl, avroFiles, engine] as Target[];
