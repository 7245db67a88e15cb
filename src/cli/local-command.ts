import type { Command } from 'commander';
import { localBrokerStatus, startLocalBroker, stopLocalBroker } from '../kafka/local-broker.js';

/** Exit codes of `local`: 0 ok/running, 2 error, 3 `status` found no running broker. */
const EXIT_ERROR = 2;
const EXIT_STOPPED = 3;

const DIR_HELP =
  'state folder of the local broker (server.properties, data/, broker.log, broker.pid, bootstrap); ' +
  'default $EGRESS_WATCH_LOCAL_DIR, else ./.egress-watch/local';

interface DirOptions {
  dir?: string;
}

/**
 * Adds `local start|stop|status`: a single-node Apache Kafka (KRaft) on 127.0.0.1 from
 * Maven-resolved jars. Progress goes to stderr; `start` prints only the bootstrap address on
 * stdout so scripts can capture it: BOOTSTRAP=$(egress-watch local start).
 */
export function registerLocalCommand(program: Command): void {
  const local = program
    .command('local')
    .description(
      'a single-node Apache Kafka (KRaft) on 127.0.0.1 for trying and testing, run from Maven-resolved jars ' +
        'cached in ${XDG_CACHE_HOME:-~/.cache}/egress-watch (override with $EGRESS_WATCH_CACHE; ' +
        'Kafka version override: $EGRESS_WATCH_KAFKA_VERSION)',
    );

  local
    .command('start')
    .description('start the broker (or find it running) and print its bootstrap address as the last line of stdout')
    .option('--dir <path>', DIR_HELP)
    .option(
      '--port <port>',
      'PLAINTEXT port on 127.0.0.1; default the port of the previous run if free, else a free port',
    )
    .action(async (options: DirOptions & { port?: string }) => {
      await runOrExit(async () => {
        const broker = await startLocalBroker({
          dir: options.dir,
          port: options.port === undefined ? undefined : parsePort(options.port),
          log: (line) => process.stderr.write(`egress-watch local: ${line}\n`),
        });
        process.stderr.write(
          `egress-watch local: Kafka ${broker.kafkaVersion} ${broker.alreadyRunning ? 'already running' : 'started'}, ` +
            `pid ${broker.pid}, log ${broker.logFile}\n`,
        );
        process.stdout.write(`${broker.bootstrap}\n`);
      });
    });

  local
    .command('stop')
    .description('stop the broker of the state folder (SIGTERM, SIGKILL after 30 s); data is kept')
    .option('--dir <path>', DIR_HELP)
    .action(async (options: DirOptions) => {
      await runOrExit(async () => {
        const stopped = await stopLocalBroker({ dir: options.dir });
        process.stdout.write(stopped ? 'stopped\n' : 'not running\n');
      });
    });

  local
    .command('status')
    .description('print running or stopped, the bootstrap address and the pid; exit code 0 when running, 3 when stopped')
    .option('--dir <path>', DIR_HELP)
    .action(async (options: DirOptions) => {
      await runOrExit(async () => {
        const status = await localBrokerStatus({ dir: options.dir });
        if (status.running) {
          const note = status.listening ? '' : ' (not listening yet)';
          process.stdout.write(`running ${status.bootstrap ?? '?'} pid ${status.pid}${note}\n`);
        } else {
          process.stdout.write(`stopped${status.bootstrap ? ` (last address ${status.bootstrap})` : ''}\n`);
          process.exitCode = EXIT_STOPPED;
        }
      });
    });
}

// Checked here rather than by a commander parser so a bad value exits 2 like every other error.
function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new Error(`--port: "${value}" is not a TCP port (1-65535)`);
  }
  return port;
}

async function runOrExit(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    process.stderr.write(`egress-watch local: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT_ERROR;
  }
}
