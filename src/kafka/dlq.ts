// Dead letters: a record that cannot be decoded or validated goes to the dead-letter topic
// unchanged (key, value and headers kept), with why and where from in headers, so it can be
// inspected and replayed. Never silently dropped.
import type { IHeaders, Message } from 'kafkajs';
import { TOO_FAR_AHEAD_PREFIX } from '../engine/future-bound.js';

/** A consumed record as the service needs it (kafkajs KafkaMessage fits). */
export interface InputMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface DeadLetter {
  message: InputMessage;
  reason: string;
  topic: string;
  partition: number;
}

export const DLQ_HEADERS = {
  reason: 'x-error-reason',
  topic: 'x-source-topic',
  partition: 'x-source-partition',
  offset: 'x-source-offset',
} as const;

export function deadLetterMessage(d: DeadLetter): Message {
  return {
    key: d.message.key,
    value: d.message.value,
    headers: {
      ...d.message.headers,
      [DLQ_HEADERS.reason]: d.reason,
      [DLQ_HEADERS.topic]: d.topic,
      [DLQ_HEADERS.partition]: String(d.partition),
      [DLQ_HEADERS.offset]: d.message.offset,
    },
  };
}

export type ReasonClass = 'empty' | 'json' | 'avro' | 'schema' | 'invalid_record' | 'too_far_ahead';

/** A small fixed set of label values for the dead-letter metric (the reasons themselves vary per record). */
export function reasonClass(reason: string): ReasonClass {
  if (reason === 'empty message') return 'empty';
  if (reason.startsWith(TOO_FAR_AHEAD_PREFIX)) return 'too_far_ahead';
  if (reason.startsWith('invalid JSON')) return 'json';
  if (reason.startsWith('unknown schema id') || reason.startsWith('schema id ') || reason.startsWith('schema registry')) return 'schema';
  if (reason.startsWith('invalid Avro') || reason.startsWith('truncated Avro') || / trailing bytes? after record$/.test(reason)) {
    return 'avro';
  }
  return 'invalid_record';
}
