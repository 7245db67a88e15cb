// Enrichment: what real sensors do not write, filled in from the config's `enrich` section after
// a dialect decoded and oriented a record and before validation and the engine (in the shell:
// replay, report, flight, service; never in src/engine). Only fields the record leaves null are
// filled: a value the sensor wrote always wins.
//   gateway_id   the configured gateway whose sensor the record came from (enrich.gateways)
//   dst_country  enrich.countries, then the GeoIP database (enrich.geoip)
//   dst_host     TLS server name by connection (Zeek ssl.log uid, Suricata tls flow_id), then the
//                DNS name answered with the address (Zeek dns.log, Suricata dns) (enrich.dst_host)
//   principal    by the sending address (enrich.principals, then principals_file)
//   data_class   the first enrich.data_classes rule whose src, dst_port and sensor all match
import type { Config } from '../../config/types.js';
import type { FlowRecord } from '../../engine/types.js';
import type { DialectRecord } from '../dialects/dialect.js';
import { describeEnrichmentOf, type EnrichmentSizes } from './describe.js';

export type { EnrichmentSizes } from './describe.js';
import { openCountryDatabase } from './geoip.js';
import { buildHostJoins } from './host-joins.js';
import { IpNumbers } from './ip-number.js';
import { buildPrincipals } from './principals.js';
import { RangeTable } from './range-table.js';
import { sensorMatcher, type SensorMatcher } from './sensor-match.js';

export interface Enricher {
  /** Fills the null fields of rec.flow in place and returns it. */
  enrich(rec: DialectRecord): FlowRecord;
  /** Whether any enrichment is configured (an Enricher that does nothing can be skipped). */
  readonly active: boolean;
}

/** Reads every file the section names (GeoIP database, principals CSV, Zeek logs); a bad one throws ConfigError. */
export function compileEnrichment(config: Pick<Config, 'enrich'>): Enricher {
  return compileParts(config).enricher;
}

/** The effective enrichment in plain words, for check-config (reads the files, so it also checks them). */
export function describeEnrichment(config: Pick<Config, 'enrich'>): string[] {
  return describeEnrichmentOf(config.enrich, compileParts(config).sizes);
}

interface DataClassRule {
  src: RangeTable<true> | null;
  ports: ReadonlySet<number> | null;
  sensor: SensorMatcher | null;
  dataClass: string;
}

function compileParts(config: Pick<Config, 'enrich'>): { enricher: Enricher; sizes: EnrichmentSizes } {
  const enrich = config.enrich;
  const gateways = enrich.gateways.map((rule) => ({ match: sensorMatcher(rule.sensor, rule.sensor_field), id: rule.gateway_id }));
  const countries = new RangeTable(enrich.countries.map((rule) => ({ cidr: rule.dst, value: rule.country })));
  const geoip = enrich.geoip === null ? null : openCountryDatabase(enrich.geoip);
  const hosts = buildHostJoins(enrich.dst_host);
  const principals = buildPrincipals(enrich);
  const classRules: DataClassRule[] = enrich.data_classes.map((rule) => ({
    src: rule.src === undefined ? null : new RangeTable(rule.src.map((cidr) => ({ cidr, value: true as const }))),
    ports: rule.dst_port === undefined ? null : new Set(rule.dst_port),
    sensor: rule.sensor === undefined ? null : sensorMatcher(rule.sensor, rule.sensor_field),
    dataClass: rule.data_class,
  }));
  const joinsHosts = hosts.sslEntries + hosts.dnsEntries > 0;
  const active =
    gateways.length > 0 || countries.size > 0 || geoip !== null || joinsHosts || principals.table.size > 0 || classRules.length > 0;

  // Each address is parsed once per record (and remembered across records).
  const addresses = new IpNumbers();
  const enrichFlow = ({ flow, sensor }: DialectRecord): FlowRecord => {
    if (flow.gateway_id === null) {
      for (const gateway of gateways) {
        const matched = gateway.match(sensor);
        if (matched !== null) {
          flow.gateway_id = gateway.id ?? matched;
          break;
        }
      }
    }
    if (flow.dst_country === null) {
      flow.dst_country = (countries.size > 0 ? countries.lookupNumber(addresses.of(flow.dst_ip)) : undefined) ?? geoip?.country(flow.dst_ip) ?? null;
    }
    if (flow.dst_host === null && joinsHosts) flow.dst_host = hosts.host(flow);
    const src = (flow.principal === null && principals.table.size > 0) || (flow.data_class === null && classRules.length > 0) ? addresses.of(flow.src_ip) : null;
    if (flow.principal === null) flow.principal = principals.table.lookupNumber(src) ?? null;
    if (flow.data_class === null) {
      for (const rule of classRules) {
        if (rule.ports !== null && !rule.ports.has(flow.dst_port)) continue;
        if (rule.src !== null && rule.src.lookupNumber(src) === undefined) continue;
        if (rule.sensor !== null && rule.sensor(sensor) === null) continue;
        flow.data_class = rule.dataClass;
        break;
      }
    }
    return flow;
  };
  return {
    enricher: { active, enrich: active ? enrichFlow : (rec) => rec.flow },
    sizes: {
      geoip: geoip?.description ?? null,
      principalsFromConfig: principals.fromConfig,
      principalsFromFile: principals.fromFile,
      sslJoins: hosts.sslEntries,
      dnsJoins: hosts.dnsEntries,
    },
  };
}
