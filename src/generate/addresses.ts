// Unique destination addresses from ranges reserved for documentation and testing, so
// generated traffic never names a real host: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
// (RFC 5737), 198.18.0.0/15 (RFC 2544 benchmarking) and 2001:db8::/32 (RFC 3849).
import type { Prng } from './prng.js';

const DOCUMENTATION_V4 = ['192.0.2', '198.51.100', '203.0.113'];
const MAX_TRIES = 64;

export class AddressPool {
  private readonly used = new Set<string>();

  /** A public-looking IPv4 address not handed out before. */
  ipv4(prng: Prng): string {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const address =
        prng.uniform() < 0.4
          ? `${prng.choice(DOCUMENTATION_V4)}.${prng.int(1, 254)}`
          : `198.${prng.int(18, 19)}.${prng.int(0, 255)}.${prng.int(1, 254)}`;
      if (this.claim(address)) return address;
    }
    throw new Error(`no free IPv4 test address after ${MAX_TRIES} tries (${this.used.size} in use)`);
  }

  /** An IPv6 address in 2001:db8::/32, canonical text (RFC 5952), not handed out before. */
  ipv6(prng: Prng): string {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const address = `2001:db8:${prng.int(1, 0xffff).toString(16)}:${prng.int(1, 0xffff).toString(16)}::${prng.int(1, 0xffff).toString(16)}`;
      if (this.claim(address)) return address;
    }
    throw new Error(`no free IPv6 test address after ${MAX_TRIES} tries (${this.used.size} in use)`);
  }

  /** Marks an address as taken; false when it already was. */
  claim(address: string): boolean {
    if (this.used.has(address)) return false;
    this.used.add(address);
    return true;
  }
}
