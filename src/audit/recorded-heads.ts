// The chain heads the service recorded: each changelog partition's latest progress marker
// holds the head of its partition's alert chain, written with the state it came from.
// Comparing them with the alert log finds what the log alone cannot show: alerts cut off
// its end. The marker also holds the head of the partition's suppressed-alert chain.
import type { ChainHead } from './chain.js';
import type { VerifyProblem, VerifyReport } from './verify.js';

/**
 * The log against the heads the service recorded. The link at each recorded head must be
 * the one recorded (a rebuilt chain, even one re-hashed end to end, differs there); a log
 * that ends before a recorded head lost its end; a chain the service never recorded is
 * not the service's. Links after a recorded head are normal for a moment (alerts are
 * published before the state that follows them is written) but nothing anchors them yet:
 * they are counted in a note. Without a secret key in the links, this anchoring is what
 * tells a rebuilt chain from the real one; an auditor can also keep printed heads.
 */
export function compareHeads(report: VerifyReport, heads: Map<string, ChainHead>, where: string): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const byId = new Map(report.chains.map((c) => [c.chain_id, c]));
  let unanchored = 0;
  for (const [id, head] of [...heads].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (head.seq === 0) continue;
    const lastRecorded = head.seq - 1;
    const chain = byId.get(id);
    if (chain === undefined) {
      problems.push({ where, chain_id: id, seq: lastRecorded, problem: `the service recorded ${head.seq} alerts in this chain but the log has none` });
      continue;
    }
    const hash = report.links.get(id)?.get(lastRecorded);
    if (chain.last_seq < lastRecorded) {
      problems.push({ where, chain_id: id, seq: lastRecorded, problem: `the service recorded the chain up to seq ${lastRecorded} but the log ends at seq ${chain.last_seq}: alerts cut off its end` });
    } else if (hash !== undefined && hash !== head.hash) {
      problems.push({ where, chain_id: id, seq: lastRecorded, problem: `the alert at seq ${lastRecorded} is not the one the service recorded: the chain was rebuilt` });
    }
    unanchored += Math.max(0, chain.last_seq - lastRecorded);
  }
  for (const c of report.chains) {
    if (!heads.has(c.chain_id)) {
      problems.push({ where, chain_id: c.chain_id, seq: c.first_seq, problem: 'the service recorded no head for this chain: alerts it never wrote, or a changelog that was reset' });
    }
  }
  if (unanchored > 0) report.notes.push(`${unanchored} link${unanchored === 1 ? '' : 's'} after the recorded heads, not anchored yet (normal while the service is writing; verify again later)`);
  return problems;
}
