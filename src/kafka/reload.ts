// SIGHUP: re-read and validate the config file, then hand it to the running service. A file
// that does not validate, or that changes a setting only a restart can apply (live-reload.ts),
// is refused with one error log line in the usual FILE:LINE: key: reason form, and the config
// in force stays; a running service never stops over a reload.
import { readFileSync } from 'node:fs';
import { ConfigError, formatKeyPath } from '../config/errors.js';
import { changedKeys, restartOnlyKeys } from '../config/live-reload.js';
import { configErrorAt, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { Logger } from './logger.js';

export interface Reconfigurable {
  /** The config in force. */
  readonly config: Config;
  reconfigure(config: Config): void;
}

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'invalid' | 'refused';

export function reloadConfigFile(file: string, service: Reconfigurable, log: Logger): ReloadOutcome {
  const current = service.config;
  const version = current.config_version;
  let next: Config;
  try {
    next = loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.error({ config_file: file, config_version: version }, `config not reloaded, version ${version} stays in force: ${err.message}`);
    return 'invalid';
  }
  const fixed = changedKeys(current, next, restartOnlyKeys(current));
  if (fixed.length > 0) {
    const issues = fixed.map((path) => ({ path, message: 'cannot change while the service runs; restart the service to apply it' }));
    const refusal = refusalError(file, issues);
    log.error(
      { config_file: file, config_version: version, restart_only: fixed.map(formatKeyPath) },
      `config not reloaded, version ${version} stays in force: ${refusal.message}`,
    );
    return 'refused';
  }
  if (next.config_version === version) {
    log.info({ config_file: file, config_version: version }, `config reloaded: unchanged (version ${version})`);
    return 'unchanged';
  }
  service.reconfigure(next);
  log.info(
    { config_file: file, old_config_version: version, new_config_version: next.config_version },
    `config reloaded: version ${version} -> ${next.config_version}`,
  );
  return 'reloaded';
}

function refusalError(file: string, issues: Array<{ path: readonly (string | number)[]; message: string }>): ConfigError {
  try {
    return configErrorAt(readFileSync(file, 'utf8'), file, issues);
  } catch {
    // The file went away between the two reads: the key paths alone still say what to undo.
    return new ConfigError(issues.map((issue) => ({ file, keyPath: formatKeyPath(issue.path), message: issue.message })));
  }
}
