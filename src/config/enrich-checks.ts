// Checks of the enrich section that need the rest of the config or the file system: every
// data_class it assigns is declared under policy.data_classes (a label the policy does not know
// would never be enforced), and every file it names can be read. File paths are resolved
// against the config folder in place, as the TLS files are.
import { accessSync, constants } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { describeValue } from './describe.js';
import type { PathIssue } from './issues.js';
import { BUILTIN_GEOIP } from './schema/enrich.js';
import type { Config, EnrichConfig } from './types.js';

export function checkEnrichment(config: Omit<Config, 'config_version'>, folder: string, readFailure: (error: unknown) => string): PathIssue[] {
  const enrich = config.enrich;
  const issues: PathIssue[] = [];
  const declared = Object.keys(config.policy.data_classes).sort();
  enrich.data_classes.forEach((rule, index) => {
    if (!Object.hasOwn(config.policy.data_classes, rule.data_class)) {
      const known = declared.length === 0 ? 'none is declared' : `declared: ${declared.join(', ')}`;
      issues.push({
        path: ['enrich', 'data_classes', index, 'data_class'],
        message: `data class ${describeValue(rule.data_class)} is not declared under policy.data_classes (${known})`,
      });
    }
  });
  const resolveFile = (written: string, path: Array<string | number>): string => {
    const absolute = isAbsolute(written) ? written : resolve(folder, written);
    try {
      accessSync(absolute, constants.R_OK);
    } catch (error) {
      issues.push({ path, message: `cannot read ${absolute}: ${readFailure(error)}` });
    }
    return absolute;
  };
  if (enrich.geoip !== null && enrich.geoip !== BUILTIN_GEOIP) enrich.geoip = resolveFile(enrich.geoip, ['enrich', 'geoip']);
  if (enrich.principals_file !== null) enrich.principals_file = resolveFile(enrich.principals_file, ['enrich', 'principals_file']);
  for (const key of ['zeek_ssl', 'zeek_dns', 'suricata_eve'] as const satisfies ReadonlyArray<keyof EnrichConfig['dst_host']>) {
    enrich.dst_host[key] = enrich.dst_host[key].map((file, index) => resolveFile(file, ['enrich', 'dst_host', key, index]));
  }
  return issues;
}
