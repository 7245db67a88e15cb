// npm postinstall: applies patches/ (patch-package) when this is the project being installed.
// Installed as a dependency of another project, npm may hoist kafkajs out of reach of
// patch-package, which would then fail (or, outside CI, skip with a warning): say so and go on.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';

const here = realpathSync(process.cwd());
const root = process.env.INIT_CWD === undefined ? here : realpathSync(process.env.INIT_CWD);
if (root !== here) {
  console.warn('egress-watch: installed as a dependency; kafkajs is left unpatched (see docs/design.md, Dependencies: patch-package)');
  process.exit(0);
}
// Its own bin script, run by this node: no reliance on PATH (npm adds node_modules/.bin, a shell may not).
const bin = createRequire(import.meta.url).resolve('patch-package/index.js');
const result = spawnSync(process.execPath, [bin, '--error-on-fail'], { stdio: 'inherit' });
if (result.error) console.error(`egress-watch: could not run patch-package: ${result.error.message}`);
process.exit(result.status ?? 1);
