// The fixed world the traffic flows in: external destinations (host, address, country,
// the data classes each receives, a heavy-tailed base rate), internal destinations the
// engine ignores, and the source hosts of every principal with their home gateway.
import { AddressPool } from './addresses.js';
import { flowSizeModel, meanBytesOut, type FlowSizeModel } from './flow-size.js';
import {
  EEA,
  GATEWAYS,
  NORMAL_PRINCIPALS,
  UNAUTHORIZED_PRINCIPALS,
  countryAllowed,
  type DataClass,
} from './policy.js';
import { WeightedChoice, type Prng } from './prng.js';
import { MINUTE_MS, type GenerateOptions } from './types.js';

/** Internal flows are this share of all normal flows. */
export const INTERNAL_SHARE = 0.05;
/** A destination is busy (eligible for volume incidents) at this weekly-mean rate or more. */
export const BUSY_FLOWS_PER_MINUTE = 3;

export interface Destination {
  /** dst_host when set, else dst_ip: the engine's default baseline key. */
  key: string;
  dst_host: string | null;
  dst_ip: string;
  dst_country: string | null;
  dst_port: number;
  protocol: number;
  internal: boolean;
  /** The data classes this destination receives in normal traffic, with their weights. */
  classes: DataClass[];
  classWeights: number[];
  classPicker: WeightedChoice<DataClass>;
  /** Normal flows per ms, averaged over a week; 0 for destinations that exist only in incidents. */
  ratePerMs: number;
  /** Shifts the destination's daily curve a little, so not all peak at once. */
  phaseMs: number;
  size: FlowSizeModel;
  meanBytesOut: number;
  /** bytes_in is about bytes_out times this. */
  inRatio: number;
}

export interface SourceHost {
  ip: string;
  /** The gateway of the host's site: its flows pass through it. */
  gateway: string;
}

export interface Population {
  external: Destination[];
  internal: Destination[];
  /** Destinations created for incidents only (never in normal traffic). */
  incidentOnly: Destination[];
  /** Source hosts of each principal (null: unauthenticated hosts). */
  hosts: Map<string | null, SourceHost[]>;
  principalPickers: Record<keyof typeof NORMAL_PRINCIPALS, WeightedChoice<string | null>>;
  addresses: AddressPool;
  /** Numbers the host names, so every name is unique. */
  nextName: number;
}

const REGIONS: [string, number][] = [
  ['EEA', 56], ['GB', 9], ['CH', 4], ['US', 19], ['OTHER', 10], ['UNKNOWN', 2],
];
const EEA_WEIGHTS: Record<string, number> = {
  DE: 12, FR: 8, NL: 8, IE: 8, SE: 4, IT: 4, ES: 4, FI: 3, PL: 3, BE: 3,
  AT: 2, DK: 2, LU: 2, CZ: 1, PT: 1, NO: 1,
};
const OTHER_COUNTRIES: [string, number][] = [
  ['JP', 2], ['SG', 2], ['CA', 2], ['AU', 1.5], ['IN', 1.5], ['BR', 1],
];
const PORTS: [[number, number], number][] = [
  [[443, 6], 72], [[8443, 6], 6], [[22, 6], 5], [[993, 6], 2],
  [[443, 17], 8], [[514, 17], 3], [[4739, 17], 4],
];

const regionPicker = new WeightedChoice(REGIONS.map(([r]) => r), REGIONS.map(([, w]) => w));
const eeaPicker = new WeightedChoice(EEA, EEA.map((c) => EEA_WEIGHTS[c] ?? 0.3));
const otherPicker = new WeightedChoice(OTHER_COUNTRIES.map(([c]) => c), OTHER_COUNTRIES.map(([, w]) => w));
const portPicker = new WeightedChoice(PORTS.map(([p]) => p), PORTS.map(([, w]) => w));

export function pickCountry(prng: Prng): string | null {
  const region = regionPicker.pick(prng);
  if (region === 'EEA') return eeaPicker.pick(prng);
  if (region === 'OTHER') return otherPicker.pick(prng);
  if (region === 'UNKNOWN') return null;
  return region;
}

/** An EEA country, weighted like the population (brand-new incident destinations). */
export function pickEeaCountry(prng: Prng): string {
  return eeaPicker.pick(prng);
}

