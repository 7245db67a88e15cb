// config_version: names the config in force on every alert, so an auditor can tell which
// policy and thresholds produced it. Equal meaning gives an equal hash: it is taken over the
// normalised config (defaults filled, units converted) in canonical JSON, not over the file text.
// The normalised config holds the SHA-256 of each enrichment file (enrich_files), so the
// version changes with what a principals CSV, GeoIP database or join log holds.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type { Config } from './types.js';

export function configVersion(config: Omit<Config, 'config_version'> & { config_version?: string }): string {
  const { config_version: _ignored, ...rest } = config;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 16);
}
