// goflow2's JSON output (NetFlow v5/v9, IPFIX, sFlow from routers, firewalls and switches):
// one one-way record a line, times in nanoseconds since the epoch, and `sampling_rate`: a
// sampled exporter (sFlow always, NetFlow/IPFIX when configured) reports 1 of every N
// packets, so bytes and packets are multiplied by N (0 or absent: not sampled). No flow id
// exists: one is made from the exporter, export sequence, addresses, ports, protocol and start.
import type { Dialect, DialectDecoder, DialectRecord } from './dialect.js';
import { countOf, FactsOfTwo, fail, nanosToMs, optionalCount, parseObject, portOf, protocolOf, ipOf } from './fields.js';
import { fillOneWay, SensorDecoder } from './sensor-decoder.js';

const SENSOR_FIELDS = ['sampler_address', 'type'];

class Goflow2Decoder extends SensorDecoder implements DialectDecoder {
  readonly dialect = 'goflow2' as const;
  private readonly facts = new FactsOfTwo(SENSOR_FIELDS[0], SENSOR_FIELDS[1]);

  decode(line: string): DialectRecord[] {
    this.counts.records_read++;
    const o = parseObject(line);
    const src = ipOf('src_addr', o.src_addr);
    const dst = ipOf('dst_addr', o.dst_addr);
    const rate = optionalCount('sampling_rate', o.sampling_rate) || 1;
    const bytes = countOf('bytes', o.bytes) * rate;
    const packets = countOf('packets', o.packets) * rate;
    if (!Number.isSafeInteger(bytes)) fail('bytes', o.bytes, `a count that stays below 2^53 once multiplied by sampling_rate ${rate}`);
    if (!Number.isSafeInteger(packets)) fail('packets', o.packets, `a count that stays below 2^53 once multiplied by sampling_rate ${rate}`);
    // sFlow samples and some exporters carry no flow times: the time goflow2 received them.
    const received = o.time_received_ns;
    const startNs = o.time_flow_start_ns === undefined || o.time_flow_start_ns === 0 ? received : o.time_flow_start_ns;
    const endNs = o.time_flow_end_ns === undefined || o.time_flow_end_ns === 0 ? startNs : o.time_flow_end_ns;
    const startMs = nanosToMs('time_flow_start_ns', startNs);
    const endMs = Math.max(startMs, nanosToMs('time_flow_end_ns', endNs));
    const proto = o.proto === undefined ? 0 : protocolOf('proto', o.proto);
    const sport = o.src_port === undefined ? 0 : portOf('src_port', o.src_port);
    const dport = o.dst_port === undefined ? 0 : portOf('dst_port', o.dst_port);
    const exporter = typeof o.sampler_address === 'string' ? o.sampler_address : '-';
    const id = `gf:${exporter}:${String(o.sequence_num ?? '-')}:${src}:${sport}>${dst}:${dport}/${proto}@${startMs}`;
    const sf = fillOneWay(this.scratch, id, startMs, endMs, src, sport, dst, dport, proto, bytes, packets);
    const flow = this.orienter.orientOneWay(sf, this.counts);
    if (flow === null) return [];
    this.counts.flows_out++;
    return [{ flow, sensor: this.facts.of(o) }];
  }
}

export const goflow2: Dialect = {
  name: 'goflow2',
  describe: "goflow2's JSON (NetFlow v5/v9, IPFIX, sFlow): ns times, bytes and packets scaled by sampling_rate",
  sniff(first) {
    return first.charCodeAt(0) === 123 && first.indexOf('"src_addr"') !== -1 && (first.indexOf('"time_received_ns"') !== -1 || first.indexOf('"sampler_address"') !== -1);
  },
  create: (options) => new Goflow2Decoder(options),
};
