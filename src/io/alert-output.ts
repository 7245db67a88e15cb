// A file of alerts in one of the alert formats: json, ocsf and ecs as JSON Lines (gzip when
// the name ends in .gz, stdout for '-'), avro as an Avro object container file of
// schemas/alert.avsc (binary, so never to stdout).
import type { Alert } from '../engine/types.js';
import { AvroFileWriter } from './avro-file.js';
import { InputError } from './input.js';
import { JsonlWriter } from './jsonl.js';
import { schemaJson } from './schemas.js';
import { alertDocument, type AlertFormat } from './siem/index.js';

export interface AlertWriter {
  /** False when buffers are full: await drain(). */
  write(alert: Alert): boolean;
  drain(): Promise<void>;
  close(): Promise<void>;
}

export function openAlertOutput(path: string, format: AlertFormat): AlertWriter {
  if (format === 'avro') {
    if (path === '-') throw new InputError('--format avro writes an Avro container file: give --output <file>.avro, not stdout');
    return new AvroFileWriter<Alert>(path, { schema: schemaJson('alert'), codec: 'deflate' });
  }
  const lines = new JsonlWriter(path);
  return {
    write: (alert) => lines.write(alertDocument(alert, format)),
    drain: () => lines.drain(),
    close: () => lines.close(),
  };
}
