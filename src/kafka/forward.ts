// Stage one with kafka.repartition on: flows as the gateways keyed them are decoded, validated
// and re-produced to the internal repartition topic in the engine partition of their
// destination, so that one destination's records (and so its baseline) always land in one
// engine partition. The flows of a batch bound for one partition travel as one pack
// (repartition-pack.ts: raw Avro each, cheap to decode in stage two, with each flow's source
// offset, which stage two uses to recognise copies after a crash, see progress.ts).
import type { Message } from 'kafkajs';
import { checkFuture, type FutureBound } from '../engine/future-bound.js';
import { DestinationKeyer } from '../engine/keys.js';
import { encodeFlowAvro, startsLikeJson, type WireFormat } from '../io/wire.js';
import type { FlowDecoder } from './decoder.js';
import { DLQ_HEADERS, type DeadLetter, type InputMessage } from './dlq.js';
import { partitionOfKey } from './murmur2.js';
import { encodePack, type PackedFlow } from './repartition-pack.js';

/** A pack is sealed before its flows exceed this. */
const PACK_BYTES = 256 * 1024;

export interface ForwardOutput {
  /** One pack per engine partition that gets flows of this batch. */
  forwarded: Message[];
  /** Flows in those packs. */
  flows: number;
  deadLetters: DeadLetter[];
}

export class Forwarder {
  private readonly keyer: DestinationKeyer;

  constructor(
    keyMode: ConstructorParameters<typeof DestinationKeyer>[0],
    private readonly decoder: FlowDecoder,
    /** Partitions of the repartition topic. */
    private readonly partitions: number,
    /** kafka.format of the flows topic. */
    private readonly format: WireFormat = 'auto',
  ) {
    this.keyer = new DestinationKeyer(keyMode);
  }

  /** `bound`: records further ahead of processing time than windows.max_future are dead-lettered here. */
  forward(topic: string, partition: number, messages: InputMessage[], bound?: FutureBound): ForwardOutput {
    const out: ForwardOutput = { forwarded: [], flows: 0, deadLetters: [] };
    const packs = new Map<number, { flows: PackedFlow[]; bytes: number }>();
    const seal = (target: number, flows: PackedFlow[]) =>
      out.forwarded.push({
        partition: target,
        value: encodePack({ sourcePartition: partition, flows }),
        // For people reading the topic; stage two reads provenance from the pack itself.
        headers: { [DLQ_HEADERS.topic]: topic, [DLQ_HEADERS.partition]: String(partition) },
      });
    for (const m of messages) {
      const result = this.decoder.decode(m.value);
      if (!result.ok) {
        out.deadLetters.push({ message: m, reason: result.reason, topic, partition });
        continue;
      }
      const ahead = checkFuture(result.flow, bound);
      if (ahead !== null) {
        out.deadLetters.push({ message: m, reason: ahead, topic, partition });
        continue;
      }
      let value: Buffer;
      if (this.isLocalAvro(m.value!, result.schemaId)) {
        // Already raw Avro of the flow schema, read to its last byte and validated: packed as it
        // came (re-encoding it was about 8% of the service's CPU with repartition on).
        value = m.value!;
      } else {
        try {
          value = encodeFlowAvro(result.flow);
        } catch (err) {
          out.deadLetters.push({ message: m, reason: `does not fit the Avro flow schema: ${(err as Error).message}`, topic, partition });
          continue;
        }
      }
      const target = partitionOfKey(this.keyer.keyOf(result.flow), this.partitions);
      let pack = packs.get(target);
      if (pack && pack.bytes + value.length > PACK_BYTES) {
        seal(target, pack.flows); // well under the broker's 1 MB record limit
        pack = undefined;
      }
      if (!pack) packs.set(target, (pack = { flows: [], bytes: 0 }));
      pack.flows.push({ offset: Number(m.offset), value });
      pack.bytes += value.length + 12;
      out.flows++;
    }
    for (const [target, pack] of packs) seal(target, pack.flows);
    return out;
  }

  /**
   * Whether a record that decoded was raw Avro of the local flow schema: not JSON, and not the
   * Confluent wire format (a writer schema from the registry may differ from ours). A record
   * `auto` tried as JSON first is re-encoded, whatever it turned out to be.
   */
  private isLocalAvro(value: Buffer, schemaId: number | undefined): boolean {
    return schemaId === undefined && this.format !== 'json' && !(this.format === 'auto' && startsLikeJson(value));
  }
}
