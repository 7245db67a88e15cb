// Stage one with kafka.repartition on: flows as the gateways keyed them are decoded, validated
// and re-produced to the internal repartition topic keyed by their destination, so that one
// destination's records (and so its baseline) always land in one engine partition. The value
// is raw Avro (cheap to decode in stage two); headers carry where the record came from, which
// stage two uses to recognise copies after a crash (see progress.ts).
import type { Message } from 'kafkajs';
import { checkFuture, type FutureBound } from '../engine/future-bound.js';
import { DestinationKeyer } from '../engine/keys.js';
import { encodeFlowAvro } from '../io/wire.js';
import type { FlowDecoder } from './decoder.js';
import { DLQ_HEADERS, type DeadLetter, type InputMessage } from './dlq.js';

export interface ForwardOutput {
  forwarded: Message[];
  deadLetters: DeadLetter[];
}

export class Forwarder {
  private readonly keyer: DestinationKeyer;

  constructor(
    keyMode: ConstructorParameters<typeof DestinationKeyer>[0],
    private readonly decoder: FlowDecoder,
  ) {
    this.keyer = new DestinationKeyer(keyMode);
  }

  /** `bound`: records further ahead of processing time than windows.max_future are dead-lettered here. */
  forward(topic: string, partition: number, messages: InputMessage[], bound?: FutureBound): ForwardOutput {
    const out: ForwardOutput = { forwarded: [], deadLetters: [] };
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
      try {
        value = encodeFlowAvro(result.flow);
      } catch (err) {
        out.deadLetters.push({ message: m, reason: `does not fit the Avro flow schema: ${(err as Error).message}`, topic, partition });
        continue;
      }
      out.forwarded.push({
        key: this.keyer.keyOf(result.flow),
        value,
        headers: {
          [DLQ_HEADERS.topic]: topic,
          [DLQ_HEADERS.partition]: String(partition),
          [DLQ_HEADERS.offset]: m.offset,
        },
      });
    }
    return out;
  }
}
