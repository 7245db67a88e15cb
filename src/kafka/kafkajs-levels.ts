// The level a kafkajs log line deserves in the service's log. kafkajs logs every error answer
// of a broker at error level ("Response InitProducerId(key: 22, version: 1)" with "The
// coordinator is loading and hence can't process requests for this group"), although its
// request layer retries the retriable ones: at every start, while the broker loads its
// transaction and group coordinators, the log showed level-50 lines for a normal, retried
// condition. Which answers are retriable is kafkajs's own error table (protocol/error.js,
// `retriable: true`), so the decision follows what kafkajs actually does with them:
// - the raw answer line ("Response <Api>(...)" with a retriable error): debug;
// - a line about a step retried for such an answer ("Failed to send messages: <it>", a
//   retried connect), kafkajs re-joining a rebalancing group, and a consumer that kafkajs
//   crashed on such an answer and restarts ("Crash: KafkaJSProtocolError: <it>", then
//   "Restarting the consumer in 300ms" for that group): info;
// - everything else keeps kafkajs's level. When retries run out kafkajs says so in a line
//   of its own (a crash, "Restarting the consumer"), and the caller's failure reaches the
//   service's log: those stay errors.
import { createRequire } from 'node:module';

type Level = 'error' | 'warn' | 'info' | 'debug';

interface KafkajsProtocolError {
  type: string;
  code: number;
  retriable: boolean;
  message: string;
}

const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: KafkajsProtocolError[] };

/** kafkajs answers REBALANCE_IN_PROGRESS by re-joining the group (consumer/runner.js), though its table calls it not retriable. */
const REJOINED = new Set(['REBALANCE_IN_PROGRESS']);

/** Broker answers kafkajs retries (or re-joins on), by the message kafkajs logs for them. */
export const RETRIED_ANSWERS: ReadonlyMap<string, string> = new Map(
  errorCodes.filter((e) => e.retriable || REJOINED.has(e.type)).map((e) => [e.message, e.type]),
);

/** The retried answer a kafkajs line is about, by its type (e.g. GROUP_LOAD_IN_PROGRESS); undefined when none. */
export function retriedAnswer(message: string, extra: Record<string, unknown>): string | undefined {
  if (typeof extra.error === 'string' && RETRIED_ANSWERS.has(extra.error)) return RETRIED_ANSWERS.get(extra.error);
  const stated = message.startsWith('Failed to send messages: ') ? message.slice('Failed to send messages: '.length) : message;
  return RETRIED_ANSWERS.get(stated);
}

const CRASHED_ON = 'Crash: KafkaJSProtocolError: ';
const RESTARTING = 'Restarting the consumer in ';

/** One client's kafkajs lines: remembers which consumer groups crashed on a retried answer, for the restart line that follows. */
export class KafkajsLevels {
  private readonly restartingAfterRetried = new Set<unknown>();

  level(level: Level, message: string, extra: Record<string, unknown>): Level {
    if (level !== 'error' && level !== 'warn') return level;
    if (message.startsWith(CRASHED_ON) && RETRIED_ANSWERS.has(message.slice(CRASHED_ON.length))) {
      this.restartingAfterRetried.add(extra.groupId);
      return 'info';
    }
    if (message.startsWith(RESTARTING) && this.restartingAfterRetried.delete(extra.groupId)) return 'info';
    if (retriedAnswer(message, extra) === undefined) return level;
    return message.startsWith('Response ') ? 'debug' : 'info';
  }
}
