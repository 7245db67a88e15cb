// The Avro schemas of the contract (schemas/*.avsc), loaded once and cached.
//
// No logical-type implementation is registered on purpose: `timestamp-millis`
// fields stay plain longs (JS numbers, ms since the epoch), which is what the
// engine wants and is much faster than building Date objects. avsc's default
// long type throws ("potential precision loss") for values beyond 2^53; byte
// and packet counts and timestamps stay far below that, and the decoders turn
// the exception into an error naming the record.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { Type } from 'avsc';

export type SchemaName = 'flow-record' | 'alert';

let root: string | undefined;

/**
 * The package root: the first folder above this module holding a package.json.
 * Walking up works both from src/io/ (tests, tsx) and from dist/src/io/ (built).
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Absolute path of schemas/<name>.avsc. */
export function schemaPath(name: SchemaName): string {
  return join(packageRoot(), 'schemas', `${name}.avsc`);
}

const schemaCache = new Map<SchemaName, object>();
const typeCache = new Map<SchemaName, Type>();

/**
 * The schema as written in the .avsc file (logicalType attributes included).
 * Give this, not the Type, to anything that publishes the schema (container
 * file headers, a schema registry): a Type parsed without logical types would
 * drop the `timestamp-millis` annotations. Callers must not mutate it.
 */
export function schemaJson(name: SchemaName): object {
  let schema = schemaCache.get(name);
  if (schema === undefined) {
    schema = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object;
    schemaCache.set(name, schema);
  }
  return schema;
}

/** The parsed avsc Type of a contract schema. */
export function schemaType(name: SchemaName): Type {
  let type = typeCache.get(name);
  if (type === undefined) {
    type = avro.Type.forSchema(schemaJson(name) as avro.Schema);
    typeCache.set(name, type);
  }
  return type;
}

/** The Type of schemas/flow-record.avsc (egress_watch.FlowRecord). */
export function flowRecordType(): Type {
  return schemaType('flow-record');
}

/** The Type of schemas/alert.avsc (egress_watch.Alert). */
export function alertType(): Type {
  return schemaType('alert');
}
