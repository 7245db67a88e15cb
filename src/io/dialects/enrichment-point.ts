// The one place where decoded, oriented records become flow records: enrichment (GeoIP, data
// classes, principals, gateways, dst_host: src/io/enrich) fills in what the sensor did not
// know, after decoding and orientation, before validation and the engine. Every shell that
// reads dialects (replay, report, flight, the service) goes through toFlows().
import type { Config } from '../../config/types.js';
import type { FlowRecord } from '../../engine/types.js';
import type { DialectRecord, Enrich } from './dialect.js';

export type { Enrich };

/** The enrichment the config asks for. Until src/io/enrich lands: the record as decoded. */
export function enrichmentFor(_config: Config): Enrich {
  // enrich lane: `return compileEnrichment(config).enrich` (src/io/enrich/index.ts).
  return (rec) => rec.flow;
}

/** The flow records of decoded records (one line's or message's), enriched. */
export function toFlows(records: readonly DialectRecord[], enrich: Enrich): FlowRecord[] {
  const flows = new Array<FlowRecord>(records.length);
  for (let i = 0; i < records.length; i++) flows[i] = enrich(records[i]);
  return flows;
}