function s3Region(country: string | null): string {
  if (country === 'US' || country === 'CA') return 'us-east-1';
  if (country === 'GB') return 'eu-west-2';
  if (country === 'SE' || country === 'FI' || country === 'NO') return 'eu-north-1';
  if (country === 'DE' || country === 'AT' || country === 'CH' || country === 'PL') return 'eu-central-1';
  if (country !== null && EEA.includes(country)) return 'eu-west-1';
  return 'ap-southeast-1';
}

function hostName(prng: Prng, number: number, classes: DataClass[], country: string | null): string {
  if (classes.includes('telemetry') && prng.chance(0.6)) {
    return prng.choice([`collector.telemetry-${number}.example`, `ingest.metrics-${number}.example`]);
  }
  if (classes.includes('payment_data') && prng.chance(0.6)) {
    return prng.choice([`api.payments-${number}.example`, `settle.bank-${number}.example`]);
  }
  return prng.choice([
    `api.vendor-${number}.example`,
    `api.vendor-${number}.example`,
    `crm.saas-${number}.example`,
    `bucket-${number}.s3.${s3Region(country)}.example`,
    `sftp.partner-${number}.example`,
    `updates.software-${number}.example`,
    `cdn-${number}.media.example`,
  ]);
}

function classesFor(prng: Prng, country: string | null): DataClass[] {
  const classes: DataClass[] = [];
  if (countryAllowed('eu_user_data', country) && prng.chance(0.22)) classes.push('eu_user_data');
  if (countryAllowed('payment_data', country) && prng.chance(0.12)) classes.push('payment_data');
  if (prng.chance(0.15)) classes.push('telemetry');
  // Most destinations get unclassified traffic; a few receive only their restricted class.
  if (classes.length === 0 || prng.chance(0.7)) classes.unshift(null);
  return classes;
}

export interface DestinationSpec {
  country: string | null;
  classes: DataClass[];
  ratePerMs: number;
  internal?: boolean;
}

/** A destination with its own address, name, port and flow-size parameters. */
export function createDestination(prng: Prng, population: Population, spec: DestinationSpec): Destination {
  const number = population.nextName++;
  const internal = spec.internal === true;
  const ipv6 = prng.chance(internal ? 0.05 : 0.12);
  const dst_ip = internal ? internalAddress(prng, population.addresses, ipv6) : ipv6 ? population.addresses.ipv6(prng) : population.addresses.ipv4(prng);
  const ipOnly = prng.chance(internal ? 0.4 : 0.1);
  const dst_host = ipOnly ? null : internal ? `svc-${number}.corp.internal` : hostName(prng, number, spec.classes, spec.country);
  const [dst_port, protocol] = dst_host?.startsWith('sftp.') ? [22, 6] : portPicker.pick(prng);
  const classWeights = spec.classes.map((c) => (c === null ? 1 : prng.range(0.3, 1.5)));
  const median = Math.min(400_000, Math.max(400, prng.lognormal(Math.log(12_000), 1.0)));
  const size = flowSizeModel(Math.round(median), prng.range(0.6, 1.0));
  return {
    key: dst_host ?? dst_ip,
    dst_host,
    dst_ip,
    dst_country: spec.country,
    dst_port,
    protocol,
    internal,
    classes: spec.classes,
    classWeights,
    classPicker: new WeightedChoice(spec.classes, classWeights),
    ratePerMs: spec.ratePerMs,
    phaseMs: Math.round(prng.range(-90, 90) * MINUTE_MS),
    size,
    meanBytesOut: meanBytesOut(size),
    inRatio: Math.min(20, Math.max(0.02, prng.lognormal(Math.log(0.3), 1.2))),
  };
}

/** Internal networks of the policy: 10/8 mostly, some 172.16/12, 192.168/16 and fd00::/8. */
function internalAddress(prng: Prng, addresses: AddressPool, ipv6: boolean): string {
  for (;;) {
    const roll = prng.uniform();
    const address = ipv6
      ? `fd00::${prng.int(1, 0xffff).toString(16)}`
      : roll < 0.85
        ? `10.30.${prng.int(0, 255)}.${prng.int(1, 254)}`
        : roll < 0.93
          ? `172.20.${prng.int(0, 255)}.${prng.int(1, 254)}`
          : `192.168.10.${prng.int(1, 254)}`;
    if (addresses.claim(address)) return address;
  }
}

