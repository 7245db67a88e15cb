// `generate --format X --enrich-config F`: a config file that replays the generated lines with
// the alerts of the native records: the base config (the operator's, or config/example.yaml,
// whose policy the generator follows) with `input.format: X` and the `enrich` section of the
// synthetic estate, and the side files it names written beside it.
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isSeq, parseDocument, visit } from 'yaml';
import type { DialectStream } from './dialect-stream.js';

export interface WrittenEnrichConfig {
  config: string;
  principalsFile: string;
  dnsFile: string | null;
}

export function writeEnrichConfig(file: string, baseText: string, stream: DialectStream): WrittenEnrichConfig {
  const stem = basename(file).replace(/\.ya?ml$/i, '');
  const principalsName = `${stem}.principals.csv`;
  const dnsName = `${stem}.dns.log`;
  const files = stream.estate.files(principalsName, dnsName);
  const doc = parseDocument(baseText);
  doc.setIn(['input', 'format'], stream.dialect);
  // One line per rule: {dst: 192.0.2.7/32, country: DE}.
  const enrich = doc.createNode(files.enrich);
  visit(enrich, {
    Map(_key, map, path) {
      if (isSeq(path[path.length - 1])) map.flow = true;
    },
  });
  doc.set('enrich', enrich);
  const header =
    `# Written by egress-watch generate --format ${stream.dialect}: the base config with input.format and an enrich\n` +
    '# section that gives back what the dialect does not carry (docs/enrichment.md).\n';
  writeFileSync(file, header + doc.toString({ lineWidth: 0 }));
  const folder = dirname(file);
  writeFileSync(join(folder, principalsName), files.principalsCsv);
  const dnsFile = 'dst_host' in files.enrich ? join(folder, dnsName) : null;
  if (dnsFile !== null) writeFileSync(dnsFile, files.dnsLog);
  return { config: file, principalsFile: join(folder, principalsName), dnsFile };
}
