// zod issues → one plain sentence per problem, each with the key path it belongs to.
// zod's own wording ("Invalid input: expected number, received string") names types, not
// the value the operator wrote; these messages quote the value: expected a number, got "high".
import type { z } from 'zod';
import { describeValue } from './describe.js';
import type { KeyPath } from './errors.js';

export interface PathIssue {
  path: KeyPath;
  message: string;
}

type Issue = z.core.$ZodIssue;

export function explainIssues(issues: readonly Issue[], input: unknown, prefix: KeyPath = []): PathIssue[] {
  return issues.flatMap((issue) => explainIssue(issue, input, [...prefix, ...issue.path.map(toSegment)]));
}

function explainIssue(issue: Issue, input: unknown, path: KeyPath): PathIssue[] {
  const got = valueAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys':
      // One problem per unknown key, so each points at the line of that key.
      return issue.keys.map((key) => ({ path: [...path, key], message: issue.message }));
    case 'invalid_union':
      return explainUnion(issue, input, path);
    case 'invalid_type':
      if (got === undefined) return [{ path, message: 'required key is missing' }];
      return [{ path, message: `expected ${typeNoun(issue.expected)}, got ${describeValue(got)}` }];
    case 'invalid_value':
      return [{ path, message: `expected ${oneOf(issue.values.map(literalText))}, got ${describeValue(got)}` }];
    case 'too_small':
      return [{ path, message: `${boundText(issue.origin, '>', issue.minimum, issue.inclusive)}, got ${sizeOf(got)}` }];
    case 'too_big':
      return [{ path, message: `${boundText(issue.origin, '<', issue.maximum, issue.inclusive)}, got ${sizeOf(got)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

// A union (ssl: false | {...}, sasl: null | {...}) fails in every branch. When exactly one
// branch got past the type check, its deeper problems are the ones that matter.
function explainUnion(issue: Extract<Issue, { code: 'invalid_union' }>, input: unknown, path: KeyPath): PathIssue[] {
  const isTypeMismatch = (branch: readonly Issue[]) =>
    branch.every((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value'));
  const deeper = issue.errors.filter((branch) => !isTypeMismatch(branch));
  if (deeper.length === 1) return explainIssues(deeper[0], input, path);
  const alternatives = issue.errors.flatMap((branch) =>
    branch.flatMap((inner) => {
      if (inner.code === 'invalid_type') return [typeNoun(inner.expected)];
      if (inner.code === 'invalid_value') return inner.values.map(literalText);
      return [];
    }),
  );
  const expected = alternatives.join(', ').replace(/, ([^,]*)$/, ' or $1');
  return [{ path, message: `expected ${expected}, got ${describeValue(valueAt(input, path))}` }];
}

function typeNoun(expected: string): string {
  const nouns: Record<string, string> = {
    object: 'a mapping',
    record: 'a mapping',
    map: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    null: 'null',
  };
  return nouns[expected] ?? expected;
}

function literalText(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function oneOf(options: string[]): string {
  return options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
}

function boundText(origin: string, direction: '>' | '<', bound: number | bigint, inclusive: boolean | undefined): string {
  if (origin === 'array' || origin === 'set') {
    const entries = `${bound} entr${Number(bound) === 1 ? 'y' : 'ies'}`;
    return direction === '>' ? `expected at least ${entries}` : `expected at most ${entries}`;
  }
  if (origin === 'string') {
    if (direction === '>' && Number(bound) === 1) return 'expected a non-empty string';
    return `expected a string of ${direction === '>' ? 'at least' : 'at most'} ${bound} characters`;
  }
  const operator = `${direction}${inclusive ? '=' : ''}`;
  return `expected a number ${operator} ${bound}`;
}

// A list is described by its length, which is what a length bound is about.
function sizeOf(got: unknown): string {
  if (Array.isArray(got)) return `${got.length} entr${got.length === 1 ? 'y' : 'ies'}`;
  return describeValue(got);
}

function toSegment(key: PropertyKey): string | number {
  return typeof key === 'number' ? key : String(key);
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
