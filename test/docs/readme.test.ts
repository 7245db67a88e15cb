// The README stays a front page: what egress-watch is, exactly two set-up commands (the demo,
// and the tests that CI runs on a fresh clone), a tour and links. The reference lives in docs/;
// a README growing back past its budget, or a set-up command CI no longer runs, fails here.
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDoc, ROOT, section } from './markdown.js';

/** The commands of a sh code block, comments and blank lines left out. */
function shCommands(markdown: string): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('README.md', () => {
  it('stays under 25 KB', () => {
    expect(statSync(`${ROOT}README.md`).size).toBeLessThan(25_000);
  });

  it('gives exactly two set-up commands: the demo, and the tests as CI runs them', () => {
    const setUp = shCommands(section(readDoc('README.md'), 'Set up'));
    expect(setUp).toEqual(['npm ci && npx egress-watch demo', 'npm ci && npm test']);
    const ci = readDoc('.ci/run')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#') && !/^(set|cd) /.test(line));
    expect(ci).toEqual([setUp[1]]);
  });
});
