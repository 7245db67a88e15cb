import { Kafka, logLevel } from 'kafkajs';

/**
 * One readiness probe: true when the broker at bootstrap answers a metadata request
 * (describeCluster) within timeoutMs. kafkajs logging is off: refused connections while
 * the JVM boots are expected, not news.
 */
export async function brokerAnswers(bootstrap: string, timeoutMs = 3000): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'egress-watch-local-probe',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
