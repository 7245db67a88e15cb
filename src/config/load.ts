// Reading the config file: YAML → zod validation and normalisation → checks that need the
// file's location (TLS files) or the whole config (overrides that can never match) → the
// digests of the enrichment files → config_version. Every problem names file:line: key.path.
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { checkEnrichment } from './enrich-checks.js';
import { enrichFileDigests } from './enrich-files.js';
import { ConfigError, formatKeyPath, NOT_UTF8, type ConfigProblem } from './errors.js';
import { explainIssues, type PathIssue } from './issues.js';
import { lineOfPath } from './locate.js';
import { checkOverrides } from './override-checks.js';
import { checkSuppressions } from './suppression-checks.js';
import { configSchema } from './schema/config.js';
import type { Config, KafkaSasl, KafkaSsl } from './types.js';
import { configVersion } from './version.js';

export { ConfigError } from './errors.js';

export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ file: path, message: `cannot read the config file: ${readFailure(error)}` }]);
  }
  return parseConfig(text, path);
}

/** `fileName` is used in messages and to resolve relative TLS file paths. */
export function parseConfig(text: string, fileName: string): Config {
  // Bytes that are not UTF-8 read as U+FFFD: a principal glob or country written in another
  // encoding would match something else than was meant (and flows holding it are refused).
  const replaced = text.indexOf('\ufffd');
  if (replaced !== -1) {
    throw new ConfigError([{ file: fileName, line: text.slice(0, replaced).split('\n').length, message: NOT_UTF8 }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  // Warnings too (an unknown tag, say): a value read differently from what was meant is not harmless.
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) throw new ConfigError(yamlProblems.map((error) => yamlProblem(error, fileName)));

  const raw: unknown = doc.toJS() ?? {};
  const result = configSchema().safeParse(raw);
  if (!result.success) throw located(explainIssues(result.error.issues, raw), doc, lineCounter, fileName);

  const config = result.data as unknown as Omit<Config, 'config_version'>;
  const folder = dirname(resolve(fileName));
  const sslIssues = [...resolveSslFiles(config.kafka.ssl, folder), ...resolvePasswordFile(config.kafka.sasl, folder)];
  const crossIssues = [...sslIssues, ...checkOverrides(config), ...checkSuppressions(config), ...checkEnrichment(config, folder, readFailure)];
  if (crossIssues.length > 0) throw located(crossIssues, doc, lineCounter, fileName);
  // The contents of the enrichment files, so that config_version changes with them.
  const files = enrichFileDigests(config.enrich);
  const full = files === null ? config : { ...config, enrich_files: files };
  return { ...full, config_version: configVersion(full) };
}

/** Problems found outside parseConfig (a reload refusing a key, say), located in the file's text. */
export function configErrorAt(text: string, fileName: string, issues: PathIssue[]): ConfigError {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return located(issues, doc, lineCounter, fileName);
}

/** Every default with an empty policy (the built-in EEA region only). */
export function defaultConfig(): Config {
  const config = configSchema().parse({}) as unknown as Omit<Config, 'config_version'>;
  return { ...config, config_version: configVersion(config) };
}

function located(issues: PathIssue[], doc: Document, lineCounter: LineCounter, file: string): ConfigError {
  const problems: ConfigProblem[] = issues.map((issue) => ({
    file,
    line: lineOfPath(doc, lineCounter, issue.path),
    keyPath: formatKeyPath(issue.path),
    message: issue.message,
  }));
  // Stable sort: problems on one line keep zod's order.
  return new ConfigError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
}

function yamlProblem(error: YAMLError, file: string): ConfigProblem {
  const position = error.linePos?.[0];
  // yaml's pretty message is "<what> at line L, column C:\n\n<excerpt>"; keep the first part.
  const what =
    error.code === 'MULTIPLE_DOCS'
      ? 'a config file holds one YAML document, this one starts a second'
      : error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const column = position ? ` (column ${position.col})` : '';
  return { file, line: position?.line ?? 1, message: `invalid YAML: ${what}${column}` };
}

// Resolves ca/cert/key against the config folder in place and reports unreadable files.
function resolveSslFiles(ssl: false | KafkaSsl, folder: string): PathIssue[] {
  if (ssl === false) return [];
  const issues: PathIssue[] = [];
  for (const key of ['ca', 'cert', 'key'] as const) {
    const written = ssl[key];
    if (written === undefined) continue;
    const absolute = isAbsolute(written) ? written : resolve(folder, written);
    ssl[key] = absolute;
    try {
      accessSync(absolute, constants.R_OK);
    } catch (error) {
      issues.push({ path: ['kafka', 'ssl', key], message: `cannot read ${absolute}: ${readFailure(error)}` });
    }
  }
  return issues;
}

// The same for the SASL password file; only its path is kept, its content is read when connecting.
function resolvePasswordFile(sasl: KafkaSasl | null, folder: string): PathIssue[] {
  if (sasl === null || sasl.password_file === undefined) return [];
  const absolute = isAbsolute(sasl.password_file) ? sasl.password_file : resolve(folder, sasl.password_file);
  sasl.password_file = absolute;
  try {
    accessSync(absolute, constants.R_OK);
    return [];
  } catch (error) {
    return [{ path: ['kafka', 'sasl', 'password_file'], message: `cannot read ${absolute}: ${readFailure(error)}` }];
  }
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  return (error as Error).message;
}
