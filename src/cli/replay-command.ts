import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { UsageError } from './errors.js';
import { flight } from './flight.js';
import { ALERT_FORMATS, type AlertFormat } from '../io/siem/index.js';
import { replay } from './replay.js';
import { INPUT_FORMATS, type InputFormatName } from '../io/dialects/dialect.js';

/** `--input-format`, shared by replay and report. */
export function inputFormatOption(): Option {
  return new Option('--input-format <format>', 'the dialect of --input: flow (egress-watch records), zeek (conn.log TSV or JSON), vpc (AWS VPC Flow Logs), goflow2 (NetFlow/IPFIX/sFlow JSON), suricata (eve.json), ocsf (Network Activity 4001), or auto (picked from the first record); default config input.format').choices(INPUT_FORMATS);
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('run the detection engine over a file of flow records and write the alerts as JSON Lines')
    .requiredOption('-c, --config <file>', 'the YAML config (policy, windows, thresholds)')
    .option('-i, --input <file>', 'flow records: .jsonl, .jsonl.gz or Avro container .avro (required unless --topic)')
    .option('-o, --output <file>', 'where the alerts go as JSON Lines ("-" for stdout; a name ending in .gz is gzip-compressed)', '-')
    .addOption(
      new Option('--format <format>', 'alerts as json (the alert schema), ocsf (OCSF Detection Finding) or ecs (Elastic Common Schema), one JSON object a line; or avro (an Avro container file of schemas/alert.avsc)')
        .choices(ALERT_FORMATS)
        .default('json'),
    )
    .addOption(inputFormatOption())
    .option('--scores <file>', 'CSV of every closed window per destination and volume detector: observed, expected, score, threshold, alerted')
    .option('--truth <file>', 'ground-truth incidents (JSON Lines, as `generate --truth` writes): print precision, recall, detection delay and alerts per incident per alert type and for the volume types together')
    .option('--rejects <file>', 'every malformed record with where and why, as JSON Lines')
    .option('--suppressed <file>', 'alerts a suppression of the config (suppressions.entries) covered, each with it in suppressed_by, in the --format of --output; they are never in --output')
    .option('--baseline-config <file>', 'flight --config against this config (the one in force) over the same input: print alerts gained and lost per type and destination, and with --truth which incidents each catches; alerts of --config go to --output only when it names a file')
    .option('--diff-json <file>', 'with --baseline-config: the difference as one JSON document')
    .option('--topic [name]', 'with --baseline-config: fly both configs over the flows Kafka retains on this topic (default kafka.topics.flows of --config) instead of --input, one engine per partition as the service runs')
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('--now <iso>', 'processing time for windows.max_future (records further ahead are rejected); default the wall clock')
    .action(async (opts) => {
      const processingTimeMs = opts.now === undefined ? undefined : Date.parse(opts.now);
      if (Number.isNaN(processingTimeMs)) throw new UsageError(`--now: expected an ISO 8601 time such as 2026-01-08T00:00:00Z, got ${JSON.stringify(opts.now)}`);
      const config = loadConfig(opts.config);
      if (opts.topic !== undefined && !opts.baselineConfig) throw new UsageError('--topic reads retained history for flighting: give --baseline-config too');
      if ((opts.input === undefined) === (opts.topic === undefined)) throw new UsageError('replay needs exactly one of --input FILE and --topic');
      if (opts.baselineConfig) {
        await flight({
          config,
          configPath: opts.config,
          baselineConfig: loadConfig(opts.baselineConfig),
          baselineConfigPath: opts.baselineConfig,
          input: opts.input,
          topic: opts.topic === undefined ? undefined : typeof opts.topic === 'string' ? opts.topic : config.kafka.topics.flows,
          output: opts.output === '-' ? null : opts.output,
          truth: opts.truth,
          diffJson: opts.diffJson,
          progress: opts.progress,
          inputFormat: opts.inputFormat as InputFormatName | undefined,
        });
        return;
      }
      await replay({
        config,
        input: opts.input,
        output: opts.output,
        format: opts.format as AlertFormat,
        scores: opts.scores,
        truth: opts.truth,
        rejects: opts.rejects,
        suppressed: opts.suppressed,
        progress: opts.progress,
        processingTimeMs,
        inputFormat: opts.inputFormat as InputFormatName | undefined,
      });
    });
}
