// The whole file: optional sections, each filled with its defaults when absent.
import { z } from 'zod';
import { detectorsSection } from './detectors.js';
import { enrichSection } from './enrich.js';
import { duration, section, strict, timeZone, wholeNumber } from './fields.js';
import { inputSection } from './input.js';
import { kafkaSection } from './kafka.js';
import { policySection } from './policy.js';
import { suppressionsSection } from './suppressions.js';

const windowsSection = section(
  strict({
    size: duration('positive').prefault('1m'),
    allowed_lateness: duration('zero').prefault('30s'),
    idle_timeout: duration('positive').prefault('5m'),
    max_future: duration('positive').prefault('1h'),
    dedup_horizon: duration('zero').prefault('10m'),
  }),
);

const baselineSection = section(
  strict({
    key: z.enum(['dst_host', 'dst_ip', 'dst_prefix']).default('dst_host'),
    warmup_windows: wholeNumber(0).default(60),
    idle_ttl: duration('positive').prefault('7d'),
    // A destination kept dormant past idle_ttl (a detector remembers it: NEW_DESTINATION's
    // data classes) is dropped once idle this much longer.
    dormant_ttl: duration('positive').prefault('365d'),
    timezone: timeZone.default('UTC'),
    // Destinations whose senders keep another zone's week: their weekdays, weekends and the
    // midnight the day-edge allowance reads follow that zone (the first entry that matches).
    day_zones: z.array(strict({ destination: z.string().min(1), timezone: timeZone })).default([]),
    // How long traffic must stay back down before a lasting change the volume detectors
    // accepted is given back (the level returns toward where it was); 0s: never.
    return_after: duration('zero').prefault('1d'),
  }),
);

const alertsSection = section(
  strict({
    suppress_for: duration('zero').prefault('15m'),
    // json and avro: the alert schema; ocsf and ecs: SIEM documents (src/io/siem/).
    format: z.enum(['json', 'avro', 'ocsf', 'ecs']).default('json'),
  }),
);

const serviceSection = section(
  strict({
    http_host: z.string().min(1).default('127.0.0.1'),
    // 0: any free port (tests); the service logs the one it got.
    http_port: wholeNumber(0).max(65535).default(9464),
  }),
);

function build() {
  return strict({
    kafka: kafkaSection,
    input: inputSection,
    windows: windowsSection,
    baseline: baselineSection,
    policy: policySection,
    detectors: detectorsSection(),
    alerts: alertsSection,
    service: serviceSection,
    suppressions: suppressionsSection,
    enrich: enrichSection,
  });
}

let built: { detectors: ReturnType<typeof detectorsSection>; schema: ReturnType<typeof build> } | undefined;

/** The whole file's schema; its detectors section follows the detector registry. */
export function configSchema(): ReturnType<typeof build> {
  if (built === undefined || built.detectors !== detectorsSection()) {
    const schema = build();
    built = { detectors: detectorsSection(), schema };
  }
  return built.schema;
}
