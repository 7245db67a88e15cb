// The replay summary's line about an input dialect: what was read and where it went.
import type { DecodeCounts, DialectName } from './dialect.js';

export function formatDecodeCounts(name: DialectName, c: DecodeCounts): string {
  const skipped = Object.entries(c.skipped)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return (
    `  input ${name}: records read ${c.records_read}, flows out ${c.flows_out}, internal ${c.internal}, transit ${c.transit}, ` +
    `inbound one-way ${c.inbound}, NODATA ${c.nodata}, SKIPDATA ${c.skipdata}, skipped ${skipped || 'none'}, errors ${c.errors}` +
    (c.payload_above_ip > 0 ? `, payload above IP bytes ${c.payload_above_ip}` : '')
  );
}
