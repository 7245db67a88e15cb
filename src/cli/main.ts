// The egress-watch command line: one commander program, each command registered from
// its own file so the commands stay small and independent.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../io/schemas.js';
import { reportFatal } from './errors.js';
import { registerAlertsCommand } from './alerts-command.js';
import { registerCheckConfigCommand } from './check-config-command.js';
import { registerConsoleCommand } from './console-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerGenerateCommand } from './generate-command.js';
import { registerLocalCommand } from './local-command.js';
import { registerReplayCommand } from './replay-command.js';
import { registerReportCommand } from './report-command.js';
import { registerRunCommand } from './run-command.js';
import { registerSuppressCommand } from './suppress-command.js';
import { registerVerifyCommand } from './verify-command.js';

export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const program = new Command();
  program
    .name('egress-watch')
    .description('Streaming anomaly detector for outbound data traffic (gateway flow records on Kafka).')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  registerReplayCommand(program);
  registerGenerateCommand(program);
  registerLocalCommand(program);
  registerRunCommand(program);
  registerCheckConfigCommand(program);
  registerAlertsCommand(program);
  registerDemoCommand(program);
  registerVerifyCommand(program);
  registerReportCommand(program);
  registerConsoleCommand(program);
  registerSuppressCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; a usage error has already been printed.
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    reportFatal(err);
  }
}
