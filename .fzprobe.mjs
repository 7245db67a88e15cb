import fc from 'fast-check';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AvroFileWriter, readAvroBatches } from './dist/src/io/avro-file.js';
import { schemaJson } from './dist/src/io/schemas.js';
import { acceptedFlowProblem } from './dist/bench/fuzz/oracle.js';
import { applyDamage, damageArb, newerRecordArb, validFlowArb } from './dist/bench/fuzz/inputs.js';
const SYNC = Buffer.from('fedcba9876543210');
const NEWER = structuredClone(schemaJson('flow-record'));
NEWER.fields.push({ name: 'tags', type: { type: 'array', items: 'string' }, default: [] }, { name: 'labels', type: { type: 'map', values: 'long' }, default: {} }, { name: 'hops', type: { type: 'array', items: 'null' }, default: [] });
const dir = mkdtempSync(join(tmpdir(), 'fzp-'));
const arb = fc.tuple(fc.oneof(fc.array(validFlowArb(), { minLength: 1, maxLength: 30 }).map((r) => ({ records: r, schema: undefined })), fc.array(newerRecordArb(), { minLength: 1, maxLength: 30 }).map((r) => ({ records: r, schema: NEWER }))), fc.constantFrom('null', 'deflate'), fc.array(damageArb(), { minLength: 1, maxLength: 3 }));
const samples = fc.sample(arb, { seed: 20260105, numRuns: 80 });
let i = 0;
for (const [{ records, schema }, codec, damages] of samples) {
  const path = join(dir, `d${i}.avro`);
  const w = new AvroFileWriter(path, { codec, schema, blockSize: 512, syncMarker: SYNC });
  for (const r of records) if (!w.write(r)) await w.drain();
  await w.close();
  const whole = readFileSync(path);
  const damaged = damages.reduce((b, d) => applyDamage(b, d), whole);
  writeFileSync(path, damaged);
  const t = performance.now();
  let n = 0;
  process.stdout.write(`${i} size ${damaged.length} ${JSON.stringify(damages).slice(0, 150)} ... `);
  for await (const batch of readAvroBatches(path)) { n += batch.length; for (const it of batch) {
    if (it.ok) { const p = acceptedFlowProblem(it.flow); if (p) console.log('\nBAD OK', it.where, p); }
    else if (!/^d\d+\.avro:(\d+|header|block \d+ \(byte \d+\)|block \d+ record \d+ \(#\d+\))$/.test(it.where) || it.reason.length === 0 || it.reason.length > 400 || /[\u0000-\u001f]/.test(it.reason)) console.log('\nBAD ERR', it.where, JSON.stringify(it.reason).slice(0, 300));
  } }
  console.log(n, 'items', Math.round(performance.now() - t), 'ms');
  i++;
}
