// The config table of docs/design.md (the contract) covers every key the config file has, and
// names no key it does not have. The keys come from config/example.yaml, which writes out every
// key with its default (test/config/example.test.ts holds it to the schema), as YAML: the
// normalised config also holds derived fields that are no file's keys.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readDoc, section } from './markdown.js';

/** Every key path of the config (inner ones too), and which of them are leaves. */
function keyPaths(value: unknown, prefix = '', all: string[] = [], leaves: string[] = []): { all: string[]; leaves: string[] } {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) keyPaths(inner, prefix === '' ? key : `${prefix}.${key}`, all, leaves);
  } else {
    leaves.push(prefix);
  }
  if (prefix !== '') all.push(prefix);
  return { all, leaves };
}

/**
 * The keys of the table's first column: `a.b.c`, and `.d` after it for its sibling `a.b.d`;
 * `<d>` and `<c>` stand for any detector or data class.
 */
function documentedKeys(table: string): string[] {
  const keys: string[] = [];
  for (const line of table.split('\n')) {
    const cell = /^\| (`[^|]*`) \|/.exec(line)?.[1];
    if (cell === undefined || cell === '`key`') continue;
    let previous = '';
    for (const [, key] of cell.matchAll(/`([^`]+)`/g)) {
      const full = key.startsWith('.') ? previous.slice(0, previous.lastIndexOf('.')) + key : key;
      keys.push(full);
      previous = full;
    }
  }
  return keys;
}

function pattern(key: string): RegExp {
  const escaped = key.replace(/[.]/g, '\\.').replace(/<[a-z]>/g, '[^.]+');
  return new RegExp(`^${escaped}(\\..+)?$`);
}

describe('docs/design.md "Config"', () => {
  const table = section(readDoc('docs/design.md'), 'Config');
  const documented = documentedKeys(table);
  const { all, leaves } = keyPaths(parse(readDoc('config/example.yaml')));

  it('reads the table as intended', () => {
    expect(documentedKeys('| key | default | meaning |\n| `a.b.c`, `.d` | 1 | x |\n| `e.<d>.f` | | |')).toEqual(['a.b.c', 'a.b.d', 'e.<d>.f']);
    expect(documented).toContain('detectors.volume_spike.min_bytes');
    expect(leaves).toContain('detectors.gateway_silent.factor');
  });

  it('documents every key of the config', () => {
    const undocumented = leaves.filter((path) => !documented.some((key) => pattern(key).test(path)));
    expect(undocumented).toEqual([]);
  });

  it('documents no key the config does not have', () => {
    expect(documented.filter((key) => !all.some((path) => pattern(key).test(path)))).toEqual([]);
  });
});
