// Writer schemas by Confluent schema id, fetched from a Schema Registry (kafka.schema_registry)
// before a batch is decoded, so the synchronous decoder (io/wire.ts) has them at hand.
// An id the registry does not know, or a schema that is not Avro, is remembered for a minute:
// its records go to the dead-letter topic as "unknown schema id N" instead of refetching per record.
import avro from 'avsc';
import type { Type } from 'avsc';

const NEGATIVE_TTL_MS = 60_000;
const MAX_MISSING = 10_000;
const CONFLUENT_HEADER = 5;

export class SchemaRegistryClient {
  private readonly known = new Map<number, Type>();
  private readonly missing = new Map<number, number>(); // id -> retry after (epoch ms)
  private readonly base: string;

  constructor(
    url: string,
    private readonly onMissing: (id: number, why: string) => void = () => {},
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  /** Writer schemas fetched so far; pass as `schemas` to decodeFlowMessage. */
  get schemas(): ReadonlyMap<number, Type> {
    return this.known;
  }

  /**
   * Fetches the schemas of Confluent-framed values whose ids are not known yet. Throws when the
   * registry cannot be reached or answers with a server error: the batch fails and is retried.
   */
  async prepare(values: Iterable<Buffer | null>): Promise<void> {
    const wanted = new Set<number>();
    const now = Date.now();
    for (const value of values) {
      if (value === null || value.length < CONFLUENT_HEADER || value[0] !== 0) continue;
      const id = value.readInt32BE(1);
      if (this.known.has(id) || (this.missing.get(id) ?? 0) > now) continue;
      wanted.add(id);
    }
    for (const id of wanted) await this.fetchSchema(id);
  }

  private async fetchSchema(id: number): Promise<void> {
    const url = `${this.base}/schemas/ids/${id}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json' } });
    } catch (err) {
      throw new Error(`schema registry ${this.base} unreachable while fetching schema id ${id}: ${(err as Error).message}`);
    }
    if (response.status === 404) return this.markMissing(id, 'not registered');
    if (!response.ok) throw new Error(`schema registry ${url} answered HTTP ${response.status}`);
    // A 200 whose body is not a JSON object is this id's problem, not a reason to fail (and
    // retry) the whole batch forever: its records are dead-lettered as unknown schema id.
    let parsed: unknown;
    try {
      parsed = JSON.parse(await response.text());
    } catch (err) {
      return this.markMissing(id, `answer is not JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null) return this.markMissing(id, 'answer is not a JSON object');
    const body = parsed as { schema?: unknown; schemaType?: unknown };
    if (body.schemaType !== undefined && body.schemaType !== 'AVRO') {
      return this.markMissing(id, `a ${String(body.schemaType)} schema, not Avro`);
    }
    if (typeof body.schema !== 'string') return this.markMissing(id, 'answer without a schema');
    try {
      this.known.set(id, avro.Type.forSchema(JSON.parse(body.schema)));
      this.missing.delete(id);
    } catch (err) {
      this.markMissing(id, `not a valid Avro schema: ${(err as Error).message}`);
    }
  }

  private markMissing(id: number, why: string): void {
    const now = Date.now();
    if (this.missing.size >= MAX_MISSING) {
      // Garbage starting with the magic byte names random ids: keep the memory bounded.
      for (const [known, until] of this.missing) if (until <= now) this.missing.delete(known);
      if (this.missing.size >= MAX_MISSING) this.missing.clear();
    }
    this.missing.set(id, now + NEGATIVE_TTL_MS);
    this.onMissing(id, why);
  }
}
