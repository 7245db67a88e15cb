// dst_host from the logs sensors write besides their flows, for records whose dialect carries
// no host name: the TLS server name of the same connection (Zeek ssl.log `server_name` by
// connection uid, Suricata `tls` events' `sni` by flow_id), then the DNS name answered with the
// flow's destination address (Zeek dns.log `query`, Suricata `dns` responses), the latest one at
// or before the flow's start, so an address that changes hands over the day is named by the
// answer in force. Both sensors feed the same two tables. The files are read whole at start, at
// most `max_entries` joins kept (an error past that, not a silent cut), so memory is bounded and
// the result depends only on the files and the flow.
import ipaddr from 'ipaddr.js';
import { ConfigError } from '../../config/errors.js';
import type { FlowRecord } from '../../engine/types.js';
import type { EnrichConfig } from '../../config/types.js';
import { ipNumber } from './ip-number.js';
import { readEveHostEvents } from './suricata-eve.js';
import { readZeekLog, zeekTimeMs, ZeekLogError, type ZeekRow } from './zeek-log.js';

interface Answer {
  ts: number;
  name: string;
}

export interface HostJoins {
  /** The host name for the flow, or null when no log names it. */
  host(flow: FlowRecord): string | null;
  readonly sslEntries: number;
  readonly dnsEntries: number;
}

export function buildHostJoins(settings: EnrichConfig['dst_host']): HostJoins {
  const bySni = new Map<string, string>();
  const byAddress = new Map<string, Answer[]>();
  let total = 0;
  const count = (file: string, line: number) => {
    if (++total > settings.max_entries) {
      throw new ConfigError([
        {
          file,
          line,
          message: `more than enrich.dst_host.max_entries (${settings.max_entries}) joins in the dst_host logs; raise it or give fewer files`,
        },
      ]);
    }
  };
  /** A TLS server name for a connection id (Zeek uid, Suricata flow_id); the first one given wins. */
  const addName = (file: string, line: number, id: string, name: string) => {
    if (name === '' || bySni.has(id)) return;
    count(file, line);
    bySni.set(id, name.toLowerCase());
  };
  /** A DNS name answered, at `ts`, with `answer` (only addresses are kept: CNAME, TXT, ... are not). */
  const addAnswer = (file: string, line: number, ts: number, query: string, answer: string) => {
    const address = canonicalAddress(answer.trim());
    if (address === null) return;
    count(file, line);
    const list = byAddress.get(address) ?? [];
    list.push({ ts, name: query.toLowerCase() });
    byAddress.set(address, list);
  };
  for (const file of settings.zeek_ssl) {
    for (const row of rowsOf(file)) {
      if (!isLog(row, 'ssl')) continue; // another log's row in a mixed file (a tag_json dump)
      const uid = row.fields.uid;
      const name = row.fields.server_name;
      if (typeof uid !== 'string') throw located(file, row.line, 'an ssl.log row without a uid');
      if (typeof name === 'string') addName(file, row.line, uid, name);
    }
  }
  for (const file of settings.zeek_dns) {
    for (const row of rowsOf(file)) {
      if (!isLog(row, 'dns')) continue;
      const query = row.fields.query;
      const answers = row.fields.answers;
      if (typeof query !== 'string' || query === '' || answers === null || answers === undefined) continue;
      const ts = zeekTimeMs(row.fields.ts);
      if (ts === null) throw located(file, row.line, `a dns.log row without a readable ts (got ${JSON.stringify(row.fields.ts ?? null)})`);
      for (const answer of Array.isArray(answers) ? answers : answers.split(',')) addAnswer(file, row.line, ts, query, answer);
    }
  }
  for (const file of settings.suricata_eve) {
    for (const event of eveEventsOf(file)) {
      if (event.kind === 'tls') addName(file, event.line, event.flowId, event.sni);
      else for (const answer of event.answers) addAnswer(file, event.line, event.ts, event.query, answer);
    }
  }
  // Stable: answers at the same ts keep file order, and the last of them wins.
  for (const list of byAddress.values()) list.sort((a, b) => a.ts - b.ts);
  // Flows mostly write addresses canonically: the text is the key; other IPv6 spellings are canonicalised (remembered).
  const respelled = new Map<string, string | null>();
  const answersFor = (dstIp: string): Answer[] | undefined => {
    const list = byAddress.get(dstIp);
    if (list !== undefined || dstIp.indexOf(':') === -1) return list;
    let canonical = respelled.get(dstIp);
    if (canonical === undefined) {
      canonical = canonicalAddress(dstIp);
      if (respelled.size >= 65_536) respelled.clear();
      respelled.set(dstIp, canonical);
    }
    return canonical === null ? undefined : byAddress.get(canonical);
  };
  return {
    sslEntries: bySni.size,
    dnsEntries: total - bySni.size,
    host(flow) {
      if (bySni.size > 0) {
        const named = bySni.get(flow.flow_id);
        if (named !== undefined) return named;
      }
      if (byAddress.size === 0) return null;
      const list = answersFor(flow.dst_ip);
      return list === undefined ? null : latestAtOrBefore(list, flow.start_ms);
    },
  };
}

/** Whether a row is of the log `kind` (ssl, dns), or does not say which log it is. */
function isLog(row: ZeekRow, kind: string): boolean {
  return row.path === null || row.path.indexOf(kind) !== -1;
}

function eveEventsOf(file: string): ReturnType<typeof readEveHostEvents> {
  try {
    return readEveHostEvents(file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([{ file, message: `cannot read the eve.json: ${(error as Error).message}` }]);
  }
}

function rowsOf(file: string): ZeekRow[] {
  try {
    return readZeekLog(file);
  } catch (error) {
    if (error instanceof ZeekLogError) throw located(error.file, error.line, error.reason);
    throw new ConfigError([{ file, message: `cannot read the log: ${(error as Error).message}` }]);
  }
}

function located(file: string, line: number, message: string): ConfigError {
  return new ConfigError([{ file, line, message }]);
}

/** Dotted quad as written (it has one spelling), IPv6 in RFC 5952 text, IPv4-mapped as IPv4; null: not an address. */
function canonicalAddress(text: string): string | null {
  const number = ipNumber(text);
  if (number === null) return null;
  return text.indexOf(':') === -1 ? text : ipaddr.process(text).toString();
}

function latestAtOrBefore(list: Answer[], ms: number): string | null {
  let low = 0;
  let high = list.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (list[middle].ts <= ms) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found < 0 ? null : list[found].name;
}
