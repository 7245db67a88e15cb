// The normalised config: the YAML shape of DESIGN.md with durations in milliseconds,
// sizes in bytes, region names expanded to country codes and defaults filled in.
// Key names stay the YAML key names so an error path reads the same in both.
import type { InputFormatName } from '../model/input-formats.js';
import type { BaselineKey, Suppression } from '../model/contract.js';

export type { BaselineKey } from '../model/contract.js';

export interface KafkaSsl {
  ca?: string;
  cert?: string;
  key?: string;
  /** Verify the broker certificate (default true). */
  reject_unauthorized: boolean;
}

export interface KafkaSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  /** Name of the environment variable that holds the password: never the password itself. Exactly one of password_env and password_file. */
  password_env?: string;
  /** File holding the password (e.g. a mounted secret; one trailing newline ignored), resolved against the config folder. */
  password_file?: string;
}

export interface KafkaConfig {
  brokers: string[];
  client_id: string;
  group_id: string;
  topics: {
    flows: string;
    alerts: string;
    dead_letter: string;
    changelog: string;
    /** Analysts' suppressions, compacted, keyed by id; default `<alerts>.suppressions`. */
    suppressions: string;
    /** One event per change to the suppressions, append-only; default `<alerts>.suppressions.audit`. */
    suppression_audit: string;
    /** Alerts a suppression covered, with it; default `<alerts>.suppressed`. */
    suppressed: string;
  };
  format: 'avro' | 'json' | 'auto';
  ssl: false | KafkaSsl;
  sasl: null | KafkaSasl;
  /**
   * Re-key flows by destination through the internal topic `<group_id>.repartition`
   * (as Kafka Streams does) so one destination's baseline lives in one instance.
   * Turn off only when the gateways already key records by the destination key.
   */
  repartition: boolean;
  /**
   * Milliseconds: while this instance is behind, an engine partition writes its state and
   * commits its offset at most this often (Kafka Streams' commit.interval.ms); 0: every batch.
   */
  commit_interval: number;
  /** Confluent Schema Registry for writer schemas by id; null: the local schema. */
  schema_registry: null | { url: string };
}

export interface ServiceConfig {
  /** /metrics, /healthz, /readyz. Loopback by default: metrics are not for the world. */
  http_host: string;
  http_port: number;
}

export type { PolicyDataClass } from '../model/policy.js';
import type { PolicyDataClass } from '../model/policy.js';

// Each detector's settings are declared in its own file (src/detectors/), collected by key.
export type { DetectorBase, DetectorKey } from '../detectors/detector.js';
import type { DetectorKey, DetectorSettingsMap } from '../detectors/detector.js';
export type DetectorSettings = DetectorSettingsMap;

export interface Override {
  /** Glob on the destination key and/or exact data class; both given means both must match. */
  match: { destination?: string; data_class?: string };
  /** Partial settings per detector key, merged over the defaults. */
  settings: { [K in DetectorKey]?: Partial<DetectorSettings[K]> };
}

/** baseline.day_zones: a destination glob and the IANA zone whose days its traffic keeps. */
export interface DayZone {
  destination: string;
  timezone: string;
}

export interface Config {
  kafka: KafkaConfig;
  /** The dialect of the flows (src/io/dialects): for `run` on the flows topic, the default of --input-format. */
  input: { format: InputFormatName; vpc_fields: string[]; zeek_open_uids: number; zeek_bytes: 'payload' | 'bounded' };
  windows: {
    size: number;
    allowed_lateness: number;
    /** A gateway whose latest event time is this far behind the stream's stops holding the watermark back. */
    idle_timeout: number;
    /** Records whose event time is further than this ahead of processing time are rejected (dead-lettered). */
    max_future: number;
    /** A flow_id seen again at the same destination within this much event time is a duplicate; 0: off. */
    dedup_horizon: number;
  };
  baseline: { key: BaselineKey; warmup_windows: number; idle_ttl: number; dormant_ttl: number; timezone: string; day_zones: DayZone[]; return_after: number };
  policy: {
    regions: Record<string, string[]>;
    internal_networks: string[];
    data_classes: Record<string, PolicyDataClass>;
  };
  detectors: DetectorSettings & { overrides: Override[] };
  alerts: { suppress_for: number; format: 'json' | 'avro' | 'ocsf' | 'ecs' };
  service: ServiceConfig;
  /** Analysts' benign marks (src/suppress/): the longest one may last, and those written in the config. */
  suppressions: { max_duration: number; entries: Suppression[] };
  /** Filling in what sensors do not write (src/io/enrich/). */
  enrich: EnrichConfig;
  /** SHA-256 (hex) of each file `enrich` reads, by resolved path (`builtin` for the built-in
   *  GeoIP database), as read at load; absent when it names none. Part of config_version. */
  enrich_files?: Readonly<Record<string, string>>;
  /** Hash of the normalised config: stamped on every alert. */
  config_version: string;
}

/** A sensor named in enrich rules: a glob on any SensorFacts value, or only on `sensor_field`. */
export interface SensorMatch {
  sensor?: string;
  sensor_field?: string;
}

/** enrich (src/io/enrich/): fills what a record leaves null; file paths resolved against the config folder. */
export interface EnrichConfig {
  /** null: off; "builtin": the country database shipped in an npm package; else a .mmdb path. */
  geoip: string | null;
  /** Countries of known networks, consulted before geoip (first match wins). */
  countries: Array<{ dst: string; country: string }>;
  /** Where restricted data lives: first matching rule wins; every given key must match. */
  data_classes: Array<SensorMatch & { src?: string[]; dst_port?: number[]; data_class: string }>;
  principals: Array<{ src: string; principal: string }>;
  /** CSV with header `cidr,principal`, consulted after `principals`. */
  principals_file: string | null;
  /** Sensors that are security gateways; gateway_id defaults to the matched sensor value. */
  gateways: Array<{ sensor: string; sensor_field?: string; gateway_id?: string }>;
  /** Logs joined for dst_host: Zeek ssl.log by uid (server_name), dns.log by answer address (query);
   *  Suricata eve.json tls events by flow_id (sni), dns responses by answer address. */
  dst_host: { zeek_ssl: string[]; zeek_dns: string[]; suricata_eve: string[]; max_entries: number };
}
