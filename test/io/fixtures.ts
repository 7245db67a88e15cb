// Shared test data and temp-file helpers for the I/O tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowRecord } from '../../src/engine/types.js';
import type { InputItem } from '../../src/io/input-item.js';

export function flow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    flow_id: 'f1',
    gateway_id: 'g',
    start_ms: 1000,
    end_ms: 2000,
    src_ip: '10.0.0.1',
    dst_ip: '1.2.3.4',
    src_port: 40000,
    dst_port: 443,
    protocol: 6,
    dst_host: null,
    dst_country: 'DE',
    bytes_out: 5,
    bytes_in: 0,
    packets_out: 1,
    packets_in: 1,
    data_class: null,
    principal: 'alice',
    ...overrides,
  };
}

/** n distinct flows with every field set, ids f1..fn. */
export function flows(n: number): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let i = 1; i <= n; i++) {
    out.push({
      flow_id: `f${i}`,
      gateway_id: i % 3 === 0 ? null : `gw-${i % 2}`,
      start_ms: 1_700_000_000_000 + i * 1000,
      end_ms: 1_700_000_000_000 + i * 1000 + 250,
      src_ip: `10.0.${i % 256}.${(i * 7) % 256}`,
      dst_ip: i % 5 === 0 ? '2001:db8::1' : `203.0.113.${i % 256}`,
      src_port: 30000 + i,
      dst_port: 443,
      protocol: i % 4 === 0 ? 17 : 6,
      dst_host: i % 2 === 0 ? `host${i}.example.com` : null,
      dst_country: i % 7 === 0 ? null : 'US',
      bytes_out: i * 1000,
      bytes_in: i * 10,
      packets_out: i,
      packets_in: i + 1,
      data_class: i % 2 === 0 ? 'eu_user_data' : null,
      principal: i % 3 === 1 ? `svc-eu-${i}` : null,
    });
  }
  return out;
}

export function tempDir(): { dir: string; file(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'egress-watch-io-'));
  return {
    dir,
    file: (name: string) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function collect(batches: AsyncIterable<InputItem[]>): Promise<InputItem[]> {
  const out: InputItem[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

/**
 * The message JSON.parse itself gives for `text`: expected reasons quote it, and it varies by
 * Node version. Control characters (V8 quotes raw input) as the reasons show them: \u00XX.
 */
export function jsonParseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return [...(err as Error).message].map((c) => (c < ' ' || c === '\x7f' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
  }
  throw new Error('expected a parse error');
}
