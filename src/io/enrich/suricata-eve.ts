// Reads a Suricata eve.json (plain or gzip-compressed) for the dst_host joins: `tls` events give
// the TLS SNI of a flow by its `flow_id` (the id the same flow's `flow` event carries, and so the
// dialect's flow id), `dns` responses give the queried name for each address answered. The
// three eve DNS layouts are read: v1 (one event per answer record: `dns.rrname`, `dns.rdata`),
// v2 (Suricata 5-7: `dns.rrname` the query, `dns.answers[].rdata` or `dns.grouped.A/AAAA`) and
// v3 (Suricata 8: `dns.queries[0].rrname`, `dns.answers[].rdata`). Every other event type is
// passed over: the whole eve.json may be given.
import { ConfigError } from '../../config/errors.js';
import { DialectError } from '../dialects/dialect.js';
import { isoToMs } from '../dialects/fields.js';
import { readTextFile } from './zeek-log.js';

export type EveHostEvent =
  | { kind: 'tls'; line: number; flowId: string; sni: string }
  | { kind: 'dns'; line: number; ts: number; query: string; answers: string[] };

export function readEveHostEvents(file: string): EveHostEvent[] {
  const lines = readTextFile(file).split('\n');
  const events: EveHostEvent[] = [];
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index].trim();
    if (text === '') continue;
    const line = index + 1;
    const fail = (message: string): never => {
      throw new ConfigError([{ file, line, message }]);
    };
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (error) {
      fail(`not valid JSON: ${(error as Error).message}`);
    }
    if (!isObject(event)) return fail('expected a JSON object (an eve.json event)');
    if (event.event_type === 'tls') {
      const tls = event.tls;
      const sni = isObject(tls) ? tls.sni : undefined;
      if (typeof sni !== 'string' || sni === '') continue; // a TLS session without SNI names nothing
      const id = event.flow_id;
      if (typeof id !== 'number' && typeof id !== 'string') fail(`a tls event without a flow_id (got ${JSON.stringify(id ?? null)})`);
      events.push({ kind: 'tls', line, flowId: String(id), sni });
    } else if (event.event_type === 'dns') {
      const dns = event.dns;
      if (!isObject(dns) || (dns.type !== 'answer' && dns.type !== 'response')) continue; // queries answer nothing
      const query = queryName(dns);
      const answers = answersOf(dns);
      if (query === null || answers.length === 0) continue;
      let ts: number;
      try {
        ts = isoToMs('timestamp', event.timestamp);
      } catch (error) {
        if (!(error instanceof DialectError)) throw error;
        return fail(`a dns event without a readable timestamp: ${error.message}`);
      }
      events.push({ kind: 'dns', line, ts, query, answers });
    }
  }
  return events;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The name asked: v3 `queries[0].rrname`, else `rrname` (v2: the query; v1: the answer record's name). */
function queryName(dns: Record<string, unknown>): string | null {
  const queries = dns.queries;
  const first = Array.isArray(queries) && isObject(queries[0]) ? queries[0].rrname : undefined;
  const name = first ?? dns.rrname;
  return typeof name === 'string' && name !== '' ? name : null;
}

/** The answer data (addresses among CNAME targets and other records; the join keeps only addresses). */
function answersOf(dns: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof dns.rdata === 'string') out.push(dns.rdata); // v1: one record per event
  if (Array.isArray(dns.answers)) {
    for (const answer of dns.answers) if (isObject(answer) && typeof answer.rdata === 'string') out.push(answer.rdata);
  } else if (isObject(dns.grouped)) {
    for (const type of ['A', 'AAAA']) {
      const list = dns.grouped[type];
      if (Array.isArray(list)) for (const value of list) if (typeof value === 'string') out.push(value);
    }
  }
  return out;
}
