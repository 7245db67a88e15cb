import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kafkaVersion } from './kafka-version.js';
import { kafkaLibsDir, packageRoot } from './paths.js';

export interface EnsureJarsOptions {
  /** Progress lines (the one "downloading" notice); defaults to silence. */
  log?: (line: string) => void;
  /** Kafka release; defaults to kafkaVersion() (the constant or EGRESS_WATCH_KAFKA_VERSION). */
  version?: string;
}

/** Written beside libs/ only after Maven copied every jar, so a half-finished download is never reused. */
const COMPLETE_MARKER = 'libs.complete';

/**
 * Makes sure the broker's jars for the Kafka release are in the machine cache and returns the
 * libs folder (use as `java -cp '<libs>/*'`). The first call runs Maven on kafka/pom.xml;
 * later calls find the marker and return at once.
 */
export async function ensureKafkaJars(opts: EnsureJarsOptions = {}): Promise<string> {
  const version = opts.version ?? kafkaVersion();
  const libsDir = kafkaLibsDir(version);
  const marker = join(dirname(libsDir), COMPLETE_MARKER);
  if (existsSync(marker) && existsSync(libsDir)) return libsDir;

  const pom = join(packageRoot(), 'kafka', 'pom.xml');
  if (!existsSync(pom)) throw new Error(`Kafka broker POM not found at ${pom}`);

  mkdirSync(dirname(libsDir), { recursive: true });
  // Copy into a private folder first, then rename: a concurrent or interrupted download never
  // leaves a partial libs/ that looks usable.
  const partialDir = `${libsDir}.partial-${process.pid}`;
  rmSync(partialDir, { recursive: true, force: true });
  opts.log?.(
    `downloading Apache Kafka ${version} and its dependencies from Maven Central into ${libsDir} (first start only)`,
  );
  await runMaven([
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-Dkafka.version=${version}`,
    `-DoutputDirectory=${partialDir}`,
  ]);
  if (!existsSync(partialDir) || !readdirSync(partialDir).some((f) => f.startsWith(`kafka_`))) {
    rmSync(partialDir, { recursive: true, force: true });
    throw new Error(`Maven finished but copied no kafka_*.jar for Kafka ${version} into ${partialDir}`);
  }

  if (existsSync(marker) && existsSync(libsDir)) {
    // Another process finished the same download meanwhile; keep its copy.
    rmSync(partialDir, { recursive: true, force: true });
    return libsDir;
  }
  rmSync(libsDir, { recursive: true, force: true }); // leftovers of an interrupted earlier attempt
  renameSync(partialDir, libsDir);
  writeFileSync(marker, `kafka ${version} jars copied by Maven at ${new Date().toISOString()}\n`);
  return libsDir;
}

function runMaven(args: string[]): Promise<void> {
  const mvn = process.env.EGRESS_WATCH_MVN?.trim() || 'mvn';
  return new Promise((resolvePromise, reject) => {
    const child = spawn(mvn, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      // Keep only the tail: Maven's useful error is at the end.
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(`"${mvn}" not found: Maven 3 is needed to download the Kafka broker jars (or set EGRESS_WATCH_MVN)`)
          : new Error(`cannot run ${mvn}: ${err.message}`),
      );
    });
    child.on('close', (code) => {
      if (code === 0) return resolvePromise();
      const tail = output.replace(/\u001b\[[0-9;]*m/g, '').trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${mvn} ${args.join(' ')} failed with exit code ${code}:\n${tail}`));
    });
  });
}
