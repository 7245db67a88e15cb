// kafkajs 2.2.4 groups a send's messages by partition by copying the partition's array for
// every message: quadratic, and the changelog write of a batch touching 10,000 destinations
// spent most of its time there (tulios/kafkajs#1576, never merged). `npm install` applies
// patches/kafkajs+2.2.4.patch (patch-package, scripts/postinstall.mjs); these tests fail if it
// was not. The patch also makes a transaction's offset commit retry on the coordinator errors
// kafkajs names otherwise than its retry lists do (state-writes.ts commits offsets in a
// transaction). No broker: they run with `npm run test:unit` too.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const kafkajsRoot = dirname(require.resolve('kafkajs/package.json'));
const modulePath = join(kafkajsRoot, 'src', 'producer', 'groupMessagesPerPartition.js');

type Group = (o: { topic: string; partitionMetadata: unknown[]; messages: Array<{ key: string }>; partitioner: (o: { message: { key: string } }) => number }) => Record<string, Array<{ key: string }>>;

describe('kafkajs as installed', () => {
  it('is 2.2.4, the version patches/kafkajs+2.2.4.patch is for', () => {
    expect(JSON.parse(readFileSync(join(kafkajsRoot, 'package.json'), 'utf8')).version).toBe('2.2.4');
  });

  it('carries the linear grouping of messages by partition', () => {
    const source = readFileSync(modulePath, 'utf8');
    expect(source).not.toContain('[...current, message]');
    expect(source).toContain('current.push(message)');
  });

  it('still groups messages by partition, in order', () => {
    const group = require(modulePath) as Group;
    const messages = ['a0', 'b0', 'a1', 'c0', 'b1', 'a2'].map((key) => ({ key }));
    const partitioner = ({ message }: { message: { key: string } }) => ({ a: 0, b: 1, c: 2 })[message.key[0] as 'a' | 'b' | 'c'];
    const grouped = group({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner });
    expect(Object.fromEntries(Object.entries(grouped).map(([p, ms]) => [p, ms.map((m) => m.key)]))).toEqual({
      0: ['a0', 'a1', 'a2'],
      1: ['b0', 'b1'],
      2: ['c0'],
    });
    expect(group({ topic: 't', partitionMetadata: [], messages, partitioner })).toEqual({});
  });

  it("retries a transaction's offset commit on kafkajs's own names for the coordinator codes 14, 15 and 16", () => {
    const source = readFileSync(join(kafkajsRoot, 'src', 'producer', 'eosManager', 'index.js'), 'utf8');
    const errors = require(join(kafkajsRoot, 'src', 'protocol', 'error.js')) as { errorCodes: Array<{ code: number; type: string }> };
    const name = (code: number) => errors.errorCodes.find((e) => e.code === code)!.type;
    expect([name(14), name(15), name(16)]).toEqual(['GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP']);
    const list = (constant: string) => {
      const m = new RegExp(`const ${constant} = \\[([^\\]]*)\\]`).exec(source);
      return m === null ? [] : [...m[1].matchAll(/'([A-Z_]+)'/g)].map((x) => x[1]);
    };
    expect(list('COMMIT_RETRIABLE_PROTOCOL_ERRORS')).toContain(name(14));
    expect(list('COMMIT_STALE_COORDINATOR_PROTOCOL_ERRORS')).toEqual(expect.arrayContaining([name(15), name(16)]));
  });
});
