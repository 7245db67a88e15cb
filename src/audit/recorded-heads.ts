// The chain heads the service recorded: each changelog partition's latest progress marker
// holds the head of its partition's alert chain, written with the state it came from.
// Comparing them with the alert log finds what the log alone cannot show: alerts cut off
// its end. The marker also holds the head of the partition's suppressed-alert chain.
import type { Kafka } from 'kafkajs';
import { parseProgress, PROGRESS_KEY } from '../kafka/progress.js';
import { readToEnd } from '../kafka/read-to-end.js';
import { suppressedChainId, type ChainHead } from './chain.js';
import type { VerifyProblem, VerifyReport } from './verify.js';

export async function readRecordedHeads(kafka: Kafka, changelog: string, groupPrefix: string): Promise<Map<string, ChainHead>> {
  const heads = new Map<string, ChainHead>();
  await readToEnd(kafka, { topic: changelog, groupPrefix }, (partition, m) => {
    if (m.key?.toString('utf8') !== PROGRESS_KEY || m.value === null) return;
    const p = parseProgress(m.value.toString('utf8'));
    if (typeof p === 'string') return;
    heads.set(`${p.topic}/${partition}`, p.chain);
    if (p.suppressed !== undefined) heads.set(suppressedChainId(`${p.topic}/${partition}`), p.suppressed);
  });
  return heads;
}

/**
 * A recorded head beyond the log's last link means alerts are missing from the end of the
 * log. A log beyond the recorded head is normal for a moment: alerts are published before
 * the state that follows them is written.
 */
export function compareHeads(report: VerifyReport, heads: Map<string, ChainHead>, where: string): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const byId = new Map(report.chains.map((c) => [c.chain_id, c]));
  for (const [id, head] of [...heads].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (head.seq === 0) continue;
    const lastRecorded = head.seq - 1;
    const chain = byId.get(id);
    if (chain === undefined) {
      problems.push({ where, chain_id: id, seq: lastRecorded, problem: `the service recorded ${head.seq} alerts in this chain but the log has none` });
    } else if (chain.last_seq < lastRecorded) {
      problems.push({ where, chain_id: id, seq: lastRecorded, problem: `the service recorded the chain up to seq ${lastRecorded} but the log ends at seq ${chain.last_seq}: alerts cut off its end` });
    } else if (chain.last_seq === lastRecorded && chain.head_hash !== head.hash) {
      problems.push({ where, chain_id: id, seq: lastRecorded, problem: 'the last alert differs from the one the service recorded' });
    }
  }
  return problems;
}
