// Chart.js's browser build, inlined into the pages egress-watch writes or serves (the audit
// report, the live console) so they need no network. Read once from the installed package.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let source: string | undefined;

/** The UMD build (defines window.Chart). The package's exports map hides it, so it is found next to the CommonJS entry. */
export function chartLibrary(): string {
  source ??= readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return source;
}
