/**
 * The Apache Kafka release `egress-watch local` runs. One constant, so falling back to
 * another line (e.g. 3.9.x) is a one-line change; EGRESS_WATCH_KAFKA_VERSION overrides it
 * per machine without a rebuild.
 *
 * 4.1.2 is the newest 4.1 patch on Maven Central; kafkajs 2.2.4 works against it for
 * produce, fetch, consumer groups and admin (proved by test/kafka/local-broker.test.ts).
 */
export const DEFAULT_KAFKA_VERSION = '4.1.2';

/** Scala line of the `kafka_<scala>` broker artifact; 2.13 is the only one published for 4.x. */
export const KAFKA_SCALA_VERSION = '2.13';

const VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

export function kafkaVersion(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.EGRESS_WATCH_KAFKA_VERSION?.trim();
  if (override === undefined || override === '') return DEFAULT_KAFKA_VERSION;
  // The version becomes part of a cache path and a Maven property: accept only plain releases.
  if (!VERSION_PATTERN.test(override)) {
    throw new Error(
      `EGRESS_WATCH_KAFKA_VERSION: "${override}" is not a Kafka release version like ${DEFAULT_KAFKA_VERSION}`,
    );
  }
  return override;
}
