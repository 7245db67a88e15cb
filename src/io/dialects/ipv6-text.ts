// The dialects' IPv6 spelling (RFC 5952) lives in src/values, beside the other IP text, so the
// config's and the suppressions' checks of a destination spell it the same way.
export { ipv6Text } from '../../values/ipv6-text.js';
