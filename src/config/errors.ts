// One config problem = one line "file:line: key.path: what is wrong".

export interface ConfigProblem {
  file: string;
  /** 1-based line in the file; absent when the file itself could not be read. */
  line?: number;
  /** Dotted key path with list indexes, e.g. detectors.overrides[0].match; absent for the whole file. */
  keyPath?: string;
  message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return problem.keyPath ? `${where}: ${problem.keyPath}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** Every problem found, earliest line first; file, line and keyPath are those of the first. */
/** What a config or enrichment file holding U+FFFD is told: bytes there were not UTF-8 (read as the replacement character). */
export const NOT_UTF8 = 'holds U+FFFD, the replacement character: the file is not UTF-8 there (save it as UTF-8)';

export class ConfigError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly keyPath: string | undefined;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    if (problems.length === 0) throw new TypeError('ConfigError needs at least one problem');
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
    this.file = problems[0].file;
    this.line = problems[0].line;
    this.keyPath = problems[0].keyPath;
  }
}

export type KeyPath = ReadonlyArray<string | number>;

/** ['detectors', 'overrides', 0, 'match'] → "detectors.overrides[0].match". */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}
