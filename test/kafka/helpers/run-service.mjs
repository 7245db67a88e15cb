// Runs the compiled CLI (dist/) as `egress-watch ...` in a child process of the service tests.
// Goes through src/cli/main.ts like bin/egress-watch.js does; registers the run command itself
// only while main.ts does not yet.
import { buildProgram, main } from '../../../dist/src/cli/main.js';
import { registerRunCommand } from '../../../dist/src/cli/run-command.js';
import { reportFatal } from '../../../dist/src/cli/errors.js';

const program = buildProgram();
if (program.commands.some((c) => c.name() === 'run')) {
  await main(process.argv);
} else {
  registerRunCommand(program);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err && err.code && String(err.code).startsWith('commander.')) process.exit(err.exitCode === 0 ? 0 : 2);
    reportFatal(err);
  }
}
