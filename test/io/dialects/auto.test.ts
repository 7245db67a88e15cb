import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createDecoder, type Dialect } from '../../../src/io/dialects/index.js';
import { errorsOf, fixture, flowsOf, NETS, readWith } from './helpers.js';

const FIRST_LINES: Array<[string, string]> = [
  ['conn-two-headers.log', 'zeek'],
  ['conn-open.json', 'zeek'],
  ['vpc-custom.log', 'vpc'],
  ['goflow2.json', 'goflow2'],
  ['suricata-eve.json', 'suricata'],
  ['ocsf-4001.json', 'ocsf'],
];

describe('auto', () => {
  for (const [file, dialect] of FIRST_LINES) {
    it(`picks ${dialect} for ${file}, says so once, and reads it as that dialect does`, async () => {
      const picked: string[] = [];
      const decoder = createDecoder('auto', { internalNetworks: NETS }, (d: Dialect) => picked.push(d.name));
      for (const line of readFileSync(fixture(file), 'utf8').split('\n')) {
        if (line.length === 0) continue;
        try {
          decoder.decode(line);
        } catch {
          // counted below
        }
      }
      expect(picked).toEqual([dialect]);
      const named = await readWith(dialect as 'zeek', fixture(file));
      const auto = await readWith('auto', fixture(file));
      expect(flowsOf(auto.items)).toEqual(flowsOf(named.items));
      expect(errorsOf(auto.items)).toEqual(errorsOf(named.items));
      expect(auto.decoder.counts).toEqual(named.decoder.counts);
    });
  }

  it('picks flow for egress-watch records', () => {
    const picked: string[] = [];
    const decoder = createDecoder('auto', { internalNetworks: NETS }, (d) => picked.push(d.name));
    const line = '{"flow_id":"f1","gateway_id":null,"start_ms":1,"end_ms":2,"src_ip":"10.0.0.1","dst_ip":"192.0.2.1","src_port":1,"dst_port":2,"protocol":6,"bytes_out":5,"bytes_in":0,"packets_out":1,"packets_in":0}';
    expect(decoder.decode(line).map((r) => r.flow.bytes_out)).toEqual([5]);
    expect(picked).toEqual(['flow']);
  });

  it('names the formats when no dialect recognises the first line, and counts it', () => {
    const decoder = createDecoder('auto', { internalNetworks: NETS });
    expect(() => decoder.decode('hello world')).toThrow('--input-format auto: no dialect recognises this line (zeek, flow, ocsf, suricata, goflow2, vpc); name the format');
    expect(decoder.counts.records_read).toBe(1);
  });
});
