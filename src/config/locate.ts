// Which line of the YAML file a key path points at, so every problem can say file:line.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { KeyPath } from './errors.js';

/**
 * The line of the node at `path`. A missing key points at its parent's key (where it should
 * have been written); an unknown key path points at that key itself. A scalar value points at
 * its own line, which in a multi-line flow list can differ from its key's.
 */
export function lineOfPath(doc: Document, lineCounter: LineCounter, path: KeyPath): number {
  const lineOf = (node: { range?: readonly number[] | null } | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;

  let node: unknown = doc.contents;
  let line = lineOf(doc.contents as Node | null) ?? 1;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return line;
      line = lineOf(pair.key as Node) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
      line = lineOf(node as Node) ?? line;
    } else {
      return line;
    }
  }
  // An empty value (`key:` and nothing) is a null scalar whose range starts after the key; keep the key's line.
  if (isScalar(node) && node.source !== undefined && node.source !== '' && node.value !== null) {
    line = lineOf(node) ?? line;
  }
  return line;
}
