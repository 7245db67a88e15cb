// How a topic's record values become flows: the gateways' flows topic in the configured format
// (config input.format: egress-watch's own record as JSON or Avro, with writer schemas from the
// schema registry when one is configured; or a sensor's dialect, decoded, oriented and enriched
// by the same code as replay's, src/io/dialects/read-file.ts), the internal repartition topic
// always in raw Avro as the forwarder wrote it. A message gives zero or more flows (a dialect's
// header, transit or other kind of record gives none), or the reason it is bad.
import type { Config, KafkaConfig } from '../config/types.js';
import type { FlowRecord } from '../engine/types.js';
import { createDecoder, type DecodeCounts } from '../io/dialects/index.js';
import { enrichmentFor } from '../io/dialects/enrichment-point.js';
import { decoderOptionsOf } from '../io/dialects/open-input.js';
import { decodeText } from '../io/dialects/read-file.js';
import { decodeFlowMessage, startsLikeJson, type DecodeResult, type WireFormat, type WireOptions } from '../io/wire.js';
import { SchemaRegistryClient } from './schema-registry.js';

export interface FlowDecoder {
  /** Async work a batch needs before decoding (fetching writer schemas). */
  prepare(values: Iterable<Buffer | null>): Promise<void>;
  decode(value: Buffer | null): DecodeResult;
}

const EMPTY = Buffer.alloc(0);

export function gatewayDecoder(kafka: KafkaConfig, onMissingSchema?: (id: number, why: string) => void): FlowDecoder {
  if (kafka.schema_registry === null || kafka.format === 'json') {
    return { prepare: async () => {}, decode: (value) => decodeFlowMessage(value ?? EMPTY, kafka.format) };
  }
  const registry = new SchemaRegistryClient(kafka.schema_registry.url, onMissingSchema);
  const options: WireOptions = { schemas: registry.schemas, localFallback: false };
  return {
    prepare: (values) => registry.prepare(values),
    decode: (value) => decodeFlowMessage(value ?? EMPTY, kafka.format, options),
  };
}

export const repartitionDecoder: FlowDecoder = {
  prepare: async () => {},
  decode: (value) => decodeFlowMessage(value ?? EMPTY, 'avro'),
};

/**
 * The flows of one message. `asIs`: the message value is already raw Avro of the local flow
 * schema, read to its last byte and validated (the forwarder packs it as it came).
 */
export type MessageFlows = { ok: true; flows: FlowRecord[]; asIs: boolean } | { ok: false; reason: string };

/** What a dialect read that is not an egress flow, by kind (the metric egress_watch_input_not_egress_total). */
export type NotEgressCounts = Partial<Record<NotEgressKind, number>>;
export const NOT_EGRESS_KINDS = ['internal', 'transit', 'inbound_one_way', 'nodata', 'skipdata', 'other_kind'] as const;
export type NotEgressKind = (typeof NOT_EGRESS_KINDS)[number];

/** Reads the messages of one partition in offset order; a dialect keeps state per stream (Zeek's open connections). */
export interface PartitionReader {
  read(value: Buffer | null): MessageFlows;
  /** What was read that is not egress since the last call (nothing for flow records). */
  takeNotEgress(): NotEgressCounts;
}

/** A topic's messages: async preparation per batch, and readers per partition. */
export interface MessageInput {
  prepare(values: Iterable<Buffer | null>): Promise<void>;
  /** A fresh reader of `partition`: it remembers nothing an earlier reader saw. */
  reader(partition: number): PartitionReader;
}

/** The flows topic as config input.format and kafka.format say. */
export function flowsTopicInput(config: Config, onMissingSchema?: (id: number, why: string) => void): MessageInput {
  if (config.input.format === 'flow') return wireInput(gatewayDecoder(config.kafka, onMissingSchema), config.kafka.format);
  const format = config.input.format;
  const options = decoderOptionsOf(config);
  const enrich = enrichmentFor(config); // reads the enrich files once, for every partition
  return { prepare: async () => {}, reader: () => new DialectReader({ decoder: createDecoder(format, options), enrich }) };
}

/** The repartition topic: the forwarder's packs and flows, raw Avro. */
export const repartitionInput: MessageInput = wireInput(repartitionDecoder, 'avro');

function wireInput(decoder: FlowDecoder, format: WireFormat): MessageInput {
  const reader: PartitionReader = {
    read(value) {
      const result = decoder.decode(value);
      if (!result.ok) return result;
      // Raw Avro of our schema: not JSON, and not the Confluent wire format (a writer schema from
      // the registry may differ from ours). What `auto` tried as JSON first is re-encoded.
      const asIs = result.schemaId === undefined && format !== 'json' && !(format === 'auto' && startsLikeJson(value!));
      return { ok: true, flows: [result.flow], asIs };
    },
    takeNotEgress: () => ({}),
  };
  return { prepare: (values) => decoder.prepare(values), reader: () => reader };
}

/** One partition in a sensor's dialect: one message is one line of the sensor's format (its line end, if any, dropped). */
class DialectReader implements PartitionReader {
  private taken: DecodeCounts;

  constructor(private readonly reading: Parameters<typeof decodeText>[0]) {
    this.taken = snapshot(reading.decoder.counts);
  }

  read(value: Buffer | null): MessageFlows {
    let end = value?.length ?? 0;
    while (end > 0 && (value![end - 1] === 10 || value![end - 1] === 13)) end--;
    if (end === 0) return { ok: false, reason: 'empty message' };
    const text = value!.toString('utf8', 0, end);
    if (text.trim().length === 0) return { ok: false, reason: 'empty message' };
    const result = decodeText(this.reading, text);
    return typeof result === 'string' ? { ok: false, reason: result } : { ok: true, flows: result, asIs: false };
  }

  takeNotEgress(): NotEgressCounts {
    const now = snapshot(this.reading.decoder.counts);
    const was = this.taken;
    this.taken = now;
    const out: NotEgressCounts = {};
    const put = (kind: NotEgressKind, n: number) => {
      if (n > 0) out[kind] = n;
    };
    put('internal', now.internal - was.internal);
    put('transit', now.transit - was.transit);
    put('inbound_one_way', now.inbound - was.inbound);
    put('nodata', now.nodata - was.nodata);
    put('skipdata', now.skipdata - was.skipdata);
    put('other_kind', total(now.skipped) - total(was.skipped));
    return out;
  }
}

function total(byKind: Record<string, number>): number {
  let n = 0;
  for (const k in byKind) n += byKind[k];
  return n;
}

function snapshot(c: DecodeCounts): DecodeCounts {
  return { ...c, skipped: { ...c.skipped } };
}
