// Prints the README's "Every command and option" section from the CLI's own --help, so the
// README documents every option (docs/design.md, "Command line") and cannot drift from it:
// test/docs/readme-options.test.ts compares the README's block with this output.
// Usage: node scripts/readme-options.mjs   (after the build)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'egress-watch.js');

function help(args) {
  return execFileSync(process.execPath, [cli, ...args, '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '200' } });
}

/** The entries of a help text's section (`Options:` or `Commands:`): first column and its text, wrapped lines joined. */
function section(text, title) {
  const lines = text.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const out = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || !line.startsWith(' ')) break;
    const m = /^ {2}(\S.*?)(?: {2,}(.*))?$/.exec(line);
    if (m && !line.startsWith('   ')) out.push({ name: m[1], text: m[2] ?? '' });
    else if (out.length > 0) out[out.length - 1].text += ` ${line.trim()}`;
  }
  return out;
}

/** The first clause of an option's text, enough to say what it is; commander's own notes left out. */
function short(text) {
  let t = text.replace(/\s*\((default|choices|env): [^)]*\)/g, '').replace(/\s+/g, ' ').trim();
  const cut = t.indexOf('; ');
  if (cut > 25) t = t.slice(0, cut);
  if (t.length > 110) t = `${t.slice(0, 107).replace(/\s+\S*$/, '')}...`;
  // A clause cut inside a parenthesis ends before it.
  let depth = 0;
  let open = -1;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(' && depth++ === 0) open = i;
    else if (t[i] === ')' && depth > 0) depth--;
  }
  return depth > 0 ? t.slice(0, open).trim() : t;
}

function commandLines(path) {
  const text = help(path);
  const lines = [];
  const options = section(text, 'Options').filter((o) => !o.name.startsWith('-h, --help'));
  const sub = section(text, 'Commands').filter((c) => !c.name.startsWith('help'));
  if (options.length > 0) lines.push(`- \`${path.join(' ')}\``, ...options.map((o) => `  - \`${o.name}\`: ${short(o.text)}`));
  else if (sub.length === 0) lines.push(`- \`${path.join(' ')}\`: no options`);
  for (const c of sub) lines.push(...commandLines([...path, c.name.split(' ')[0]]));
  return lines;
}

const top = section(help([]), 'Commands').filter((c) => !c.name.startsWith('help'));
const body = top.flatMap((c) => commandLines([c.name.split(' ')[0]]));
process.stdout.write(`${body.join('\n')}\n`);
