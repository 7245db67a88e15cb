// demo --format zeek, without a broker: the config it gives the service reads the Zeek lines it
// produces back into the generated flows (input.format zeek plus the enrich section).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoConfig, demoWorkload, zeekDemoConfig } from '../../src/cli/demo-command.js';
import { generateTraffic } from '../../src/generate/index.js';
import { createDecoder } from '../../src/io/dialects/index.js';
import { DialectStream } from '../../src/io/encoders/dialect-stream.js';
import { compileEnrichment } from '../../src/io/enrich/index.js';

const dir = mkdtempSync(join(tmpdir(), 'demo-zeek-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zeekDemoConfig', () => {
  it('reads the Zeek JSON lines the demo sends back into the generated flows', () => {
    const flows = [...generateTraffic(demoWorkload(3, true)).flows];
    const stream = new DialectStream('zeek');
    const lines = flows.map((flow) => stream.lines(flow));
    const base = demoConfig('127.0.0.1:9092', 'x');
    const config = zeekDemoConfig(base, stream, join(dir, 'demo-zeek'));
    expect(config.input.format).toBe('zeek');
    expect(config.kafka).toEqual(base.kafka);
    expect(config.config_version).not.toBe(base.config_version);
    expect(config.enrich.gateways.map((g) => g.gateway_id)).toEqual(['gw-ams-1', 'gw-dub-1', 'gw-fra-1']);
    expect(config.enrich.principals_file).toBe(join(dir, 'demo-zeek', 'demo-zeek.principals.csv'));

    const decoder = createDecoder('zeek', { internalNetworks: config.policy.internal_networks });
    const enricher = compileEnrichment(config);
    const back = lines.flatMap((one) => one.flatMap((line) => decoder.decode(line))).map((rec) => enricher.enrich(rec));
    expect(back).toHaveLength(flows.length);
    // Equal but for the source address (placed in its class's subnet: estate.ts).
    const withoutSource = ({ src_ip: _src, ...rest }: (typeof flows)[number]) => rest;
    expect(back.map(withoutSource)).toEqual(flows.map(withoutSource));
  });
});
