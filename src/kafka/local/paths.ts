import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'egress-watch';

/**
 * The folder holding egress-watch's package.json (and so kafka/pom.xml). Found by walking up
 * from this module because the same code runs from src/kafka/local/ (tests) and from
 * dist/src/kafka/local/ (the installed CLI).
 */
export function packageRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && readPackageName(candidate) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${fileURLToPath(fromUrl)}`);
    }
    dir = parent;
  }
}

function readPackageName(file: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'name' in parsed) {
      return String((parsed as { name: unknown }).name);
    }
  } catch {
    // An unreadable package.json belongs to someone else; keep walking.
  }
  return undefined;
}

/** Root of egress-watch's machine-wide cache: EGRESS_WATCH_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/egress-watch. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.EGRESS_WATCH_CACHE?.trim();
  if (override) return resolve(override);
  const xdg = env.XDG_CACHE_HOME?.trim();
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), PACKAGE_NAME);
}

/** Folder of one Kafka release's jars: <cacheRoot>/kafka-<version>/libs. */
export function kafkaLibsDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), `kafka-${version}`, 'libs');
}

/** State folder of the local broker: the --dir option, else EGRESS_WATCH_LOCAL_DIR, else ./.egress-watch/local. */
export function localStateDir(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (dir !== undefined && dir !== '') return resolve(dir);
  const fromEnv = env.EGRESS_WATCH_LOCAL_DIR?.trim();
  if (fromEnv) return resolve(fromEnv);
  return resolve('.egress-watch', 'local');
}

/** Files inside a state folder, named once so start, stop and status agree. */
export function stateFiles(stateDir: string) {
  return {
    serverProperties: join(stateDir, 'server.properties'),
    dataDir: join(stateDir, 'data'),
    metaProperties: join(stateDir, 'data', 'meta.properties'),
    pidFile: join(stateDir, 'broker.pid'),
    logFile: join(stateDir, 'broker.log'),
    bootstrapFile: join(stateDir, 'bootstrap'),
  };
}
