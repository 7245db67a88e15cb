// The effective enrichment in plain words, for `check-config`: for each field, where its value
// comes from when a record leaves it empty, in the order the rules are tried.
import type { EnrichConfig } from '../../config/types.js';
import { describeSensor } from './sensor-match.js';

const INDENT = '  ';
const SHOWN = 10;

/** What the compiled enrichment holds, for the plain-word description. */
export interface EnrichmentSizes {
  geoip: string | null;
  principalsFromConfig: number;
  principalsFromFile: number;
  sslJoins: number;
  dnsJoins: number;
}

export function describeEnrichmentOf(enrich: EnrichConfig, sizes: EnrichmentSizes): string[] {
  const lines = [
    `gateway_id: ${gatewayWords(enrich)}`,
    `dst_country: ${countryWords(enrich, sizes)}`,
    `dst_host: ${hostWords(enrich, sizes)}`,
    `principal: ${principalWords(enrich, sizes)}`,
    `data_class: ${dataClassWords(enrich)}`,
  ];
  return ['Enrichment (fills only what a record leaves empty; a value the record carries is kept)', ...lines.map((line) => INDENT + line)];
}

function gatewayWords(enrich: EnrichConfig): string {
  if (enrich.gateways.length === 0) return 'not filled: a record without gateway_id counts as seen outside any gateway.';
  const rules = enrich.gateways.map(
    (rule) => `${rule.gateway_id ?? 'the matched value'} for ${describeSensor(rule.sensor, rule.sensor_field)}`,
  );
  return `${firstMatch(rules)}. A record from any other sensor counts as seen outside any gateway.`;
}

function countryWords(enrich: EnrichConfig, sizes: EnrichmentSizes): string {
  const parts: string[] = [];
  if (enrich.countries.length > 0) parts.push(`the listed networks (${shown(enrich.countries.map((rule) => `${rule.dst} is ${rule.country}`))})`);
  if (sizes.geoip !== null) parts.push(`${sizes.geoip}, for public unicast addresses only`);
  if (parts.length === 0) return 'not filled: a record without dst_country goes to an unknown country, allowed only by "*".';
  return `${parts.join(', then ')}. An address neither knows stays unknown, allowed only by "*".`;
}

function hostWords(enrich: EnrichConfig, sizes: EnrichmentSizes): string {
  const { zeek_ssl: ssl, zeek_dns: dns, suricata_eve: eve } = enrich.dst_host;
  const parts: string[] = [];
  if (ssl.length + eve.length > 0) {
    const by = eve.length === 0 ? 'uid' : ssl.length === 0 ? 'Suricata flow_id' : 'Zeek uid, Suricata flow_id';
    parts.push(`the TLS server name of the same connection (${by}) in ${[...ssl, ...eve].join(', ')} (${sizes.sslJoins} connections)`);
  }
  if (dns.length + eve.length > 0) {
    parts.push(`the DNS query whose answer, at or before the flow's start, was its destination address, in ${[...dns, ...eve].join(', ')} (${sizes.dnsJoins} answers)`);
  }
  if (parts.length === 0) return 'only what the record carries (OCSF dst_endpoint.hostname); otherwise the baseline key falls back to dst_ip.';
  return `${parts.join(', then ')}; otherwise the baseline key falls back to dst_ip.`;
}

function principalWords(enrich: EnrichConfig, sizes: EnrichmentSizes): string {
  if (sizes.principalsFromConfig + sizes.principalsFromFile === 0) return 'not filled: a record without principal is sent by nobody known.';
  const parts: string[] = [];
  if (enrich.principals.length > 0) parts.push(shown(enrich.principals.map((rule) => `${rule.src} is ${rule.principal}`)));
  if (enrich.principals_file !== null) parts.push(`${sizes.principalsFromFile} networks from ${enrich.principals_file}`);
  return `by the sending address: ${parts.join(', then ')}; the first network that holds it wins.`;
}

function dataClassWords(enrich: EnrichConfig): string {
  if (enrich.data_classes.length === 0) return 'not filled: a record without data_class is not restricted.';
  const rules = enrich.data_classes.map((rule) => {
    const conditions: string[] = [];
    if (rule.src !== undefined) conditions.push(`sent from ${orList(rule.src)}`);
    if (rule.dst_port !== undefined) conditions.push(`to port ${orList(rule.dst_port.map(String))}`);
    if (rule.sensor !== undefined) conditions.push(`seen by ${describeSensor(rule.sensor, rule.sensor_field)}`);
    return `${rule.data_class} when ${conditions.join(' and ')}`;
  });
  return `${firstMatch(rules)}. Any other record is not restricted.`;
}

function firstMatch(rules: string[]): string {
  return rules.length === 1 ? rules[0] : `the first that applies of: ${rules.map((rule, i) => `(${i + 1}) ${rule}`).join('; ')}`;
}

function shown(items: string[]): string {
  return items.length <= SHOWN ? items.join(', ') : `${items.slice(0, SHOWN).join(', ')} and ${items.length - SHOWN} more`;
}

function orList(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
