// Reading the project's Markdown as GitHub renders it, for the tests that hold the docs to the
// code: the headings a link may point at (GitHub's anchor for each), the relative links, and
// one section's text. Fenced code blocks and inline code are not Markdown to GitHub, so
// neither links nor headings are looked for inside them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A file of the repository by its path from the root, e.g. `docs/operations.md`. */
export function readDoc(path: string): string {
  return readFileSync(ROOT + path, 'utf8');
}

/** The text with every fenced code block blanked out line for line (line numbers kept). */
function withoutFences(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence === null && marker !== undefined) {
      fence = marker;
      return '';
    }
    if (fence !== null) {
      if (marker === fence) fence = null;
      return '';
    }
    return line;
  });
}

/**
 * GitHub's anchor for a heading: lower case, everything but letters, digits, spaces, hyphens
 * and underscores removed, each space a hyphen. (Backticks and punctuation go; "×" too.)
 */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of the file's headings; a repeated heading gets -1, -2, … as on GitHub. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(text)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m === null) continue;
    const base = anchorOf(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

export interface Link {
  /** 1-based line of the link in its file. */
  line: number;
  /** What the link points at, as written: `path`, `path#anchor` or `#anchor`. */
  target: string;
}

/** Links to other files or headings: `[text](target)` outside code, leaving out URLs (`scheme:`). */
export function relativeLinks(text: string): Link[] {
  const links: Link[] = [];
  withoutFences(text).forEach((line, i) => {
    const prose = line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
    // Link text may itself hold inline code: match on the line with code blanked, read the target there too.
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      links.push({ line: i + 1, target });
    }
  });
  return links;
}

/**
 * The section under the first heading whose text is `heading` (at any level), up to the next
 * heading of the same or a higher level, or the end of the file; throws when there is none.
 */
export function section(text: string, heading: string): string {
  const lines = text.split('\n');
  const code = withoutFences(text);
  const start = code.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = /^#+/.exec(code[start])![0].length;
  let end = start + 1;
  while (end < lines.length && !new RegExp(`^#{1,${level}} `).test(code[end])) end++;
  return lines.slice(start, end).join('\n');
}
