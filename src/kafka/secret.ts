// The SASL password, read only when connecting, from the environment variable or the file the
// config names. Errors name the key and the variable or file, never a value. No kafkajs
// import here: the CLI's error handling uses SecretError without loading the Kafka client.
import { readFileSync } from 'node:fs';
import type { KafkaSasl } from '../config/types.js';

/** A password that cannot be read: names the key and the variable or file, never a value. */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/**
 * The SASL password from `password_env` (an environment variable) or `password_file` (one
 * trailing newline dropped, as `echo secret > file` writes one). Throws SecretError.
 */
export function saslPassword(sasl: KafkaSasl, env: NodeJS.ProcessEnv = process.env): string {
  if (sasl.password_file !== undefined) {
    let text: string;
    try {
      text = readFileSync(sasl.password_file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code;
      throw new SecretError(`kafka.sasl.password_file: cannot read ${sasl.password_file}: ${why ?? 'unknown error'}`);
    }
    const password = text.replace(/\r?\n$/, '');
    if (password === '') throw new SecretError(`kafka.sasl.password_file: ${sasl.password_file} is empty`);
    return password;
  }
  const name = sasl.password_env ?? '';
  const password = env[name];
  if (password === undefined || password === '') {
    throw new SecretError(`kafka.sasl.password_env: environment variable ${name} is not set`);
  }
  return password;
}
