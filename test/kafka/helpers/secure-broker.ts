// A local broker locked down as a production cluster would be, for the security tests:
// a SASL_SSL listener on 127.0.0.1 (TLS with a test CA, SCRAM-SHA-512 logins), the KRaft
// StandardAuthorizer with no access for anyone without an ACL, and SCRAM users created
// when the storage is formatted (kafkajs cannot create SCRAM credentials).
//
// The PLAINTEXT and CONTROLLER listeners stay on loopback for the broker's own use (the
// controller traffic of the combined node, and the readiness probe of startLocalBroker);
// their principal, User:ANONYMOUS, must be a super user or the node could not register
// with its own controller. Clients under test connect to the SASL_SSL listener only.
import { startTestBroker, type TestBroker } from './broker.js';
import type { TestCertificates } from './tls-certs.js';

export interface ScramUser {
  username: string;
  password: string;
}

export interface SecureBroker extends TestBroker {
  /** `127.0.0.1:PORT` of the SASL_SSL listener. */
  saslSsl: string;
}

export async function startSecureBroker(opts: {
  certs: TestCertificates;
  /** Super user: creates topics and ACLs. */
  admin: ScramUser;
  /** Users with no rights but their ACLs. */
  users: ScramUser[];
}): Promise<SecureBroker> {
  const { certs } = opts;
  const listener = 'listener.name.sasl_ssl';
  const broker = await startTestBroker({
    extraListeners: [{ name: 'SASL_SSL', securityProtocol: 'SASL_SSL' }],
    scramCredentials: [opts.admin, ...opts.users].map((u) => ({ mechanism: 'SCRAM-SHA-512' as const, ...u })),
    extraProperties: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found': 'false',
      'super.users': `User:ANONYMOUS;User:${opts.admin.username}`,
      [`${listener}.sasl.enabled.mechanisms`]: 'SCRAM-SHA-512',
      [`${listener}.scram-sha-512.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      [`${listener}.ssl.keystore.type`]: 'PKCS12',
      [`${listener}.ssl.keystore.location`]: certs.brokerKeystore,
      [`${listener}.ssl.keystore.password`]: certs.brokerKeystorePassword,
      [`${listener}.ssl.key.password`]: certs.brokerKeystorePassword,
      [`${listener}.ssl.client.auth`]: 'none',
    },
  });
  const saslSsl = broker.listeners.SASL_SSL;
  if (saslSsl === undefined) {
    await broker.stop();
    throw new Error(`the broker advertises no SASL_SSL listener: ${JSON.stringify(broker.listeners)}`);
  }
  return { ...broker, saslSsl };
}
