// Streams flow records to a Kafka topic, as a gateway would: `generate --topic` and `demo`.
// Keyed by gateway_id ('none' for flows outside any gateway), as gateways key by themselves;
// the service re-keys by destination (kafka.repartition). Sent in batches, optionally
// throttled to a wall-clock rate.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, Producer } from 'kafkajs';
import type { Config } from '../config/types.js';
import type { FlowRecord } from '../engine/types.js';
import { encodeFlowAvro, encodeFlowConfluent, encodeFlowJson } from '../io/wire.js';
import { createKafka, type ClientOptions } from './client.js';
import { DefaultPartitioner } from './murmur2.js';

export type FlowWireFormat = 'avro' | 'json' | 'confluent';
export const FLOW_WIRE_FORMATS: readonly FlowWireFormat[] = ['avro', 'json', 'confluent'];

export interface ProduceFlowsOptions {
  format: FlowWireFormat;
  /** Flows per second of wall-clock time; undefined: as fast as possible. */
  rate?: number;
  /** Messages per produce request; default 500. */
  batchSize?: number;
  /** Schema id written in the Confluent wire format; default 1. */
  schemaId?: number;
  /** Use this connected producer instead of creating one (it is left connected). */
  producer?: Producer;
  /** kafkajs's own log lines (when no producer is given); default kafkajs's console logger. */
  clientLog?: ClientOptions['log'];
  /** Called after every batch with the number sent so far. */
  onProgress?: (sent: number) => void;
  /** Stop early (the flows sent so far stay sent). */
  signal?: AbortSignal;
  /** The record key of a flow; default its gateway_id, as gateways key (flowMessage). */
  key?: (flow: FlowRecord) => string;
  /** Message values of a flow instead of `format` (a sensor's lines: `generate --format zeek --topic`). */
  encode?: (flow: FlowRecord) => Buffer[];
}

export interface ProduceFlowsResult {
  sent: number;
  firstFlowId: string | null;
  lastFlowId: string | null;
}

const DEFAULT_BATCH = 500;

export function flowEncoder(format: FlowWireFormat, schemaId = 1): (flow: FlowRecord) => Buffer {
  if (format === 'json') return encodeFlowJson;
  if (format === 'avro') return encodeFlowAvro;
  return (flow) => encodeFlowConfluent(flow, schemaId);
}

/**
 * No record timestamp of our own: the producer's clock stamps it. Event time lives in end_ms;
 * stamping synthetic (possibly months old) event time on the record would make the broker's
 * time-based retention delete the segments right after they roll.
 */
export function flowMessage(flow: FlowRecord, encode: (flow: FlowRecord) => Buffer, key = gatewayKey): Message {
  return { key: key(flow), value: encode(flow) };
}

function gatewayKey(flow: FlowRecord): string {
  return flow.gateway_id ?? 'none';
}

export async function produceFlows(
  config: Config,
  topic: string,
  flows: Iterable<FlowRecord>,
  options: ProduceFlowsOptions,
): Promise<ProduceFlowsResult> {
  if (options.rate !== undefined && !(options.rate > 0 && Number.isFinite(options.rate))) {
    throw new RangeError(`rate: expected a positive number of flows per second, got ${options.rate}`);
  }
  const encode = flowEncoder(options.format, options.schemaId);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const own = options.producer === undefined;
  const producer =
    options.producer ??
    createKafka(config.kafka, { clientId: `${config.kafka.client_id}-generator`, log: options.clientLog }).producer({
      createPartitioner: DefaultPartitioner,
    });
  const result: ProduceFlowsResult = { sent: 0, firstFlowId: null, lastFlowId: null };
  const startedAt = Date.now();
  if (own) await producer.connect();
  try {
    let batch: Message[] = [];
    let batchFirst: string | null = null;
    let batchLast: string | null = null;
    const flush = async () => {
      if (batch.length === 0) return;
      await producer.send({ topic, messages: batch });
      result.sent += batch.length;
      result.firstFlowId ??= batchFirst;
      result.lastFlowId = batchLast;
      batch = [];
      options.onProgress?.(result.sent);
      if (options.rate !== undefined) {
        // Wall-clock pacing: wait until `sent` flows are due at `rate` per second.
        const dueAt = startedAt + (result.sent / options.rate) * 1000;
        const wait = dueAt - Date.now();
        if (wait > 0) await sleep(wait);
      }
    };
    // At a slow rate, smaller batches so the flows trickle in instead of arriving in bursts.
    const size = options.rate === undefined ? batchSize : Math.max(1, Math.min(batchSize, Math.floor(options.rate)));
    for (const flow of flows) {
      if (options.signal?.aborted) break;
      if (batch.length === 0) batchFirst = flow.flow_id;
      batchLast = flow.flow_id;
      if (options.encode === undefined) batch.push(flowMessage(flow, encode, options.key));
      else for (const value of options.encode(flow)) batch.push({ key: (options.key ?? gatewayKey)(flow), value });
      if (batch.length >= size) await flush();
    }
    if (!options.signal?.aborted) await flush();
  } finally {
    if (own) await producer.disconnect();
  }
  return result;
}
