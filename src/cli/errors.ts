// One place that decides how a failure ends the process: one clear message, exit code 2
// for anything the user can fix (bad config, missing file, bad option).
import { ConfigError } from '../config/errors.js';
import { InputError } from '../io/input.js';
import { SecretError } from '../kafka/secret.js';
import { GenerateOptionsError } from '../generate/types.js';
import { TruthFileError } from '../eval/scorecard.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof InputError || err instanceof SecretError) return 2;
  if (err instanceof GenerateOptionsError || err instanceof TruthFileError) return 2;
  // A path the user gave that cannot be read or written: missing, a directory, not a directory, refused.
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM') return 2;
  return 1;
}

export function reportFatal(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`egress-watch: ${message}\n`);
  process.exit(exitCodeOf(err));
}
