// Suricata eve.json: one event a line; `event_type: flow` events are connections, reported when
// they end or time out, with `flow.bytes_toserver` (sent by the initiator, src_ip) and
// `flow.bytes_toclient`. Every other event type (alert, dns, tls, http, fileinfo, stats,
// netflow, ...) is skipped and counted by type. `flow_id` is the flow id. A line a shipper wrapped
// (`{"message": "<the eve line>", "@timestamp": ...}`) is read as the eve line it carries.
import type { Dialect, DialectDecoder, DialectRecord } from './dialect.js';
import { fail, FactsOfTwo, isoToMs, objectOf, optionalCount, parseObject, portOf, protocolOf, skip, ipOf, unwrapped } from './fields.js';
import { SensorDecoder } from './sensor-decoder.js';

const SENSOR_FIELDS = ['host', 'in_iface'];

class SuricataDecoder extends SensorDecoder implements DialectDecoder {
  readonly dialect = 'suricata' as const;
  private readonly facts = new FactsOfTwo(SENSOR_FIELDS[0], SENSOR_FIELDS[1]);

  decode(line: string): DialectRecord[] {
    this.counts.records_read++;
    let o = parseObject(line);
    // A shipper's wrapper (Filebeat, Elastic Agent, Logstash, Security Onion on Kafka) carries the
    // eve line as text under `message`, its own fields beside it.
    if (o.event_type === undefined && typeof o.message === 'string' && o.message.charCodeAt(0) === 123) o = unwrapped(o.message, 'an eve.json event as JSON text');
    this.lastParsed = o;
    const type = o.event_type;
    if (type !== 'flow') {
      if (typeof type !== 'string') fail('event_type', type, 'an event type (flow, alert, dns, ...)');
      return skip(this.counts, `suricata ${type} event`);
    }
    const f = objectOf('flow', o.flow, true);
    const id = o.flow_id;
    if (typeof id !== 'number' && typeof id !== 'string') fail('flow_id', id, 'a flow id');
    const endMs = isoToMs('flow.end', f.end ?? o.timestamp);
    const startMs = f.start === undefined ? endMs : Math.min(endMs, isoToMs('flow.start', f.start));
    const sf = this.scratch;
    sf.flow_id = String(id);
    sf.start_ms = startMs;
    sf.end_ms = endMs;
    sf.orig_ip = ipOf('src_ip', o.src_ip);
    sf.orig_port = o.src_port === undefined ? 0 : portOf('src_port', o.src_port);
    sf.resp_ip = ipOf('dest_ip', o.dest_ip);
    sf.resp_port = o.dest_port === undefined ? 0 : portOf('dest_port', o.dest_port);
    sf.protocol = protocolOf('proto', o.proto);
    sf.orig_bytes = optionalCount('flow.bytes_toserver', f.bytes_toserver);
    sf.resp_bytes = optionalCount('flow.bytes_toclient', f.bytes_toclient);
    sf.orig_pkts = optionalCount('flow.pkts_toserver', f.pkts_toserver);
    sf.resp_pkts = optionalCount('flow.pkts_toclient', f.pkts_toclient);
    sf.orig_host = null;
    sf.resp_host = null;
    const flow = this.orienter.orient(sf, this.counts);
    if (flow === null) return [];
    this.counts.flows_out++;
    return [{ flow, sensor: this.facts.of(o) }];
  }
}

export const suricata: Dialect = {
  name: 'suricata',
  describe: 'Suricata eve.json: event_type flow (bytes_toserver / bytes_toclient); other event types counted and skipped',
  sniff(first) {
    if (first.charCodeAt(0) !== 123) return false;
    // Any event type: an eve.json often opens with a stats event, which has no addresses.
    if (first.indexOf('"event_type":') !== -1 && (first.indexOf('"src_ip"') !== -1 || first.indexOf('"timestamp":') !== -1)) return true;
    // An eve line wrapped as text under "message" by a shipper: its quotes escaped.
    return first.indexOf('"message"') !== -1 && first.indexOf('\\"event_type\\"') !== -1;
  },
  create: (options) => new SuricataDecoder(options),
};
