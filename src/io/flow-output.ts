// A file of flow records chosen by extension: .jsonl, .jsonl.gz or Avro container .avro.
import type { FlowRecord } from '../engine/types.js';
import { AvroFileWriter } from './avro-file.js';
import { InputError, inputFormatOf } from './input.js';
import { JsonlWriter } from './jsonl.js';

export interface FlowWriter {
  /** False when buffers are full: await drain(). */
  write(flow: FlowRecord): boolean;
  drain(): Promise<void>;
  close(): Promise<void>;
}

export function openFlowOutput(path: string): FlowWriter {
  if (path === '-') return new JsonlWriter('-');
  const format = inputFormatOf(path);
  if (format === null) throw new InputError(`${path}: unknown output format; expected a .jsonl, .jsonl.gz or .avro file`);
  return format === 'avro' ? new AvroFileWriter(path, { codec: 'deflate' }) : new JsonlWriter(path);
}
