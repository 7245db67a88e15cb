// The settings a detector uses for one destination and data class: the detector's block
// with every matching override applied in file order (a later override wins).
import picomatch from 'picomatch';
import type { Config, DetectorKey, DetectorSettings, Override } from './types.js';

// Host names are case-insensitive; dot: true so "*" also matches names starting with ".".
// Note "*" does not cross "/": a dst_prefix key such as 10.1.2.0/24 needs "**" or its exact text.
const GLOB_OPTIONS = { nocase: true, dot: true } as const;
const compiledGlobs = new Map<string, (text: string) => boolean>();

/** A destination glob's matcher, compiled once (overrides, baseline.day_zones). */
export function globMatcher(glob: string): (text: string) => boolean {
  let matcher = compiledGlobs.get(glob);
  if (!matcher) {
    matcher = picomatch(glob, GLOB_OPTIONS);
    compiledGlobs.set(glob, matcher);
  }
  return matcher;
}

/** Both match keys, when given, must match; data_class compares exactly. */
export function overrideMatches(override: Override, destination: string, dataClass: string | null): boolean {
  const wantedClass = override.match.data_class;
  if (wantedClass !== undefined && wantedClass !== dataClass) return false;
  return destinationMatches(override, destination);
}

/** The destination half of the match alone (true when the override names no destination). */
export function destinationMatches(override: Override, destination: string): boolean {
  const glob = override.match.destination;
  return glob === undefined || globMatcher(glob)(destination);
}

/**
 * Which overrides' destination globs the destination matches, as a key ('0'/'1' per override
 * that names a destination): destinations with the same key get the same settings for every
 * data class, so what is resolved for one can be shared by all of them.
 */
export function destinationMatchKey(overrides: readonly Override[], destination: string): string {
  let key = '';
  for (const o of overrides) if (o.match.destination !== undefined) key += destinationMatches(o, destination) ? '1' : '0';
  return key;
}

export function resolveDetectorSettings<K extends DetectorKey>(
  config: Pick<Config, 'detectors'>,
  key: K,
  destination: string,
  dataClass: string | null,
): DetectorSettings[K] {
  let settings: DetectorSettings[K] = { ...config.detectors[key] };
  for (const override of config.detectors.overrides) {
    const partial = override.settings[key];
    if (partial === undefined || !overrideMatches(override, destination, dataClass)) continue;
    settings = { ...settings, ...withoutUndefined(partial) };
  }
  return settings;
}

function withoutUndefined<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
