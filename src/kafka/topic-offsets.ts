// A topic's offsets (ListOffsets), waiting out a partition that has no answering leader for a
// moment. kafkajs's admin.fetchTopicOffsets retries only UNKNOWN_TOPIC_OR_PARTITION and throws
// anything else at once (admin/index.js: `bail(e)`), and a single KRaft broker answers
// NOT_LEADER_FOR_PARTITION or LEADER_NOT_AVAILABLE for a moment after it created a topic, or
// after a heartbeat of its own was late on a loaded machine: a restarting service instance died
// of that answer at start-up (the fault suite, 2026-12-07: "This server is not the leader for
// that topic-partition", exit 1). Every caller that reads a topic's ends goes through here
// (the service, group-progress.ts for the fault suite, the test helpers and the soak sampler; local-broker.test.ts
// calls kafkajs itself, as it tests the broker).
import type { Admin } from 'kafkajs';

/** Answers of a broker whose partition leadership is still settling: worth asking again. */
export const STILL_SETTLING: ReadonlySet<string> = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/** True for a kafkajs error whose protocol type is one of STILL_SETTLING. */
export function stillSettling(err: unknown): boolean {
  return STILL_SETTLING.has((err as { type?: string } | null)?.type ?? '');
}

/**
 * Calls `ask` until it answers, asking again every `pauseMs` while its error is one of
 * STILL_SETTLING, for at most `timeoutMs`; any other error, or the last settling one after the
 * time is up, is thrown as it came.
 */
export async function whileSettling<T>(ask: () => Promise<T>, timeoutMs = 30_000, pauseMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await ask();
    } catch (err) {
      if (!stillSettling(err) || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** admin.fetchTopicOffsets(topic), waiting out a leader that is still settling. */
export function topicOffsets(admin: Admin, topic: string): ReturnType<Admin['fetchTopicOffsets']> {
  return whileSettling(() => admin.fetchTopicOffsets(topic));
}
