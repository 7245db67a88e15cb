// Checks a log of alerts (a file or the incident topic) against their hash chains: every
// alert is chained, its fields hash to its link, each link names its predecessor's hash,
// and no sequence number is missing. At-least-once delivery repeats alerts; a repeat is
// byte-for-byte the same link and is counted, not reported.
import type { Alert } from '../engine/types.js';
import { GENESIS_HASH, linkHash } from './chain.js';

export interface LocatedAlert {
  alert: Alert;
  /** Where it was read: `file:line` or `topic/partition@offset`. */
  where: string;
}

export interface ChainSummary {
  chain_id: string;
  /** Distinct links present. */
  alerts: number;
  first_seq: number;
  last_seq: number;
  /** chain_hash of the last link: compare it with the head the service recorded. */
  head_hash: string;
}

export interface VerifyProblem {
  /** 'start': links missing before the first one present (deleted, or expired by retention). */
  kind?: 'start';
  where: string;
  chain_id: string | null;
  seq: number | null;
  problem: string;
}

export interface VerifyReport {
  /** Alerts read, repeats included. */
  alerts: number;
  /** chain id -> seq -> chain_hash of every intact link, to compare with recorded heads. */
  links: Map<string, Map<number, string>>;
  /** Things an auditor should know that are not evidence of tampering. */
  notes: string[];
  /** Repeated deliveries of an identical link (at-least-once). */
  duplicates: number;
  chains: ChainSummary[];
  problems: VerifyProblem[];
}

interface Link {
  alert: Alert;
  where: string;
}

export function verifyAlerts(items: Iterable<LocatedAlert>): VerifyReport {
  const report: VerifyReport = { alerts: 0, links: new Map(), notes: [], duplicates: 0, chains: [], problems: [] };
  const chains = new Map<string, Map<number, Link>>();
  for (const { alert, where } of items) {
    report.alerts++;
    const id = alert.chain_id ?? null;
    const seq = alert.chain_seq ?? null;
    if (id === null || seq === null || !alert.chain_hash || !alert.chain_prev) {
      report.problems.push({ where, chain_id: id, seq, problem: `alert ${alert.alert_id} carries no chain link (chain_id, chain_seq, chain_prev, chain_hash)` });
      continue;
    }
    if (linkHash(alert) !== alert.chain_hash) {
      report.problems.push({ where, chain_id: id, seq, problem: `alert ${alert.alert_id} was altered: its fields do not hash to its chain_hash` });
      continue;
    }
    let links = chains.get(id);
    if (!links) chains.set(id, (links = new Map()));
    const seen = links.get(seq);
    if (seen === undefined) links.set(seq, { alert, where });
    else if (seen.alert.chain_hash === alert.chain_hash) report.duplicates++;
    else report.problems.push({ where, chain_id: id, seq, problem: `a different alert than at ${seen.where} holds seq ${seq}` });
  }
  for (const id of [...chains.keys()].sort()) {
    const links = chains.get(id)!;
    const seqs = [...links.keys()].sort((a, b) => a - b);
    const first = links.get(seqs[0])!;
    if (seqs[0] > 0) {
      report.problems.push({ kind: 'start', where: first.where, chain_id: id, seq: seqs[0], problem: `seq 0..${seqs[0] - 1} missing before it` });
    } else if (first.alert.chain_prev !== GENESIS_HASH) {
      report.problems.push({ where: first.where, chain_id: id, seq: 0, problem: 'the first link does not start from the genesis hash' });
    }
    for (let i = 1; i < seqs.length; i++) {
      const prev = links.get(seqs[i - 1])!;
      const cur = links.get(seqs[i])!;
      if (seqs[i] !== seqs[i - 1] + 1) {
        const missing = seqs[i] - seqs[i - 1] - 1;
        report.problems.push({ where: cur.where, chain_id: id, seq: seqs[i], problem: `${missing} alert${missing === 1 ? '' : 's'} missing before it (seq ${seqs[i - 1] + 1}..${seqs[i] - 1})` });
      } else if (cur.alert.chain_prev !== prev.alert.chain_hash) {
        report.problems.push({ where: cur.where, chain_id: id, seq: seqs[i], problem: `its chain_prev is not the chain_hash of seq ${seqs[i - 1]} at ${prev.where}: an alert was altered or replaced` });
      }
    }
    const last = links.get(seqs[seqs.length - 1])!;
    report.links.set(id, new Map(seqs.map((q) => [q, links.get(q)!.alert.chain_hash!])));
    report.chains.push({ chain_id: id, alerts: seqs.length, first_seq: seqs[0], last_seq: seqs[seqs.length - 1], head_hash: last.alert.chain_hash! });
  }
  return report;
}

export function formatVerifyReport(r: VerifyReport, source: string): string[] {
  const lines = [`verify ${source}: ${r.alerts} alerts, ${r.duplicates} repeated deliveries, ${r.chains.length} chain${r.chains.length === 1 ? '' : 's'}`];
  for (const c of r.chains) lines.push(`  chain ${c.chain_id}: seq ${c.first_seq}..${c.last_seq} (${c.alerts} links), head ${c.head_hash}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.problems.length === 0) lines.push('  intact: every link checks and no alert is missing');
  else {
    lines.push(`  ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`);
    for (const p of r.problems) lines.push(`    ${p.where}: ${p.chain_id === null ? '' : `chain ${p.chain_id} `}${p.seq === null ? '' : `seq ${p.seq}: `}${p.problem}`);
  }
  return lines;
}
