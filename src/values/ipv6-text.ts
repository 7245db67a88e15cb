// One spelling per IPv6 address. Sensors differ: Zeek, goflow2 and VPC write RFC 5952 text
// (`2001:db8::1`), Suricata writes every group in full (`2001:0db8:0000:...:0001`). A
// destination is a key (baselines with baseline.key dst_ip, suppressions, overrides, alerts),
// so one address spelt two ways would be two destinations, and an override written the usual
// way would never match Suricata's. The dialects' decoders and the flow record's own checks
// (io/validate-flow.ts: JSON, Avro and the wire format) pass every address through here; the
// checks of an override's or a suppression's destination (src/config, src/suppress) refuse
// another spelling.
import ipaddr from 'ipaddr.js';
import { isIp } from './ip.js';

/**
 * IPv6 text (already checked as an address) in RFC 5952 form: lower case, no leading zeros,
 * the longest run of zero groups as `::`; an IPv4-mapped address in the mixed form RFC 5952
 * section 5 recommends, `::ffff:192.0.2.1` (goflow2 writes it so, Suricata as
 * `0000:...:ffff:c000:0201`: one address, one key). Other text with an embedded IPv4 part, and
 * text with a zone id, is left as written. Text that cannot be other than RFC 5952 is returned without parsing: lower-case
 * hex, no group with a leading zero, no run of zero groups left uncompressed, and `::` that
 * neither sits next to a zero group nor stands for one group alone.
 */
export function ipv6Text(text: string): string {
  if (text.indexOf('%') !== -1 || text.indexOf(':') === -1) return text; // a zone id, or IPv4
  if (text.indexOf('.') !== -1) {
    // `::192.0.2.1` (the deprecated IPv4-compatible form) is not mapped, though ipaddr.js parses it so.
    if (MAPPED_MIXED.test(text) || COMPATIBLE.test(text)) return text;
    return mappedText(ipaddr.IPv6.parse(text)) ?? text;
  }
  // `::` for one group alone: seven groups written, so 7 colons with `::` inside (`1:2:3::5:6:7:8`),
  // 8 with `::` at either end (`::2:3:4:5:6:7:8`, `1:2:3:4:5:6:7::`).
  if (!NOT_CANONICAL.test(text) && !(text.indexOf('::') !== -1 && colons(text) >= 7)) {
    // `::ffff:` and two groups: IPv4-mapped, written below in its mixed form.
    if (!text.startsWith('::ffff:')) return text;
  }
  const address = ipaddr.IPv6.parse(text);
  return mappedText(address) ?? address.toString();
}

/**
 * The RFC 5952 spelling of `text` when it is an IP address spelt otherwise (an override's or a
 * suppression's destination that no input would ever key so), else null.
 */
export function otherIpv6Spelling(text: string): string | null {
  if (!isIp(text)) return null;
  const canonical = ipv6Text(text);
  return canonical === text ? null : canonical;
}

/** An IPv4-mapped address in the mixed form of RFC 5952 section 5, or null. */
function mappedText(address: ipaddr.IPv6): string | null {
  return address.isIPv4MappedAddress() ? `::ffff:${address.toIPv4Address().toString()}` : null;
}

/** An IPv4-mapped address already in RFC 5952 section 5 form (the IPv4 part was checked with the address). */
const MAPPED_MIXED = /^::ffff:\d+\.\d+\.\d+\.\d+$/;
/** `::` then an IPv4 part alone. */
const COMPATIBLE = /^::\d+\.\d+\.\d+\.\d+$/;

/** Upper case, a leading zero, two zero groups in a row, or a zero group beside `::`. */
const NOT_CANONICAL = /[A-F]|(?:^|:)0[0-9a-f]|(?:^|:)0:0(?::|$)|(?:^|:)0::|::0(?::|$)/;

function colons(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 58) n++;
  return n;
}
