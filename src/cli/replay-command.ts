import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { flight } from './flight.js';
import { replay } from './replay.js';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('run the detection engine over a file of flow records and write the alerts as JSON Lines')
    .requiredOption('-c, --config <file>', 'the YAML config (policy, windows, thresholds)')
    .requiredOption('-i, --input <file>', 'flow records: .jsonl, .jsonl.gz or Avro container .avro')
    .option('-o, --output <file>', 'where the alerts go as JSON Lines ("-" for stdout)', '-')
    .option('--scores <file>', 'CSV of every closed window per destination and volume detector: observed, expected, score, threshold, alerted')
    .option('--truth <file>', 'ground-truth incidents (JSON Lines, as `generate --truth` writes): print precision, recall and detection delay per alert type')
    .option('--rejects <file>', 'every malformed record with where and why, as JSON Lines')
    .option('--baseline-config <file>', 'flight --config against this config (the one in force) over the same input: print alerts gained and lost per type and destination, and with --truth which incidents each catches; alerts of --config go to --output only when it names a file')
    .option('--diff-json <file>', 'with --baseline-config: the difference as one JSON document')
    .option('--no-progress', 'no progress bar even on a terminal')
    .action(async (opts) => {
      const config = loadConfig(opts.config);
      if (opts.baselineConfig) {
        await flight({
          config,
          configPath: opts.config,
          baselineConfig: loadConfig(opts.baselineConfig),
          baselineConfigPath: opts.baselineConfig,
          input: opts.input,
          output: opts.output === '-' ? null : opts.output,
          truth: opts.truth,
          diffJson: opts.diffJson,
          progress: opts.progress,
        });
        return;
      }
      await replay({
        config,
        input: opts.input,
        output: opts.output,
        scores: opts.scores,
        truth: opts.truth,
        rejects: opts.rejects,
        progress: opts.progress,
      });
    });
}
