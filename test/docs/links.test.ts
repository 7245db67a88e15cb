// Every relative link in README.md and docs/*.md must lead somewhere: to a file of the
// repository, and when it names a heading (#anchor), to a heading of that file as GitHub
// anchors it. A moved or renamed section then fails here instead of in a reader's browser.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorOf, anchorsOf, readDoc, relativeLinks, ROOT, section } from './markdown.js';

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Why a link of `from` cannot be followed, or null when it can. */
function brokenBecause(from: string, target: string): string | null {
  const [path, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = path === '' ? from : relative(ROOT, normalize(join(ROOT, dirname(from), decodeURIComponent(path))));
  if (!existsSync(join(ROOT, file))) return `no file ${file}`;
  if (anchor === undefined || !file.endsWith('.md')) return null;
  return anchorsOf(readDoc(file)).has(anchor) ? null : `no heading #${anchor} in ${file}`;
}

describe('relative links of the docs', () => {
  it('finds the docs to check', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/design.md', 'docs/operations.md']));
  });

  for (const doc of DOCS) {
    it(`${doc}: every relative link leads to a file or heading`, () => {
      const broken = relativeLinks(readDoc(doc))
        .map((link) => ({ link, why: brokenBecause(doc, link.target) }))
        .filter((b) => b.why !== null)
        .map((b) => `${doc}:${b.link.line}: ${b.link.target}: ${b.why}`);
      expect(broken).toEqual([]);
    });
  }
});

describe('the Markdown reading the link check relies on', () => {
  it('anchors a heading as GitHub does', () => {
    expect(anchorOf('Soak (`npm run soak`)')).toBe('soak-npm-run-soak');
    expect(anchorOf('The Kafka path (`npm run bench:kafka`)')).toBe('the-kafka-path-npm-run-benchkafka');
    expect(anchorOf('Folding repeats (`alerts.suppress_for`)')).toBe('folding-repeats-alertssuppress_for');
    expect(anchorOf('Event time: per-gateway watermarks, implausible clocks, duplicates')).toBe(
      'event-time-per-gateway-watermarks-implausible-clocks-duplicates',
    );
  });

  it('numbers repeated headings and ignores # lines inside code blocks', () => {
    const text = '# A\n\n## Notes\n\n```sh\n# not a heading\n```\n\n## Notes\n';
    expect([...anchorsOf(text)]).toEqual(['a', 'notes', 'notes-1']);
  });

  it('finds links in prose and link text in code, not inside code or URLs', () => {
    const text = [
      'See [design](design.md#config) and [`run`](operations.md).',
      'Not `[x](inline.md)`, not [web](https://example.com).',
      '```',
      '[y](fenced.md)',
      '```',
      '[same file](#top)',
    ].join('\n');
    expect(relativeLinks(text)).toEqual([
      { line: 1, target: 'design.md#config' },
      { line: 1, target: 'operations.md' },
      { line: 6, target: '#top' },
    ]);
  });

  it('cuts one section out, to the next heading of its level', () => {
    const text = '# T\n## One\na\n### Sub\nb\n## Two\nc\n';
    expect(section(text, 'One')).toBe('## One\na\n### Sub\nb');
    expect(section(text, 'Two')).toBe('## Two\nc\n');
    expect(() => section(text, 'Three')).toThrow('no heading "Three"');
  });
});
