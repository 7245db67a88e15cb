// Recognising Kafka's refusals among kafkajs errors (no kafkajs import: plain shapes).
// access-errors.ts turns them into messages that say what to grant.

/** Thrown by topic set-up when creating missing topics is refused: names the topics. */
export class TopicCreationDenied extends Error {
  constructor(
    readonly topics: string[],
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`creating topic${topics.length === 1 ? '' : 's'} ${topics.join(', ')} was refused: ${reason}`, options);
    this.name = 'TopicCreationDenied';
  }
}

/** The first *_AUTHORIZATION_FAILED type in an error, its causes or its aggregated errors. */
export function authorizationFailure(err: unknown, depth = 0): string | undefined {
  if (err === null || typeof err !== 'object' || depth > 5) return undefined;
  const e = err as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof e.type === 'string' && e.type.endsWith('_AUTHORIZATION_FAILED')) return e.type;
  for (const inner of [e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = authorizationFailure(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
