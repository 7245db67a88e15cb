// Zeek's Kafka writer (zeek-kafka) with `Kafka::tag_json = T` wraps each record in an object
// named by its log path, `{"conn": {...}}`, `{"ssl": {...}}`, `{"dns": {...}}`, and appends the
// writer's `Kafka::additional_message_values` as string members beside it:
// `{"conn": {...}, "sensor": "gw-fra-1"}`. One reading of that shape for the zeek dialect and
// for the dst_host join files (src/io/enrich/zeek-log.ts).

/** A tagged record: the log path, the record, and the writer's extra values beside it. */
export interface ZeekTagged {
  path: string;
  record: Record<string, unknown>;
  extras: Record<string, unknown>;
}

/**
 * The tagged record in `o`, or null when `o` is a plain Zeek JSON record. Tagged: the first
 * member is an object and `o` has no `ts` and no `uid` of its own (every conn, ssl and dns
 * record has a ts).
 */
export function untagZeek(o: Record<string, unknown>): ZeekTagged | null {
  if (o.ts !== undefined || o.uid !== undefined) return null;
  for (const path in o) {
    const record = o[path];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
    const extras: Record<string, unknown> = {};
    for (const key in o) if (key !== path) extras[key] = o[key];
    return { path, record: record as Record<string, unknown>, extras };
  }
  return null;
}
