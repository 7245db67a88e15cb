// The settings a detector uses for one destination and data class: the detector's block
// with every matching override applied in file order (a later override wins).
import picomatch from 'picomatch';
import type { Config, DetectorKey, DetectorSettings, Override } from './types.js';

// Host names are case-insensitive; dot: true so "*" also matches names starting with ".".
// Note "*" does not cross "/": a dst_prefix key such as 10.1.2.0/24 needs "**" or its exact text.
const GLOB_OPTIONS = { nocase: true, dot: true } as const;
const compiledGlobs = new Map<string, (text: string) => boolean>();

function globMatcher(glob: string): (text: string) => boolean {
  let matcher = compiledGlobs.get(glob);
  if (!matcher) {
    matcher = picomatch(glob, GLOB_OPTIONS);
    compiledGlobs.set(glob, matcher);
  }
  return matcher;
}

/** Both match keys, when given, must match; data_class compares exactly. */
export function overrideMatches(override: Override, destination: string, dataClass: string | null): boolean {
  const { destination: glob, data_class: wantedClass } = override.match;
  if (wantedClass !== undefined && wantedClass !== dataClass) return false;
  if (glob !== undefined && !globMatcher(glob)(destination)) return false;
  return true;
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
