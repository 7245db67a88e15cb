// A data class's policy as the detectors read it: the normalised entry of the config
// (policy.data_classes.<name>) and its compiled form (engine/policy.ts compiles it for the hot
// path). At the bottom of the code so that detectors, config and engine can all read it.

export interface PolicyDataClass {
  /** Country codes (regions already expanded), upper case, sorted. */
  allowed_countries: string[];
  /** As written in the file (region names kept) for reasons a person reads. */
  allowed_as_written: string[];
  /** Glob patterns (picomatch) for principals allowed to move this class. */
  principals: string[];
  require_gateway: boolean;
}

export interface CompiledClass {
  name: string;
  entry: PolicyDataClass;
  anyCountry: boolean;
  countries: ReadonlySet<string>;
  /** null principal never matches a glob: an anonymous flow is not authorised. */
  principalAllowed(principal: string | null): boolean;
}

export function countryAllowed(cls: CompiledClass, country: string | null): boolean {
  if (cls.anyCountry) return true; // "*": the class has no residency rule at all
  if (country === null) return false; // unknown country counts as not allowed
  return cls.countries.has(country);
}
