// The synthetic estate behind `generate --format`: what the generator knows about a flow that a
// sensor's format cannot carry, turned into the enrich config that gives it back, as an
// operator would describe a real estate:
//   data_class  real data classes live on hosts: a source host that sends several classes in the
//               generator is placed, per class, in that class's subnet (10.B.C.D moves to
//               10.(B+k).C.D, k = 1 eu_user_data, 2 payment_data, 3 telemetry; unclassified
//               traffic keeps its address), and enrich.data_classes maps each subnet to its class
//   principal   the placed source addresses, in a principals CSV file
//   gateway_id  the sensor: each gateway reports as itself, traffic outside every gateway is
//               seen by a tap (enrich.gateways lists the gateways' sensors only)
//   dst_country enrich.countries, one entry per destination address (the generator's addresses
//               are documentation ranges, which no GeoIP database resolves)
//   dst_host    a Zeek dns.log with one answer per destination, before the first flow (OCSF
//               carries the host name itself)
// The alerts of a replay through the dialect plus this config then equal those of the native
// flow records (docs/enrichment.md says which alert fields may still differ, and why).
import type { FlowRecord } from '../../engine/types.js';
import type { DialectEncoder } from './encoder.js';

const CLASS_OFFSETS: Record<string, number> = { eu_user_data: 1, payment_data: 2, telemetry: 3 };
const DNS_LEAD_MS = 3_600_000;

export interface EstateFiles {
  /** The `enrich:` section, YAML, naming the side files by the names below. */
  enrich: Record<string, unknown>;
  principalsCsv: string;
  dnsLog: string;
}

export class SyntheticEstate {
  private readonly placed = new Map<string, { original: string; dataClass: string | null }>();
  private readonly principals = new Map<string, string>();
  private readonly classNets = new Map<string, Set<string>>();
  private readonly countries = new Map<string, string>();
  private readonly hosts = new Map<string, string>();
  private readonly gateways = new Map<string, string>();
  private firstStart = Number.POSITIVE_INFINITY;

  constructor(private readonly encoder: DialectEncoder) {}

  /** The flow as the sensor sees it (source placed in its class's subnet) and its sensor value. */
  place(flow: FlowRecord): { flow: FlowRecord; sensor: string } {
    const src = this.placeSource(flow.src_ip, flow.data_class);
    if (flow.principal !== null) this.remember(this.principals, src, flow.principal, 'principal of', src);
    if (flow.dst_country !== null) this.remember(this.countries, flow.dst_ip, flow.dst_country, 'country of', flow.dst_ip);
    if (flow.dst_host !== null) this.remember(this.hosts, flow.dst_ip, flow.dst_host, 'host name of', flow.dst_ip);
    const sensor = this.encoder.sensorOf(flow.gateway_id);
    if (flow.gateway_id !== null) this.gateways.set(sensor, flow.gateway_id);
    this.firstStart = Math.min(this.firstStart, flow.start_ms);
    return { flow: { ...flow, src_ip: src }, sensor };
  }

  /** The enrich section and side files, once every flow was placed. */
  files(principalsFile: string, dnsFile: string): EstateFiles {
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const hostBits = (ip: string) => (ip.includes(':') ? 128 : 32);
    const enrich: Record<string, unknown> = {
      geoip: null,
      countries: [...this.countries].sort(([a], [b]) => byName(a, b)).map(([ip, country]) => ({ dst: `${ip}/${hostBits(ip)}`, country })),
      data_classes: [...this.classNets]
        .sort(([a], [b]) => byName(a, b))
        .map(([dataClass, nets]) => ({ src: [...nets].sort(byName), data_class: dataClass })),
      principals_file: principalsFile,
      gateways: [...this.gateways]
        .sort(([a], [b]) => byName(a, b))
        .map(([sensor, gateway]) => ({ sensor, sensor_field: this.encoder.sensorField, gateway_id: gateway })),
    };
    // OCSF names the host itself; the other dialects get it back from DNS answers.
    if (this.encoder.dialect !== 'ocsf') enrich.dst_host = { zeek_dns: [dnsFile] };
    const principalRows = [...this.principals].sort(([a], [b]) => byName(a, b)).map(([ip, name]) => `${ip}/${hostBits(ip)},${name}`);
    const ts = Number.isFinite(this.firstStart) ? (this.firstStart - DNS_LEAD_MS) / 1000 : 0;
    const dnsRows = [...this.hosts]
      .sort(([a], [b]) => byName(a, b))
      .map(([ip, host]) => JSON.stringify({ _path: 'dns', ts, uid: `D${ip}`, query: host, qtype_name: ip.includes(':') ? 'AAAA' : 'A', answers: [ip] }));
    return {
      enrich,
      principalsCsv: ['cidr,principal', ...principalRows, ''].join('\n'),
      dnsLog: dnsRows.length === 0 ? '' : `${dnsRows.join('\n')}\n`,
    };
  }

  private placeSource(ip: string, dataClass: string | null): string {
    const offset = dataClass === null ? 0 : CLASS_OFFSETS[dataClass];
    if (offset === undefined) throw new Error(`generate --format: no subnet for data class ${dataClass}`);
    const octets = ip.split('.');
    if (octets.length !== 4) throw new Error(`generate --format: source ${ip} is not IPv4: the estate places only IPv4 sources`);
    const second = Number(octets[1]) + offset;
    if (second > 255) throw new Error(`generate --format: no room to place ${ip} for ${dataClass}`);
    const placed = `${octets[0]}.${second}.${octets[2]}.${octets[3]}`;
    const earlier = this.placed.get(placed);
    if (earlier !== undefined && (earlier.original !== ip || earlier.dataClass !== dataClass)) {
      throw new Error(`generate --format: ${ip} (${dataClass}) and ${earlier.original} (${earlier.dataClass}) would both be placed at ${placed}`);
    }
    this.placed.set(placed, { original: ip, dataClass });
    if (dataClass !== null) {
      const nets = this.classNets.get(dataClass) ?? new Set<string>();
      nets.add(`${octets[0]}.${second}.0.0/16`);
      this.classNets.set(dataClass, nets);
    }
    return placed;
  }

  private remember(map: Map<string, string>, key: string, value: string, what: string, subject: string): void {
    const known = map.get(key);
    if (known !== undefined && known !== value) {
      throw new Error(`generate --format: the ${what} ${subject} is both ${known} and ${value}; enrichment could give back only one`);
    }
    map.set(key, value);
  }
}