/** Principals with their source hosts: services run on a few servers, people on one or two workstations. */
function buildHosts(prng: Prng): Map<string | null, SourceHost[]> {
  const gatewayPicker = new WeightedChoice([...GATEWAYS], [0.45, 0.35, 0.2]);
  const principals = new Set<string | null>();
  for (const list of Object.values(NORMAL_PRINCIPALS)) for (const [p] of list) principals.add(p);
  for (const list of Object.values(UNAUTHORIZED_PRINCIPALS)) for (const p of list) principals.add(p);
  const hosts = new Map<string | null, SourceHost[]>();
  let service = 0;
  let person = 0;
  for (const principal of [...principals].sort((a, b) => String(a).localeCompare(String(b)))) {
    const list: SourceHost[] = [];
    if (principal === null) {
      const seen = new Set<string>();
      while (list.length < 240) {
        const ip = `10.20.${prng.int(0, 3)}.${prng.int(1, 254)}`;
        if (seen.has(ip)) continue;
        seen.add(ip);
        list.push({ ip, gateway: gatewayPicker.pick(prng) });
      }
    } else if (principal.startsWith('svc-')) {
      service++;
      for (let j = 0; j < 6; j++) list.push({ ip: `10.10.${service}.${10 + j}`, gateway: gatewayPicker.pick(prng) });
    } else {
      person++;
      const count = prng.int(1, 2);
      for (let j = 0; j < count; j++) list.push({ ip: `10.60.${person}.${20 + j}`, gateway: gatewayPicker.pick(prng) });
    }
    hosts.set(principal, list);
  }
  return hosts;
}

export function buildPopulation(prng: Prng, options: GenerateOptions): Population {
  const pickers = Object.fromEntries(
    Object.entries(NORMAL_PRINCIPALS).map(([key, list]) => [
      key,
      new WeightedChoice(list.map(([p]) => p), list.map(([, w]) => w)),
    ]),
  ) as Population['principalPickers'];
  const population: Population = {
    external: [],
    internal: [],
    incidentOnly: [],
    hosts: buildHosts(prng),
    principalPickers: pickers,
    addresses: new AddressPool(),
    nextName: 1,
  };

  // Heavy-tailed rates: Zipf weights 1/rank over a random ranking of the destinations.
  const count = options.destinations;
  const ranks = prng.shuffle(Array.from({ length: count }, (_, i) => i + 1));
  const harmonic = ranks.reduce((sum, rank) => sum + 1 / rank, 0);
  const externalPerMs = (options.rate * (1 - INTERNAL_SHARE)) / 1000;
  for (let i = 0; i < count; i++) {
    const country = pickCountry(prng);
    population.external.push(
      createDestination(prng, population, {
        country,
        classes: classesFor(prng, country),
        ratePerMs: (externalPerMs * (1 / ranks[i])) / harmonic,
      }),
    );
  }

  // Internal destinations carry only unrestricted classes: the engine ignores them anyway,
  // and normal traffic stays clean under any reading of the policy.
  const internalCount = Math.min(200, Math.max(4, Math.round(count / 10)));
  const internalRanks = prng.shuffle(Array.from({ length: internalCount }, (_, i) => i + 1));
  const internalHarmonic = internalRanks.reduce((sum, rank) => sum + 1 / rank, 0);
  const internalPerMs = (options.rate * INTERNAL_SHARE) / 1000;
  for (let i = 0; i < internalCount; i++) {
    const classes: DataClass[] = prng.chance(0.3) ? [null, 'telemetry'] : [null];
    population.internal.push(
      createDestination(prng, population, {
        country: null,
        classes,
        ratePerMs: (internalPerMs * (1 / internalRanks[i])) / internalHarmonic,
        internal: true,
      }),
    );
  }
  return population;
}

export function isBusy(destination: Destination): boolean {
  return destination.ratePerMs * MINUTE_MS >= BUSY_FLOWS_PER_MINUTE;
}
