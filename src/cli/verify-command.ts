// `egress-watch verify`: checks the tamper-evident alert log, from a file or the incident
// topic, and says whether it is intact. Exit 0 intact, 1 problems found, 2 cannot run.
import type { Command } from 'commander';
import { readAlertFile } from '../audit/read-alerts.js';
import { isSuppressedChain } from '../audit/chain.js';
import { compareHeads } from '../audit/recorded-heads.js';
import { readAlertTopic, readRecordedHeads } from '../kafka/audit-readback.js';
import { formatVerifyReport, verifyAlerts, type VerifyProblem } from '../audit/verify.js';
import { loadConfig } from '../config/load.js';
import { createKafka } from '../kafka/client.js';
import { UsageError } from './errors.js';

export interface VerifyCliOptions {
  input?: string;
  config?: string;
  topic?: string;
  heads?: boolean;
}

/** The report's lines and whether the log is intact. */
export async function runVerify(opts: VerifyCliOptions): Promise<{ lines: string[]; intact: boolean }> {
  const unreadable: VerifyProblem[] = [];
  const onBad = (where: string, reason: string) => unreadable.push({ where, chain_id: null, seq: null, problem: `not an alert: ${reason}` });
  if (opts.input) {
    const alerts = await readAlertFile(opts.input, onBad);
    const report = verifyAlerts(alerts);
    report.problems.unshift(...unreadable);
    return { lines: formatVerifyReport(report, opts.input), intact: report.problems.length === 0 };
  }
  if (!opts.config) throw new UsageError('verify needs --input FILE, or --config F to read the incident topic');
  const config = loadConfig(opts.config);
  const topic = opts.topic ?? config.kafka.topics.alerts;
  const kafka = createKafka(config.kafka, { clientId: `${config.kafka.client_id}-verify` });
  const prefix = `${config.kafka.group_id}.verify`;
  const { alerts, ends } = await readAlertTopic(kafka, topic, prefix, 'auto', onBad);
  const report = verifyAlerts(alerts);
  const trimmed = ends.filter((e) => e.low > 0);
  if (trimmed.length > 0) {
    // Retention removed the oldest records: a chain starting late is expected, not tampering.
    const starts = report.problems.filter((p) => p.kind === 'start');
    report.problems = report.problems.filter((p) => p.kind !== 'start');
    report.notes.push(
      `${topic} no longer holds its oldest records (partitions ${trimmed.map((e) => `${e.partition} from offset ${e.low}`).join(', ')}): ` +
        `${starts.length} chain${starts.length === 1 ? ' starts' : 's start'} after seq 0; compare with heads you kept to cover the removed part`,
    );
  }
  report.problems.unshift(...unreadable);
  if (opts.heads !== false) {
    const heads = await readRecordedHeads(kafka, config.kafka.topics.changelog, prefix);
    // The incident topic holds the incident chains, the suppressed topic the suppressed ones.
    const suppressedTopic = topic === config.kafka.topics.suppressed;
    for (const id of [...heads.keys()]) if (isSuppressedChain(id) !== suppressedTopic) heads.delete(id);
    report.problems.push(...compareHeads(report, heads, config.kafka.topics.changelog));
  }
  return { lines: formatVerifyReport(report, topic), intact: report.problems.length === 0 };
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('check the tamper-evident alert log (a file or the incident topic): every alert chained, unaltered, none missing')
    .option('-i, --input <file>', 'alerts as JSON Lines (replay --output, alerts --json)')
    .option('-c, --config <file>', 'read the incident topic of this config instead of a file')
    .option('--topic <name>', 'with --config: another topic than kafka.topics.alerts, e.g. kafka.topics.suppressed')
    .option('--no-heads', 'with --config: do not compare the log with the chain heads recorded in the changelog')
    .action(async (opts: VerifyCliOptions) => {
      const { lines, intact } = await runVerify(opts);
      for (const line of lines) process.stdout.write(line + '\n');
      process.exitCode = intact ? 0 : 1;
    });
}
