// The dialect path applies the JSON flow path's rule on lone UTF-16 surrogates (one check,
// checkTextFlowValues): a bad string is reported with its file and line and the field, in the
// words the JSON path uses; a real surrogate pair passes. Checked after enrichment, so a value
// enrichment copies from the record (a gateway name) is covered too.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createDecoder } from '../../../src/io/dialects/index.js';
import { decodeText, readDialectBatches } from '../../../src/io/dialects/read-file.js';
import { compileEnrichment } from '../../../src/io/enrich/index.js';
import type { InputItem } from '../../../src/io/input-item.js';
import { checkFlow } from '../../../src/io/validate-flow.js';
import { flow, tempDir } from '../fixtures.js';
import { errorsOf, flowsOf, NETS, readWith } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

// Zeek's JSON writer escapes what is not UTF-8 as \uXXXX: written here as the six characters.
const conn = (uid: string, system = 'gw-fra-1') =>
  `{"_system_name":"${system}","ts":1700000000.5,"uid":"${uid}","id.orig_h":"10.0.0.5","id.orig_p":51000,"id.resp_h":"203.0.113.10","id.resp_p":443,"proto":"tcp","duration":1.0,"orig_bytes":100,"resp_bytes":10,"orig_pkts":1,"resp_pkts":1}`;

describe('lone surrogates in a dialect', () => {
  it('are refused with file, line and field, in the JSON path words; a surrogate pair is kept', async () => {
    const path = tmp.file('conn.json');
    writeFileSync(path, [conn('CA\\ud800x'), conn('CB\\ud83d\\ude00'), conn('CC\\udfff')].join('\n') + '\n');
    const { decoder, items } = await readWith('zeek', path);
    expect(errorsOf(items)).toEqual([
      ['conn.json:1', 'field flow_id: "CA\\ud800x" is not well-formed Unicode (a lone surrogate)'],
      ['conn.json:3', 'field flow_id: "CC\\udfff" is not well-formed Unicode (a lone surrogate)'],
    ]);
    expect(flowsOf(items).map(([where, f]) => [where, f.flow_id])).toEqual([['conn.json:2', 'CB\u{1F600}']]);
    expect(decoder.counts.errors).toBe(2);
    // The same words as the flow JSON path for the same value.
    expect(checkFlow({ ...flow(), flow_id: 'CA\ud800x' })).toBe('field flow_id: "CA\\ud800x" is not well-formed Unicode (a lone surrogate)');
  });

  it('are refused where enrichment copied one into the record (gateway_id from _system_name)', async () => {
    const config = parseConfig('policy: {internal_networks: [10.0.0.0/8]}\nenrich:\n  gateways: [{sensor: "gw-*", sensor_field: _system_name}]\n', 'c.yaml');
    const reading = { decoder: createDecoder('zeek', { internalNetworks: NETS }), enrich: compileEnrichment(config).enrich };
    expect(decodeText(reading, conn('CD', 'gw-\\udc00'))).toBe('field gateway_id: "gw-\\udc00" is not well-formed Unicode (a lone surrogate)');
    const ok = decodeText(reading, conn('CE', 'gw-ams-1'));
    expect(typeof ok === 'string' ? ok : ok.map((f) => f.gateway_id)).toEqual(['gw-ams-1']);
    expect(reading.decoder.counts.errors).toBe(1);
  });

  it('are refused in the other JSON dialects too (Suricata flow_id as text)', async () => {
    const path = tmp.file('eve.json');
    writeFileSync(
      path,
      '{"timestamp":"2023-11-14T22:13:21.000000+0000","flow_id":"7\\ud801","event_type":"flow","src_ip":"10.0.0.5","src_port":51000,"dest_ip":"203.0.113.10","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":1,"pkts_toclient":1,"bytes_toserver":100,"bytes_toclient":10,"start":"2023-11-14T22:13:20.000000+0000","end":"2023-11-14T22:13:21.000000+0000"}}\n',
    );
    const items: InputItem[] = [];
    for await (const batch of readDialectBatches(path, { decoder: createDecoder('suricata', { internalNetworks: NETS }), enrich: (r) => r.flow })) items.push(...batch);
    expect(errorsOf(items)).toEqual([['eve.json:1', 'field flow_id: "7\\ud801" is not well-formed Unicode (a lone surrogate)']]);
  });
});
