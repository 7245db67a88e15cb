import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.js';

/** A listener besides the PLAINTEXT one the CLI and readiness probe use, e.g. a SASL_SSL one for security tests. */
export interface ExtraListener {
  /** Listener name as Kafka knows it (upper case, e.g. `SASL_SSL` or `EXTERNAL`); per-listener settings go in extraProperties as `listener.name.<lower-case name>.*`. */
  name: string;
  securityProtocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  /** Port on 127.0.0.1; a free one is picked when absent. */
  port?: number;
}

export interface BrokerLayout {
  port: number;
  controllerPort: number;
  dataDir: string;
  extraListeners: Array<Required<ExtraListener>>;
  extraProperties: Record<string, string>;
}

const LISTENER_NAME = /^[A-Z][A-Z0-9_]*$/;
const RESERVED_LISTENERS = new Set(['PLAINTEXT', 'CONTROLLER']);

/** Renders kafka/server.properties.template for the layout; extraProperties replace template keys or are appended. */
export function renderServerProperties(layout: BrokerLayout, templateText = readTemplate()): string {
  const listeners = [
    { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', port: layout.port },
    ...layout.extraListeners,
  ];
  for (const listener of layout.extraListeners) {
    if (!LISTENER_NAME.test(listener.name) || RESERVED_LISTENERS.has(listener.name)) {
      throw new Error(
        `extraListeners: listener name "${listener.name}" must be upper case letters, digits and _ and not PLAINTEXT or CONTROLLER`,
      );
    }
  }
  const values: Record<string, string> = {
    CONTROLLER_PORT: String(layout.controllerPort),
    LISTENERS: [
      ...listeners.map((l) => `${l.name}://127.0.0.1:${l.port}`),
      `CONTROLLER://127.0.0.1:${layout.controllerPort}`,
    ].join(','),
    ADVERTISED_LISTENERS: listeners.map((l) => `${l.name}://127.0.0.1:${l.port}`).join(','),
    SECURITY_PROTOCOL_MAP: [
      ...listeners.map((l) => `${l.name}:${l.securityProtocol}`),
      'CONTROLLER:PLAINTEXT',
    ].join(','),
    DATA_DIR: escapeValue(layout.dataDir),
  };

  const lines = templateText.split('\n').map((line, index) =>
    // Comments may mention placeholders; only settings are filled in.
    /^\s*[#!]/.test(line) ? line : line.replace(/\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
      const value = values[name];
      if (value === undefined) {
        throw new Error(`kafka/server.properties.template line ${index + 1}: unknown placeholder {{${name}}}`);
      }
      return value;
    }),
  );

  const pending = new Map(Object.entries(layout.extraProperties));
  for (const [key, value] of pending) {
    if (!/^[A-Za-z0-9._-]+$/.test(key)) throw new Error(`extraProperties: "${key}" is not a Kafka property name`);
    if (/[\r\n]/.test(value)) throw new Error(`extraProperties.${key}: value must be a single line`);
  }
  // Replace a template key in place rather than appending a duplicate, so the file reads true.
  const rendered = lines.map((line) => {
    const key = /^([A-Za-z0-9._-]+)=/.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) return line;
    const value = pending.get(key) as string;
    pending.delete(key);
    return `${key}=${escapeValue(value)}`;
  });
  if (pending.size > 0) {
    while (rendered.length > 0 && rendered[rendered.length - 1].trim() === '') rendered.pop();
    rendered.push('', '# extra properties passed to startLocalBroker');
    for (const [key, value] of pending) rendered.push(`${key}=${escapeValue(value)}`);
  }
  return rendered.join('\n').replace(/\n*$/, '\n');
}

/** Reads `key=value` lines back (enough for our own file: no continuations, no `:` separators). */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([^#!\s][^=]*?)\s*=\s*(.*)$/.exec(line);
    if (match) result.set(match[1], match[2].replace(/\\\\/g, '\\'));
  }
  return result;
}

function readTemplate(): string {
  return readFileSync(join(packageRoot(), 'kafka', 'server.properties.template'), 'utf8');
}

// Java properties treat a backslash as an escape; paths and values must keep theirs.
function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\');
}
