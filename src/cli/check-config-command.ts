// `egress-watch check-config F`: validate a config file the way `run` does and print the policy
// it puts in force, in plain words (or as the normalised JSON with --json), so an operator can
// review a change before deploying it. A bad file exits 2 with its one FILE:LINE: key: reason
// message (main.ts reports the ConfigError).
import type { Command } from 'commander';
import { explainConfig } from '../config/explain.js';
import { loadConfig } from '../config/load.js';
import { describeEnrichment } from '../io/enrich/index.js';

interface CheckConfigOptions {
  json?: boolean;
}

export function registerCheckConfigCommand(program: Command): void {
  program
    .command('check-config')
    .description(
      'validate a config file and print the effective policy in plain words: who may send which data class where, ' +
        'each detector with its threshold and severity, the overrides, windows, baseline and Kafka settings, where enrichment ' +
        'takes dst_country, dst_host, principal, data_class and gateway_id from, and the ' +
        'config_version later alerts will carry; exit 0 when valid, 2 with one FILE:LINE: key: reason message when not',
    )
    .argument('<file>', 'the YAML config to check')
    .option('--json', 'print the normalised config instead (durations in ms, sizes in bytes, regions expanded, defaults filled, config_version)')
    .action((file: string, opts: CheckConfigOptions) => {
      const config = loadConfig(file);
      // The enrichment is compiled either way: a bad principals file or GeoIP database is found here.
      const enrichment = describeEnrichment(config);
      const text = opts.json ? JSON.stringify(config, null, 2) : [...explainConfig(config, file), '', ...enrichment].join('\n');
      process.stdout.write(`${text}\n`);
    });
}
