// Small hand-made inputs for engine tests.
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { FlowRecord } from '../../src/engine/types.js';

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0); // Monday 09:00 UTC
export const MIN = 60_000;

export function testConfig(extra = ''): Config {
  return parseConfig(
    `
policy:
  internal_networks: [10.0.0.0/8]
  data_classes:
    eu_user_data:
      allowed_countries: [EEA, GB]
      principals: ["svc-eu-*", alice]
      require_gateway: true
detectors:
  new_destination: {learning_period: 1h}
${extra}
`,
    'test.yaml',
  );
}

let counter = 0;
export function flow(over: Partial<FlowRecord> = {}): FlowRecord {
  counter++;
  return {
    flow_id: `f${counter}`,
    gateway_id: 'gw-1',
    start_ms: (over.end_ms ?? T0) - 1000,
    end_ms: T0,
    src_ip: '10.1.1.1',
    dst_ip: '198.51.100.7',
    src_port: 40000,
    dst_port: 443,
    protocol: 6,
    dst_host: 'api.example.eu',
    dst_country: 'DE',
    bytes_out: 1000,
    bytes_in: 200,
    packets_out: 2,
    packets_in: 1,
    data_class: 'eu_user_data',
    principal: 'svc-eu-export',
    ...over,
  };
}

export function resetFlowIds(): void {
  counter = 0;
}
