// The prose that names every detector is held to the registry (src/detectors/registry.ts), as
// the config schema, check-config and the SIEM mappings read it: a detector added to the list
// fails here, once per place it is missing from, until a person has written it up there
// (docs/architecture.md, "Adding a detector", step 6). Removing one fails the same way.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/detectors/registry.js';
import { readDoc, section } from './markdown.js';

const types = DETECTORS.map((d) => d.type);

/** Every `UPPER_CASE` name (an Avro symbol: letters, digits, underscores) written as inline code in a text. */
function codeNames(text: string): string[] {
  return [...text.matchAll(/`([A-Z][A-Z0-9_]*[A-Z0-9])`/g)].map((m) => m[1]);
}

/** The alert types listed in the README's opening list (the bullets before "It is for"). */
function readmeTypes(readme: string): string[] {
  const list = readme.slice(0, readme.indexOf('It is for'));
  return codeNames(list);
}

/** The first cells of docs/detection.md's "Reasons" table: one alert type a row. */
function reasonRows(detection: string): string[] {
  return [...section(detection, 'Reasons').matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
}

/** What docs/design.md's config table says of each detector's default severity: key -> severity. */
function documentedSeverities(design: string): Map<string, string> {
  const row = section(design, 'Config')
    .split('\n')
    .find((line) => line.startsWith('| `detectors.<d>.enabled`, `.severity` |'));
  const out = new Map<string, string>();
  if (row === undefined) return out;
  const defaults = row.split('|')[2];
  // "`CRITICAL` for `a` and `b`, `HIGH` for `c`, `d` and `e`, ..."
  for (const [, severity, keys] of defaults.matchAll(/`([A-Z]+)` for ((?:`[a-z_]+`(?:, | and )?)+)/g)) {
    for (const [, key] of keys.matchAll(/`([a-z_]+)`/g)) out.set(key, severity);
  }
  return out;
}

describe('the prose that names every detector', () => {
  it('reads the documents as intended', () => {
    expect(codeNames('a (`VOLUME_SPIKE`) or (`GATEWAY_SILENT`, `gateway:<id>`)')).toEqual(['VOLUME_SPIKE', 'GATEWAY_SILENT']);
    expect([...documentedSeverities('## Config\n\n| `detectors.<d>.enabled`, `.severity` | `true`; `CRITICAL` for `a_b` and `c`, `HIGH` for `d`, `e` and `f` | x |\n').entries()]).toEqual([
      ['a_b', 'CRITICAL'], ['c', 'CRITICAL'], ['d', 'HIGH'], ['e', 'HIGH'], ['f', 'HIGH'],
    ]);
    expect(types).toContain('GATEWAY_SILENT');
  });

  it('README.md lists every alert type, in the registry order', () => {
    expect(readmeTypes(readDoc('README.md'))).toEqual(types);
  });

  it('docs/design.md lists every alert type in its "Purpose" and as the values of "Alert"\'s type, in the registry order', () => {
    const design = readDoc('docs/design.md');
    const purpose = section(design, 'Purpose');
    expect(codeNames(purpose.slice(0, purpose.indexOf('SOC analysts subscribe')))).toEqual(types);
    const alert = section(design, 'Alert');
    const typeSentence = alert.slice(alert.indexOf('`type` is one of'), alert.indexOf('`severity` is one of'));
    // After the list, the sentence names the enum's default (`NEW_DESTINATION`) once more.
    expect(codeNames(typeSentence).slice(0, types.length)).toEqual(types);
    expect(codeNames(typeSentence).slice(types.length)).toEqual(['NEW_DESTINATION']);
  });

  it('docs/detection.md "Reasons" has one example row per alert type, in the registry order', () => {
    expect(reasonRows(readDoc('docs/detection.md'))).toEqual(types);
  });

  it("docs/design.md's config table gives each detector's default severity as its settings do", () => {
    const documented = documentedSeverities(readDoc('docs/design.md'));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(DETECTORS.map((d) => [d.key, d.settings.severity])));
  });

  it('config/example.yaml writes out a block for every detector, in the registry order', () => {
    const example = parse(readDoc('config/example.yaml')) as { detectors: Record<string, unknown> };
    expect(Object.keys(example.detectors).filter((k) => k !== 'overrides')).toEqual(DETECTORS.map((d) => d.key));
  });
});
