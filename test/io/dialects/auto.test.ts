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

  // Real files open with records that carry no connection: Suricata writes a stats event every
  // few seconds, and a stream of all Zeek logs (json-streaming-logs, Brim/Zed) may open with any log.
  const OPENING: Array<[string, string[]]> = [
    [
      'suricata',
      [
        '{"timestamp":"2023-11-14T22:13:10.000000+0000","event_type":"stats","stats":{"uptime":30,"decoder":{"pkts":120,"bytes":9000}}}',
        '{"timestamp":"2023-11-14T22:14:25.000000+0000","flow_id":61,"event_type":"flow","src_ip":"10.0.0.9","src_port":40100,"dest_ip":"203.0.113.50","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":12,"pkts_toclient":9,"bytes_toserver":3100,"bytes_toclient":8800,"start":"2023-11-14T22:13:20.000000+0000","end":"2023-11-14T22:14:20.000000+0000"}}',
      ],
    ],
    [
      'zeek',
      [
        '{"_path":"capture_loss","_write_ts":"2023-11-14T22:15:00.000000Z","ts":"2023-11-14T22:15:00.000000Z","ts_delta":60.0,"peer":"zeek","gaps":0,"acks":12,"percent_lost":0.0}',
        '{"_path":"conn","_write_ts":"2023-11-14T22:15:00.000000Z","ts":"2023-11-14T22:13:20.000000Z","uid":"CQ1","id.orig_h":"10.0.0.9","id.orig_p":40100,"id.resp_h":"203.0.113.50","id.resp_p":443,"proto":"tcp","duration":60.0,"orig_bytes":3100,"resp_bytes":8800}',
      ],
    ],
  ];
  for (const [dialect, lines] of OPENING) {
    it(`picks ${dialect} from an opening record without a connection, and skips that record as ${dialect} does`, () => {
      const picked: string[] = [];
      const decoder = createDecoder('auto', { internalNetworks: NETS }, (d: Dialect) => picked.push(d.name));
      expect(lines.flatMap((l) => decoder.decode(l)).map((r) => [r.flow.dst_ip, r.flow.bytes_out, r.flow.bytes_in])).toEqual([['203.0.113.50', 3100, 8800]]);
      expect(picked).toEqual([dialect]);
      expect(decoder.counts).toMatchObject({ records_read: 2, flows_out: 1, errors: 0, skipped: { [dialect === 'zeek' ? 'zeek capture_loss log' : 'suricata stats event']: 1 } });
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
