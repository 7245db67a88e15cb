import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';

/** A SCRAM user written into the cluster metadata when storage is formatted (KRaft has no other bootstrap path without a Java admin client). */
export interface ScramCredential {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

const SCRAM_TOKEN = /^[A-Za-z0-9._@-]+$/;

/**
 * A Kafka cluster id: 16 random bytes as unpadded base64url, as `kafka-storage random-uuid`
 * prints. Like Kafka's own Uuid.randomUuid, ids starting with '-' are redrawn because the
 * storage tool would read them as an option.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Runs `kafka.tools.StorageTool format` on the state folder's server.properties; its output goes to the broker log. */
export async function formatStorage(opts: {
  java: string;
  classpath: string;
  serverProperties: string;
  logFile: string;
  cwd: string;
  scramCredentials?: ScramCredential[];
}): Promise<void> {
  const args = ['-cp', opts.classpath, 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', opts.serverProperties];
  for (const [index, cred] of (opts.scramCredentials ?? []).entries()) {
    if (!SCRAM_TOKEN.test(cred.username) || !SCRAM_TOKEN.test(cred.password)) {
      throw new Error(`scramCredentials[${index}]: username and password may only hold letters, digits and . _ @ -`);
    }
    args.push('--add-scram', `${cred.mechanism}=[name=${cred.username},password=${cred.password}]`);
  }
  const logFd = openSync(opts.logFile, 'a');
  try {
    const code = await new Promise<number | null>((resolvePromise, reject) => {
      const child = spawn(opts.java, args, { cwd: opts.cwd, stdio: ['ignore', logFd, logFd] });
      child.on('error', reject);
      child.on('close', resolvePromise);
    });
    if (code !== 0) throw new Error(`formatting Kafka storage failed (exit code ${code})`);
  } finally {
    closeSync(logFd);
  }
}
