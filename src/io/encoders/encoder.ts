// The inverse of the input dialects (src/io/dialects): a flow record written the way a sensor
// would write it, for `generate --format`. What a dialect cannot carry (data_class, principal,
// dst_country, often dst_host) is left out here and comes back through enrichment (estate.ts
// writes the matching enrich config); the gateway travels as the sensor's own name or address.
import type { FlowRecord } from '../../engine/types.js';
import type { DialectName } from '../dialects/dialect.js';

export type EncodedDialect = Exclude<DialectName, 'flow'>;

export interface DialectEncoder {
  readonly dialect: EncodedDialect;
  /** The finest time the format writes (VPC: whole seconds). */
  readonly timeResolutionMs: number;
  /** The SensorFacts field the sensor value is written to (enrich.gateways sensor_field). */
  readonly sensorField: string;
  /** The sensor value of a gateway's sensor (`null`: a sensor outside any gateway). Deterministic. */
  sensorOf(gateway: string | null): string;
  /** Lines before the first record (a header), if the format has one. */
  header(): string[];
  /** The lines of one flow (two for one-way formats: the outbound record and the return). */
  encode(flow: FlowRecord, sensor: string): string[];
}

/** The sensor of traffic seen outside every gateway (a tap on the core network). */
export const NON_GATEWAY_SENSOR = 'tap-core-1';

/** Time with the microsecond part 500, so a reader that truncates to milliseconds gets `ms` back. */
export function secondsText(ms: number): string {
  const whole = Math.floor(ms / 1000);
  return `${whole}.${String(ms - whole * 1000).padStart(3, '0')}500`;
}

/** IANA protocol number → the lower-case name sensors write (tcp, udp, icmp), else the number. */
export function protocolName(protocol: number): string {
  if (protocol === 6) return 'tcp';
  if (protocol === 17) return 'udp';
  if (protocol === 1) return 'icmp';
  if (protocol === 58) return 'icmp';
  return String(protocol);
}

/** A 52-bit number from text (FNV-1a over 64 bits, cut): for numeric ids and synthetic names. */
export function hash52(text: string): number {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return Number(h >> 12n);
}
