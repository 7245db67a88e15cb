// principal by the sending (internal) address: the config's `principals` list, then the rows of
// `principals_file` (CSV with the header `cidr,principal`, for estates too large to list in
// YAML), one first-match-wins range table over both. A bad row is a ConfigError naming the
// file and its line, every bad row at once.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { normaliseCidr } from '../../config/cidr.js';
import { ConfigError, NOT_UTF8, type ConfigProblem } from '../../config/errors.js';
import type { EnrichConfig } from '../../config/types.js';
import { RangeTable } from './range-table.js';

const HEADER = ['cidr', 'principal'];

export interface PrincipalTable {
  table: RangeTable<string>;
  fromConfig: number;
  fromFile: number;
}

export function buildPrincipals(enrich: EnrichConfig): PrincipalTable {
  const entries = enrich.principals.map((rule) => ({ cidr: rule.src, value: rule.principal }));
  const fromFile = enrich.principals_file === null ? [] : readPrincipalsFile(enrich.principals_file);
  return { table: new RangeTable([...entries, ...fromFile]), fromConfig: entries.length, fromFile: fromFile.length };
}

export function readPrincipalsFile(file: string): Array<{ cidr: string; value: string }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ file, message: `cannot read the principals file: ${(error as Error).message}` }]);
  }
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { info: true, skip_empty_lines: true, trim: true, relax_column_count: true, bom: true }) as unknown as typeof rows;
  } catch (error) {
    const { lines } = error as { lines?: number };
    throw new ConfigError([{ file, line: lines, message: `not valid CSV: ${(error as Error).message}` }]);
  }
  const problems: ConfigProblem[] = [];
  const [header, ...body] = rows;
  if (header === undefined || header.record.map((cell) => cell.toLowerCase()).join(',') !== HEADER.join(',')) {
    const got = header === undefined ? 'an empty file' : JSON.stringify(header.record.join(','));
    throw new ConfigError([{ file, line: header?.info.lines ?? 1, message: `expected the header line "${HEADER.join(',')}", got ${got}` }]);
  }
  const entries: Array<{ cidr: string; value: string }> = [];
  for (const { record, info } of body) {
    if (record.length !== 2) {
      problems.push({ file, line: info.lines, message: `expected 2 columns (cidr,principal), got ${record.length}` });
      continue;
    }
    const [cidrText, principal] = record;
    const network = normaliseCidr(cidrText);
    if ('error' in network) problems.push({ file, line: info.lines, keyPath: 'cidr', message: network.error });
    else if (principal === '') problems.push({ file, line: info.lines, keyPath: 'principal', message: 'expected a principal name, got an empty cell' });
    // Bytes that are not UTF-8 (a file saved as Latin-1) read as U+FFFD, which a flow's
    // principal may not hold (validate-flow.ts): every flow of the range would be refused.
    else if (principal.includes('\ufffd')) problems.push({ file, line: info.lines, keyPath: 'principal', message: NOT_UTF8 });
    else entries.push({ cidr: network.cidr, value: principal });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return entries;
}
