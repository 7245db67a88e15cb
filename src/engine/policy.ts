// The policy section compiled for the hot path: set lookups and cached glob matches,
// so a flow costs a few map reads, not a regex per principal.
import picomatch from 'picomatch';
import { ANY_COUNTRY, ANY_PRINCIPAL } from '../config/schema/policy.js';
import type { Config } from '../config/types.js';
import type { CompiledClass } from '../model/policy.js';

export { countryAllowed, type CompiledClass } from '../model/policy.js';

/** picomatch's `bash` mode: a single `*` crosses `/` as `**` does. */
const PRINCIPAL_GLOB = { dot: true, bash: true } as const;

export function compilePolicy(config: Config): Map<string, CompiledClass> {
  const out = new Map<string, CompiledClass>();
  for (const [name, entry] of Object.entries(config.policy.data_classes)) {
    // `principals` left out of the file normalises to ANY_PRINCIPAL: the check is off,
    // and then even an unauthenticated flow is not a principal violation.
    const anyPrincipal = entry.principals.includes(ANY_PRINCIPAL);
    // A principal is an identity, not a path: `*` matches any run of characters, `/` included
    // (Kerberos `HTTP/web-1@CORP.EXAMPLE`, role ARNs); matching keeps case (realms do).
    const matchers = entry.principals.map((g) => picomatch(g, PRINCIPAL_GLOB));
    const cache = new Map<string, boolean>();
    out.set(name, {
      name,
      entry,
      anyCountry: entry.allowed_as_written.includes(ANY_COUNTRY),
      countries: new Set(entry.allowed_countries),
      principalAllowed(principal) {
        if (anyPrincipal) return true;
        if (principal === null || principal === '') return false;
        let ok = cache.get(principal);
        if (ok === undefined) {
          ok = matchers.some((m) => m(principal));
          if (cache.size > 10_000) cache.clear(); // bounded: principals are few, but never trust input
          cache.set(principal, ok);
        }
        return ok;
      },
    });
  }
  return out;
}
