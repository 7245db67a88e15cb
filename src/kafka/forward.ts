// Stage one with kafka.repartition on: flows as the gateways keyed them are decoded (in the
// sensor's dialect, oriented and enriched, when input.format names one), validated and
// re-produced to the internal repartition topic in the engine partition of their
// destination, so that one destination's records (and so its baseline) always land in one
// engine partition. The flows of a batch bound for one partition travel as one pack
// (repartition-pack.ts: raw Avro each, cheap to decode in stage two, with each flow's source
// offset, which stage two uses to recognise copies after a crash, see progress.ts).
import type { Message } from 'kafkajs';
import { checkFuture, type FutureBound } from '../engine/future-bound.js';
import { DestinationKeyer } from '../engine/keys.js';
import type { FlowRecord } from '../engine/types.js';
import { encodeFlowAvro } from '../io/wire.js';
import type { MessageInput, NotEgressCounts, PartitionReader } from './decoder.js';
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
  /** What the dialect read in this batch that is not egress (internal, transit, ...). */
  notEgress: NotEgressCounts;
}

export class Forwarder {
  private readonly keyer: DestinationKeyer;
  /** One reader per flows partition: a dialect's state (Zeek open connections) is per stream. */
  private readonly readers = new Map<number, PartitionReader>();

  constructor(
    keyMode: ConstructorParameters<typeof DestinationKeyer>[0],
    private readonly input: MessageInput,
    /** Partitions of the repartition topic. */
    private readonly partitions: number,
  ) {
    this.keyer = new DestinationKeyer(keyMode);
  }

  /**
   * Forgets a partition's reader: after a batch failed (it is read again from the last commit)
   * or the partition went to another instance. Its next reader starts afresh, so a Zeek
   * connection reported open before is counted in full at its next report, rather than lost.
   */
  forget(partition: number): void {
    this.readers.delete(partition);
  }

  /** Keeps the readers of these flows partitions only (a new assignment). */
  keepOnly(partitions: readonly number[]): void {
    for (const p of [...this.readers.keys()]) if (!partitions.includes(p)) this.readers.delete(p);
  }

  private readerOf(partition: number): PartitionReader {
    let reader = this.readers.get(partition);
    if (reader === undefined) this.readers.set(partition, (reader = this.input.reader(partition)));
    return reader;
  }

  /** `bound`: records further ahead of processing time than windows.max_future are dead-lettered here. */
  forward(topic: string, partition: number, messages: InputMessage[], bound?: FutureBound): ForwardOutput {
    const reader = this.readerOf(partition);
    const out: ForwardOutput = { forwarded: [], flows: 0, deadLetters: [], notEgress: {} };
    const packs = new Map<number, { flows: PackedFlow[]; bytes: number }>();
    const seal = (target: number, flows: PackedFlow[]) =>
      out.forwarded.push({
        partition: target,
        value: encodePack({ sourcePartition: partition, flows }),
        // For people reading the topic; stage two reads provenance from the pack itself.
        headers: { [DLQ_HEADERS.topic]: topic, [DLQ_HEADERS.partition]: String(partition) },
      });
    const encoded: { flow: FlowRecord; value: Buffer }[] = [];
    for (const m of messages) {
      const result = reader.read(m.value);
      if (!result.ok) {
        out.deadLetters.push({ message: m, reason: result.reason, topic, partition });
        continue;
      }
      // A message whose flows cannot all go on is dead-lettered whole, none of them forwarded.
      const bad = this.encodeAll(result.flows, result.asIs ? m.value! : null, bound, encoded);
      if (bad !== null) {
        out.deadLetters.push({ message: m, reason: bad, topic, partition });
        continue;
      }
      const offset = Number(m.offset);
      for (const { flow, value } of encoded) {
        const target = partitionOfKey(this.keyer.keyOf(flow), this.partitions);
        let pack = packs.get(target);
        // Sealed well under the broker's 1 MB record limit, never between two flows of one
        // message (stage two tells the second from a copy by their being in one pack).
        if (pack && pack.bytes + value.length > PACK_BYTES && pack.flows[pack.flows.length - 1].offset !== offset) {
          seal(target, pack.flows);
          pack = undefined;
        }
        if (!pack) packs.set(target, (pack = { flows: [], bytes: 0 }));
        // Every flow of a message carries the message's offset: stage two tells a re-forwarded
        // copy by the offset, and the flows after a message's first by their following it in one pack.
        pack.flows.push({ offset, value });
        pack.bytes += value.length + 12;
        out.flows++;
      }
    }
    for (const [target, pack] of packs) seal(target, pack.flows);
    out.notEgress = reader.takeNotEgress();
    return out;
  }

  /** The flows of one message as raw Avro into `into`, or the reason one of them cannot go on. */
  private encodeAll(flows: FlowRecord[], asIs: Buffer | null, bound: FutureBound | undefined, into: { flow: FlowRecord; value: Buffer }[]): string | null {
    into.length = 0;
    for (const flow of flows) {
      const ahead = checkFuture(flow, bound);
      if (ahead !== null) return ahead;
      // Already raw Avro of the flow schema: packed as it came (re-encoding it was about 8% of
      // the service's CPU with repartition on).
      if (asIs !== null) {
        into.push({ flow, value: asIs });
        continue;
      }
      try {
        into.push({ flow, value: encodeFlowAvro(flow) });
      } catch (err) {
        return `does not fit the Avro flow schema: ${(err as Error).message}`;
      }
    }
    return null;
  }
}
