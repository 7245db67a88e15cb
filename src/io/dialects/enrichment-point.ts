// The one place where decoded, oriented records become flow records: enrichment (GeoIP, data
// classes, principals, gateways, dst_host: src/io/enrich) fills in what the sensor did not
// know, after decoding and orientation, before validation and the engine. Every shell that
// reads dialects (replay, report, flight, the service) goes through toFlows().
import type { Config } from '../../config/types.js';
import type { FlowRecord } from '../../engine/types.js';
import { compileEnrichment } from '../enrich/index.js';
import type { DialectRecord, Enrich } from './dialect.js';

export type { Enrich };

/** The enrichment the config asks for (reads its files: a bad one throws ConfigError). */
export function enrichmentFor(config: Config): Enrich {
  return compileEnrichment(config).enrich;
}

/** The flow records of decoded records (one line's or message's), enriched. */
export function toFlows(records: readonly DialectRecord[], enrich: Enrich): FlowRecord[] {
  const flows = new Array<FlowRecord>(records.length);
  for (let i = 0; i < records.length; i++) flows[i] = enrich(records[i]);
  return flows;
}
