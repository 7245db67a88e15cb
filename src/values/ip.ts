// IP address text as the contract accepts it (flow records' src_ip and dst_ip, and the
// destinations a config override or an analyst's suppression names): strict IPv4 dotted quads
// and IPv6. Below the config, the suppressions and the input codecs, which all check it.
import ipaddr from 'ipaddr.js';

/** Longest IP text accepted: IPv6 with embedded IPv4 is 45 characters, plus room for a zone id. */
const MAX_IP_LENGTH = 64;

/** True for IPv4 dotted-quad text or IPv6 text (zone ids and embedded IPv4 allowed). */
export function isIp(text: string): boolean {
  if (text.length > MAX_IP_LENGTH) return false;
  if (ipv4Number(text) !== -1) return true;
  // Only IPv6 contains ':'; anything else (e.g. "10.1", "0x7f.0.0.1") is not
  // accepted even though ipaddr.js would parse such legacy IPv4 forms.
  if (text.indexOf(':') === -1) return false;
  return isPlainIPv6(text) || ipaddr.IPv6.isValid(text);
}

/**
 * A fast positive check for the usual IPv6 forms: hex groups of 1-4 digits,
 * eight of them or fewer around one '::'. False means "ask ipaddr.js" (which
 * also knows zone ids and embedded IPv4), not necessarily invalid.
 */
function isPlainIPv6(s: string): boolean {
  const n = s.length;
  if (n < 2 || n > 39) return false;
  let groups = 0;
  let digits = 0;
  let compressed = false;
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    if (n === 2) return true; // "::"
    compressed = true;
    i = 2;
  }
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) {
      if (digits === 0) return false; // an empty group
      groups++;
      digits = 0;
      if (i + 1 === n) return false; // ends in a single ':'
      if (s.charCodeAt(i + 1) === 58) {
        if (compressed) return false; // a second '::'
        compressed = true;
        i++;
        if (i + 1 === n) return groups <= 7; // ends in '::'
      }
    } else if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) {
      if (++digits > 4) return false;
    } else {
      return false;
    }
  }
  groups++;
  return compressed ? groups <= 7 : groups === 8;
}

/**
 * A strict dotted-quad IPv4 address as its 32-bit number, or -1: exactly what
 * ipaddr.IPv4.isValidFourPartDecimal accepts (no leading zeros, no hex/octal/short forms). A
 * character loop: cheaper than a regex (every record's two addresses pass through here), and
 * the number is what the dialects' inside-check wants.
 */
export function ipv4Number(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // a leading zero
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return -1;
    } else return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}
