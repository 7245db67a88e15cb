import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { AvroFileWriter } from '../../src/io/avro-file.js';
import { countBytes, InputError, inputFormatOf, itemsOf, openFlowInput } from '../../src/io/input.js';
import type { InputItem } from '../../src/io/input.js';
import { collect, flows, tempDir } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('openFlowInput', () => {
  it('picks the reader by extension and gives the same records from each format', async () => {
    const records = flows(25);
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    writeFileSync(tmp.file('a.jsonl'), text);
    writeFileSync(tmp.file('a.JSONL.GZ'), gzipSync(text));
    const writer = new AvroFileWriter(tmp.file('a.avro'));
    for (const r of records) writer.write(r);
    await writer.close();
    for (const name of ['a.jsonl', 'a.JSONL.GZ', 'a.avro']) {
      const items = await collect(openFlowInput(tmp.file(name)));
      expect(items.map((i) => (i.ok ? i.flow : i))).toStrictEqual(records);
    }
    const [first] = await collect(openFlowInput(tmp.file('a.avro')));
    expect(first.where).toBe('a.avro:block 1 record 1 (#1)');
    const items: InputItem[] = [];
    for await (const item of itemsOf(openFlowInput(tmp.file('a.jsonl')))) items.push(item);
    expect(items[24].where).toBe('a.jsonl:25');
  });

  it('throws InputError naming the file for an unknown extension, a missing file or a folder', () => {
    const csv = tmp.file('flows.csv');
    writeFileSync(csv, 'x');
    let err = thrown(() => openFlowInput(csv));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`${csv}: unknown input format; expected a .jsonl, .jsonl.gz or .avro file`);

    const missing = tmp.file('missing.jsonl');
    err = thrown(() => openFlowInput(missing));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`${missing}: no such file`);

    const folder = tmp.file('folder.avro');
    mkdirSync(folder);
    err = thrown(() => openFlowInput(folder));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`${folder}: not a regular file`);
  });

  it.skipIf(process.getuid?.() === 0)('throws InputError for a file it may not read', () => {
    const locked = tmp.file('locked.jsonl');
    writeFileSync(locked, '');
    chmodSync(locked, 0o000);
    expect(thrown(() => openFlowInput(locked)).message).toBe(`${locked}: permission denied (not readable)`);
  });

  it('inputFormatOf and countBytes', () => {
    expect(['x.jsonl', 'x.jsonl.gz', 'x.avro', 'x.json', 'x.gz', 'jsonl'].map(inputFormatOf)).toEqual([
      'jsonl', 'jsonl.gz', 'avro', null, null, null,
    ]);
    const path = tmp.file('n.jsonl');
    writeFileSync(path, '12345');
    expect(countBytes(path)).toBe(5);
    expect(countBytes(path)).toBe(statSync(path).size);
    expect(() => countBytes(tmp.file('nope.jsonl'))).toThrow(InputError);
  });
});
