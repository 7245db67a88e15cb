// The README lists every command and option (docs/design.md: "Every option is documented in
// --help and in the README"): its block is what scripts/readme-options.mjs makes from --help,
// so an option added to a command without the README fails here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/schemas.js';

describe('README: every command and option', () => {
  it('holds exactly what --help says, as scripts/readme-options.mjs writes it', () => {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const block = /<!-- options:start -->\n([\s\S]*?)<!-- options:end -->/.exec(readme)?.[1];
    const made = execFileSync(process.execPath, [join(packageRoot(), 'scripts', 'readme-options.mjs')], { encoding: 'utf8', timeout: 120_000 });
    expect(made).toContain('`--scores <file>`');
    expect(block).toBe(made);
  });
});
