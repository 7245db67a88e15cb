// How a topic's record values become flows: the gateways' flows topic in the configured format
// (with writer schemas from the schema registry when one is configured), the internal
// repartition topic always in raw Avro as the forwarder wrote it.
import type { KafkaConfig } from '../config/types.js';
import { decodeFlowMessage, type DecodeResult, type WireOptions } from '../io/wire.js';
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
