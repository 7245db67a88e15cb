// What the shells (replay, report, flight, the service) need to read flows in a dialect: the
// decoder options from the config, and the reading (decoder and enrichment) for a format.
import type { Config } from '../../config/types.js';
import { createDecoder, type DecoderOptions, type Dialect, type InputFormatName } from './index.js';
import { enrichmentFor } from './enrichment-point.js';
import type { DialectReading } from './read-file.js';

export function decoderOptionsOf(config: Config): DecoderOptions {
  return { internalNetworks: config.policy.internal_networks, vpcFields: config.input.vpc_fields, zeekOpenUids: config.input.zeek_open_uids, zeekBytes: config.input.zeek_bytes };
}

/**
 * The reading for `format` (default: config `input.format`), or null where today's readers
 * serve: `flow`, and `auto` on an Avro container file (binary: no dialect to sniff).
 */
export function dialectReadingFor(config: Config, format: InputFormatName | undefined, path: string, onPicked?: (d: Dialect) => void): DialectReading | null {
  const chosen = format ?? config.input.format;
  if (chosen === 'flow') return null;
  if (chosen === 'auto' && path.toLowerCase().endsWith('.avro')) return null;
  return { decoder: createDecoder(chosen, decoderOptionsOf(config), onPicked), enrich: enrichmentFor(config) };
}
