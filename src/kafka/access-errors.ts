// Kafka's refusals in words an operator can act on. kafkajs reports a refused login or a
// missing ACL as "Not authorized to access topics: [Topic authorization failed]" or, for a
// group, "Failed to find group coordinator" (it swallows GROUP_AUTHORIZATION_FAILED while
// looking the coordinator up); these messages add who was refused and which ACLs the
// service needs (acls.ts, the list docs/operations.md documents). Never a secret: only the user
// name and where the password came from.
import type { Config } from '../config/types.js';
import { describeRule, serviceAcls, type AclRule } from './acls.js';
import { authorizationFailure, TopicCreationDenied } from './refusals.js';

function errorName(err: unknown): string | undefined {
  return err !== null && typeof err === 'object' ? (err as { name?: string }).name : undefined;
}

function who(config: Config): string {
  const sasl = config.kafka.sasl;
  return sasl === null ? 'this client (no SASL: the broker sees User:ANONYMOUS)' : `user "${sasl.username}"`;
}

function needs(rules: AclRule[]): string {
  return rules.map(describeRule).join('; ');
}

const SEE = 'docs/operations.md, section "Security", lists every ACL the service needs';

/** Who needs which rules: the service (the default), or another command such as `alerts`. */
export interface Needer {
  /** How messages name it: "The service", "`egress-watch alerts`". */
  name: string;
  rules: AclRule[];
  /** Where the rules are documented. */
  see: string;
}

/**
 * An Error whose message says what Kafka refused and what to grant or check; undefined when err
 * is not a refusal (the caller keeps err as it is). The original is not attached as `cause`:
 * pino would append its message to this one; kafkajs has already logged it.
 */
export function explainAccessError(err: unknown, config: Config, needer: Needer = { name: 'The service', rules: serviceAcls(config), see: SEE }): Error | undefined {
  const { name, rules, see } = needer;
  const sasl = config.kafka.sasl;
  const message = (err as Error | undefined)?.message ?? String(err);

  if (errorName(err) === 'KafkaJSSASLAuthenticationError' && sasl !== null) {
    const source = sasl.password_file !== undefined ? `the file ${sasl.password_file}` : `environment variable ${sasl.password_env}`;
    return new Error(
      `Kafka at ${config.kafka.brokers.join(', ')} refused the SASL login of user "${sasl.username}" (${sasl.mechanism}): ` +
        `${message}. Check the user name in kafka.sasl.username and the password in ${source} (kafka.sasl)`,
    );
  }
  if (err instanceof TopicCreationDenied) {
    return new Error(
      `Kafka refused ${who(config)} to create topic${err.topics.length === 1 ? '' : 's'} ${err.topics.join(', ')} (${err.reason}). ` +
        `Either ${err.topics.length === 1 ? 'it does' : 'they do'} not exist: create the topics before starting the service, ` +
        `which needs no CREATE right; or ${err.topics.length === 1 ? 'it exists' : 'they exist'} and the ACLs do not let this user see ${err.topics.length === 1 ? 'it' : 'them'}. ` +
        `${name} needs: ${needs(rules.filter((r) => r.resourceType === 'TOPIC'))}; ${see}`,
    );
  }
  const failure = authorizationFailure(err);
  if (failure === 'TOPIC_AUTHORIZATION_FAILED') {
    return new Error(
      `Kafka denied ${who(config)} access to a topic (${failure}: ${message}). ` +
        `${name} needs: ${needs(rules.filter((r) => r.resourceType === 'TOPIC'))}; ${see}`,
    );
  }
  const groupRules = needs(rules.filter((r) => r.resourceType === 'GROUP'));
  if (failure === 'GROUP_AUTHORIZATION_FAILED') {
    return new Error(`Kafka denied ${who(config)} a consumer group (${failure}: ${message}). ${name} needs: ${groupRules}; ${see}`);
  }
  // kafkajs hides GROUP_AUTHORIZATION_FAILED behind "no coordinator" (it logs the refusal just
  // before); a broker that answers always has a coordinator, so the ACL is the likely cause.
  if (errorName(err) === 'KafkaJSGroupCoordinatorNotFound') {
    return new Error(
      `no group coordinator for ${who(config)} (kafkajs: ${message}): kafkajs reports a consumer group the user may not use this way, ` +
        `after logging "Group authorization failed". ${name} needs: ${groupRules}; ${see}`,
    );
  }
  if (failure === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED') {
    const idRules = needs(rules.filter((r) => r.resourceType === 'TRANSACTIONAL_ID'));
    return new Error(`Kafka denied ${who(config)} the transactional id of a state write (${failure}: ${message}). ${name} needs: ${idRules}; ${see}`);
  }
  if (failure !== undefined) {
    return new Error(
      `Kafka denied ${who(config)} a request (${failure}: ${message}). ${name} needs no cluster-wide right. ` +
        `It needs: ${needs(rules)}; ${see}`,
    );
  }
  return undefined;
}
