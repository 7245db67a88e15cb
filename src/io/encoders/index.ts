// The encoders by dialect name (`generate --format`).
import type { DialectEncoder, EncodedDialect } from './encoder.js';
import { goflow2Encoder } from './goflow2.js';
import { ocsfEncoder } from './ocsf.js';
import { suricataEncoder } from './suricata.js';
import { vpcEncoder } from './vpc.js';
import { zeekEncoder } from './zeek.js';

export type { DialectEncoder, EncodedDialect } from './encoder.js';
export const ENCODED_DIALECTS: readonly EncodedDialect[] = ['zeek', 'vpc', 'goflow2', 'suricata', 'ocsf'];

/** A fresh encoder (goflow2's numbers its exporters and export sequence per output). */
export function encoderFor(dialect: EncodedDialect): DialectEncoder {
  if (dialect === 'zeek') return zeekEncoder;
  if (dialect === 'vpc') return vpcEncoder;
  if (dialect === 'goflow2') return goflow2Encoder();
  if (dialect === 'suricata') return suricataEncoder;
  return ocsfEncoder;
}
