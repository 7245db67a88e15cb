// policy: regions, internal networks and data classes. Region names and country codes are
// resolved here, so the engine only ever compares upper-case ISO codes.
import { z } from 'zod';
import { normaliseCidr } from '../cidr.js';
import { describeValue } from '../describe.js';
import { COUNTRY_CODES, EEA_COUNTRIES, isCountryCode } from '../countries.js';
import type { PolicyDataClass } from '../types.js';
import { nonEmptyString, section, strict } from './fields.js';

/** In allowed_countries: every known country (a flow whose country is unknown is still not allowed). */
export const ANY_COUNTRY = '*';

/**
 * Written when `principals` is left out: the principal check is off for that class.
 * picomatch's "**" matches every non-empty name, including names with "/" in them.
 */
export const ANY_PRINCIPAL = '**';

// Normalised to the network address in canonical text (fd00:0::/8 → fd00::/8).
export const cidr = z.string().transform((text, ctx): string => {
  const result = normaliseCidr(text);
  if ('error' in result) {
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  }
  return result.cidr;
});

const dataClass = strict({
  allowed_countries: z.array(nonEmptyString),
  principals: z.array(nonEmptyString).optional(),
  require_gateway: z.boolean().default(true),
});

type RawPolicy = {
  regions: Record<string, string[]>;
  internal_networks: string[];
  data_classes: Record<string, z.output<typeof dataClass>>;
};
type Report = (path: Array<string | number>, message: string) => void;

export const policySection = section(
  strict({
    regions: z.record(z.string(), z.array(z.string())).default({}),
    internal_networks: z.array(cidr).default([]),
    data_classes: z.record(z.string(), dataClass).default({}),
  }),
).transform((raw, ctx) => {
  const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  const regions = resolveRegions(raw.regions, report);
  return {
    regions,
    internal_networks: raw.internal_networks,
    data_classes: resolveDataClasses(raw.data_classes, regions, report),
  };
});

/**
 * The regions as country lists: the built-in EEA (unless the file redefines it) and the
 * file's, whose members are countries or other regions (expanded, so a region is usable
 * wherever a country is, in a region too); a region that includes itself is an error.
 */
function resolveRegions(written: RawPolicy['regions'], report: Report): Record<string, string[]> {
  const members = new Map<string, string[]>();
  for (const [name, codes] of Object.entries(written)) {
    if (/^[A-Za-z]{2}$/.test(name) || name === ANY_COUNTRY || name.trim() === '') {
      report(['regions', name], `region name ${describeValue(name)} could be read as a country code; choose a longer name`);
      continue;
    }
    members.set(name, codes);
  }
  const regions: Record<string, string[]> = {};
  if (!members.has('EEA')) regions.EEA = [...EEA_COUNTRIES].sort();
  const open: string[] = [];
  const resolve = (name: string): string[] => {
    if (Object.hasOwn(regions, name)) return regions[name];
    if (open.includes(name)) {
      const replaced = name === 'EEA' ? ' (a region named EEA replaces the built-in one: to add to it, name the group otherwise, e.g. EU_PLUS: [EEA, CH])' : '';
      report(['regions', name], `region ${describeValue(name)} includes itself (${[...open.slice(open.indexOf(name)), name].join(' -> ')})${replaced}`);
      return [];
    }
    open.push(name);
    const resolved = (members.get(name) ?? []).flatMap((code, index) => {
      if (members.has(code) || (code === 'EEA' && !members.has('EEA'))) return resolve(code);
      const upper = code.toUpperCase();
      if (isCountryCode(upper)) return [upper];
      if (code === ANY_COUNTRY) {
        report(['regions', name, index], `a region lists countries and regions; "${ANY_COUNTRY}" (any country) belongs in a data class's allowed_countries`);
        return [];
      }
      report(['regions', name, index], /^[A-Za-z]{2}$/.test(code) ? unknownCountry(code) : unknownRegion(code, [...new Set(['EEA', ...members.keys()])]));
      return [];
    });
    open.pop();
    regions[name] = sortedUnique(resolved);
    return regions[name];
  };
  for (const name of members.keys()) resolve(name);
  return regions;
}

function resolveDataClasses(
  written: RawPolicy['data_classes'],
  regions: Record<string, string[]>,
  report: Report,
): Record<string, PolicyDataClass> {
  const classes: Record<string, PolicyDataClass> = {};
  for (const [name, entry] of Object.entries(written)) {
    const countries = entry.allowed_countries.flatMap((item, index) => {
      if (item === ANY_COUNTRY) return COUNTRY_CODES;
      if (Object.hasOwn(regions, item)) return regions[item];
      const upper = item.toUpperCase();
      if (isCountryCode(upper)) return [upper];
      const message = /^[A-Za-z]{2}$/.test(item) ? unknownCountry(item) : unknownRegion(item, Object.keys(regions));
      report(['data_classes', name, 'allowed_countries', index], message);
      return [];
    });
    classes[name] = {
      allowed_countries: sortedUnique(countries),
      allowed_as_written: [...entry.allowed_countries],
      principals: entry.principals ?? [ANY_PRINCIPAL],
      require_gateway: entry.require_gateway,
    };
  }
  return classes;
}

function unknownCountry(code: string): string {
  return `unknown country code ${describeValue(code)} (expected an ISO 3166-1 alpha-2 code such as DE or GB)`;
}

function unknownRegion(name: string, regionNames: readonly string[]): string {
  return (
    `unknown region ${describeValue(name)} (defined regions: ${[...regionNames].sort().join(', ')}; ` +
    `or write an ISO 3166-1 alpha-2 country code, or "${ANY_COUNTRY}" for any country)`
  );
}

function sortedUnique(codes: readonly string[]): string[] {
  return [...new Set(codes)].sort();
}
