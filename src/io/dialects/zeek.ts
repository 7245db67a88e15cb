// Zeek conn.log, as TSV (Zeek's ASCII writer: `#separator`, `#set_separator`, `#empty_field`,
// `#unset_field`, `#path`, `#fields`, `#types` headers, which may change mid-file where logs
// were concatenated or rotated together) and as JSON (`LogAscii::use_json`, the Kafka writer:
// `id.orig_h` keys, the `id_orig_h` scope-separator variant or a nested `id` record, `_path`,
// `_system_name`, `_node_name`, `ts` as epoch seconds or ISO 8601; the Kafka writer's
// `tag_json` wrapping, `{"conn": {...}}`, unwrapped; a shipper's `{"message": "<line>"}`
// wrapping, unwrapped). Each line is told apart by its first
// character, so a stream may mix both. `uid` is the flow id; repeated reports of one uid
// (open-connection logs, cumulative counts) pass on only their increase.
import type { DecoderOptions, Dialect, DialectDecoder, DialectRecord, SensorFacts } from './dialect.js';
import { DialectError } from './dialect.js';
import type { DirectionHint } from './direction.js';
import { countOf, FactsCache, FactsOfTwo, factsOf, ipOf, parseObject, portOf, protocolOf, secondsOrIsoToMs, secondsToMs, skip, textOf, unwrapped } from './fields.js';
import { OpenConnections } from './zeek-open-connections.js';
import { SensorDecoder } from './sensor-decoder.js';
import { untagZeek } from './zeek-tag.js';

/**
 * A Zeek `time` as the JSON writer's `json_timestamps` wrote it: JSON::TS_EPOCH (seconds, the
 * default), JSON::TS_ISO8601 (text), or JSON::TS_MILLIS (whole milliseconds). A number of
 * MILLIS_FROM or more is milliseconds: as seconds it would be after the year 5138.
 */
export function zeekTimeToMs(value: unknown): number {
  if (typeof value === 'number' && value >= MILLIS_FROM && Number.isFinite(value)) return Math.floor(value);
  return secondsOrIsoToMs('ts', value);
}
const MILLIS_FROM = 1e11;

/** The conn.log fields read, by their names with Zeek's default scope separator. */
const FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'duration', 'orig_bytes', 'resp_bytes', 'orig_pkts', 'resp_pkts', 'local_orig', 'local_resp', 'orig_ip_bytes', 'resp_ip_bytes'] as const;
type Field = (typeof FIELDS)[number];
const REQUIRED: readonly Field[] = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto'];
const SENSOR_FIELDS = ['_system_name', '_node_name'];
const NO_FACTS: SensorFacts = Object.freeze({});

/** Logs whose records are connections: conn, open-connection logs (open_conn, conn_long) and
 *  conn logs a filter wrote under another path (conn-exc, conn_eu): their path names conn. */
function isConnPath(path: string): boolean {
  return path.indexOf('conn') !== -1;
}

/** The TSV header in force: set by `#` lines, replaced by the next `#separator` or `#fields`. */
interface TsvHeader {
  separator: string;
  unset: string;
  empty: string;
  path: string | null;
  /** Column of each field read (-1: the header has no such column), by FIELDS order. */
  columns: number[] | null;
  width: number;
  /** Why lines under this header are skipped (not a conn log), or null. */
  skipKind: string | null;
  /** Columns of sensor facts (_system_name, _node_name) the header has. */
  sensorColumns: Array<[string, number]>;
  /** What each column holds: a FIELDS index, SENSOR_COLUMN + its index in sensorColumns, or -1. */
  want: Int16Array;
}

/** want[] codes from here on are sensor columns. */
const SENSOR_COLUMN = 100;

function freshHeader(): TsvHeader {
  return { separator: '\t', unset: '-', empty: '(empty)', path: null, columns: null, width: 0, skipKind: null, sensorColumns: [], want: new Int16Array(0) };
}

/** `\x09` and the like in `#separator` to the character. */
function unescape(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `id_orig_h` (another scope separator) to `id.orig_h`. */
function canonical(name: string): string {
  return name.startsWith('id_') ? `id.${name.slice(3)}` : name;
}

class ZeekDecoder extends SensorDecoder implements DialectDecoder {
  readonly dialect = 'zeek' as const;
  private readonly open: OpenConnections;
  private header: TsvHeader = freshHeader();
  private readonly facts = new FactsOfTwo(SENSOR_FIELDS[0], SENSOR_FIELDS[1]);
  /** The fields of the record being decoded, by FIELDS index: one array reused for every line. */
  private readonly vals: unknown[] = new Array<unknown>(FIELDS.length);
  /** The TSV header's sensor columns' facts, reused (FactsCache). */
  private sensorFacts = new FactsCache(0);
  /** input.zeek_bytes `bounded`: payload counts at most the IP bytes counted for that end. */
  private readonly bounded: boolean;

  constructor(options: DecoderOptions) {
    super(options);
    this.open = new OpenConnections(options.zeekOpenUids);
    this.bounded = options.zeekBytes === 'bounded';
  }

  decode(line: string): DialectRecord[] {
    if (line.charCodeAt(0) === 35 /* # */) {
      this.headerLine(line);
      return [];
    }
    this.counts.records_read++;
    return line.charCodeAt(0) === 123 /* { */ ? this.json(line) : this.tsv(line);
  }

  private headerLine(line: string): void {
    if (line.startsWith('#separator')) {
      // `#separator \x09`: the one header whose own separator is a space.
      const value = line.slice('#separator'.length).trim();
      if (value.length === 0) throw new DialectError('#separator: no separator given');
      this.header = freshHeader();
      this.header.separator = unescape(value);
      return;
    }
    const h = this.header;
    const cut = line.indexOf(h.separator);
    const key = cut === -1 ? line : line.slice(0, cut);
    const value = cut === -1 ? '' : line.slice(cut + h.separator.length);
    switch (key) {
      case '#unset_field':
        h.unset = value;
        break;
      case '#empty_field':
        h.empty = value;
        break;
      case '#path':
        h.path = value;
        break;
      case '#fields':
        this.fieldsHeader(value.split(h.separator));
        break;
      default: // #set_separator, #open, #close, #types and comments carry nothing we need
        break;
    }
  }

  private fieldsHeader(names: string[]): void {
    const h = this.header;
    const at = new Map(names.map((n, i) => [canonical(n), i]));
    h.columns = FIELDS.map((f) => at.get(f) ?? -1);
    h.width = names.length;
    h.sensorColumns = SENSOR_FIELDS.map((f) => [f, names.indexOf(f)] as [string, number]).filter(([, i]) => i !== -1);
    h.want = new Int16Array(names.length).fill(-1);
    h.columns.forEach((c, f) => {
      if (c !== -1) h.want[c] = f;
    });
    h.sensorColumns.forEach(([, c], k) => {
      h.want[c] = SENSOR_COLUMN + k;
    });
    this.sensorFacts = new FactsCache(h.sensorColumns.length);
    const missing = REQUIRED.filter((f) => !at.has(f));
    if (h.path !== null && !isConnPath(h.path)) h.skipKind = `zeek ${h.path} log`;
    else if (missing.length > 0) h.skipKind = `zeek log without ${missing.join(', ')}`;
    else h.skipKind = null;
  }

  private tsv(line: string): DialectRecord[] {
    const h = this.header;
    if (h.columns === null) throw new DialectError('a data line before any #fields header (not a Zeek TSV log, or its header is missing)');
    if (h.skipKind !== null) return skip(this.counts, h.skipKind);
    // The line cut at its separators by index, only the columns read taken out: a conn.log line
    // has 21 or more columns, of which 16 are read (a split made a string of every one).
    const sep = h.separator;
    const want = h.want;
    const width = h.width;
    const vals = this.vals;
    vals.fill(undefined);
    const sensorValues = this.sensorFacts.current;
    let start = 0;
    let col = 0;
    for (;;) {
      let end = line.indexOf(sep, start);
      const lastCell = end === -1;
      if (lastCell) end = line.length;
      const w = col < width ? want[col] : -1;
      if (w !== -1) {
        const v = line.slice(start, end);
        if (w >= SENSOR_COLUMN) sensorValues[w - SENSOR_COLUMN] = v;
        else vals[w] = v === h.unset ? undefined : v === h.empty ? '' : v;
      }
      col++;
      if (lastCell) break;
      start = end + sep.length;
    }
    if (col !== width) throw new DialectError(`${col} columns where the #fields header names ${width}`);
    vals[12] = vals[12] === undefined ? undefined : vals[12] === 'T';
    vals[13] = vals[13] === undefined ? undefined : vals[13] === 'T';
    let sensor = NO_FACTS;
    if (h.sensorColumns.length > 0) sensor = this.sensorFacts.find() ?? this.sensorFacts.add(this.tsvFacts(h));
    return this.conn(sensor);
  }

  /** The sensor facts of the TSV line whose sensor cells are in sensorFacts.current. */
  private tsvFacts(h: TsvHeader): Record<string, string> {
    const facts: Record<string, string> = {};
    const values = this.sensorFacts.current;
    for (let k = 0; k < h.sensorColumns.length; k++) {
      const v = values[k] as string;
      if (v !== h.unset && v !== h.empty && v !== '') facts[h.sensorColumns[k][0]] = v;
    }
    return facts;
  }

  private json(line: string): DialectRecord[] {
    let o = parseObject(line);
    // A shipper's wrapper (Filebeat, Elastic Agent, Logstash) carries the log's line as text under
    // `message`, its own fields beside it: a JSON record, or a TSV line or header read in order.
    if (o.ts === undefined && o.uid === undefined && typeof o.message === 'string') {
      if (o.message.charCodeAt(0) === 123) o = unwrapped(o.message, 'a Zeek JSON record as text');
      else {
        this.counts.records_read--;
        return this.decode(o.message);
      }
    }
    this.lastParsed = o;
    let path = o._path;
    // The Kafka writer's tag_json: {"conn": {...}, extra values...}; the tag is the log path.
    const tagged = untagZeek(o);
    if (tagged !== null) {
      o = tagged.record;
      path = tagged.path;
    }
    if (typeof path === 'string' && !isConnPath(path)) return skip(this.counts, `zeek ${path} log`);
    const scoped = o['id.orig_h'] === undefined && o['id_orig_h'] !== undefined;
    // The conn_id as a nested record ({"id": {"orig_h": ...}}), as tools that keep Zeek's record
    // types write it (Zed/zq, Brim): the same four fields.
    const nested = o['id.orig_h'] === undefined && !scoped && typeof o.id === 'object' && o.id !== null ? (o.id as Record<string, unknown>) : null;
    // Another log's record without a _path (ssh, dns, ...): none of the connection's fields.
    if (path === undefined && o.uid === undefined && o['id.orig_h'] === undefined && !scoped && nested === null) return skip(this.counts, 'zeek record without conn fields');
    // Each field by its own name (FIELDS order): one shape of object per writer, so these reads
    // stay monomorphic, where a loop over names is a dictionary-style lookup per field.
    const vals = this.vals;
    vals[0] = unsetIfNull(o.ts);
    vals[1] = unsetIfNull(o.uid);
    if (nested !== null) {
      vals[2] = unsetIfNull(nested.orig_h);
      vals[3] = unsetIfNull(nested.orig_p);
      vals[4] = unsetIfNull(nested.resp_h);
      vals[5] = unsetIfNull(nested.resp_p);
    } else {
      vals[2] = unsetIfNull(scoped ? o.id_orig_h : o['id.orig_h']);
      vals[3] = unsetIfNull(scoped ? o.id_orig_p : o['id.orig_p']);
      vals[4] = unsetIfNull(scoped ? o.id_resp_h : o['id.resp_h']);
      vals[5] = unsetIfNull(scoped ? o.id_resp_p : o['id.resp_p']);
    }
    vals[6] = unsetIfNull(o.proto);
    vals[7] = unsetIfNull(o.duration);
    vals[8] = unsetIfNull(o.orig_bytes);
    vals[9] = unsetIfNull(o.resp_bytes);
    vals[10] = unsetIfNull(o.orig_pkts);
    vals[11] = unsetIfNull(o.resp_pkts);
    vals[12] = unsetIfNull(o.local_orig);
    vals[13] = unsetIfNull(o.local_resp);
    vals[14] = unsetIfNull(o.orig_ip_bytes);
    vals[15] = unsetIfNull(o.resp_ip_bytes);
    let sensor = o._system_name === undefined && o._node_name === undefined ? NO_FACTS : this.facts.of(o);
    // The writer's additional_message_values (beside the tagged record) are what the sensor says of itself too.
    if (tagged !== null) {
      const extras = factsOf(tagged.extras, Object.keys(tagged.extras));
      if (Object.keys(extras).length > 0) sensor = { ...extras, ...sensor };
    }
    return this.conn(sensor);
  }

  /** One conn record, its fields in this.vals by FIELDS index (undefined: unset or absent;
   *  local_orig / local_resp as booleans). */
  private conn(sensor: SensorFacts): DialectRecord[] {
    const vals = this.vals;
    const uid = textOf('uid', vals[1]);
    const startMs = zeekTimeToMs(vals[0]);
    const duration = vals[7];
    const endMs = duration === undefined || duration === '' ? startMs : startMs + secondsToMs('duration', duration);
    const origIp = ipOf('id.orig_h', vals[2]);
    const respIp = ipOf('id.resp_h', vals[4]);
    const proto = protocolOf('proto', vals[6]);
    // Unset counts (`-`: no payload seen, e.g. a connection attempt) are 0.
    let ob = vals[8] === undefined ? 0 : countOf('orig_bytes', vals[8]);
    let rb = vals[9] === undefined ? 0 : countOf('resp_bytes', vals[9]);
    const op = vals[10] === undefined ? 0 : countOf('orig_pkts', vals[10]);
    const rp = vals[11] === undefined ? 0 : countOf('resp_pkts', vals[11]);
    // Payload from TCP sequence numbers overshoots after packet loss or a mid-stream start: it
    // can exceed the IP bytes the sensor counted for that end (headers included), which no
    // payload it saw can. Counted; bounded to those IP bytes under input.zeek_bytes `bounded`.
    // Absent or unset IP bytes (use_conn_size_analyzer off) bound nothing.
    const oib = vals[14] === undefined ? -1 : countOf('orig_ip_bytes', vals[14]);
    const rib = vals[15] === undefined ? -1 : countOf('resp_ip_bytes', vals[15]);
    const origOver = oib !== -1 && ob > oib;
    const respOver = rib !== -1 && rb > rib;
    if (origOver || respOver) {
      this.counts.payload_above_ip++;
      if (this.bounded) {
        if (origOver) ob = oib;
        if (respOver) rb = rib;
      }
    }
    const origPort = portOf('id.orig_p', vals[3]);
    const respPort = portOf('id.resp_p', vals[5]);
    const inc = this.open.increment(uid, ob, rb, op, rp);
    if (inc === null) return skip(this.counts, 'zeek repeated report without new counts');
    const hint = hintOf(vals[12] === true, vals[13] === true, vals[12] !== undefined && vals[13] !== undefined);
    const sf = this.scratch;
    sf.flow_id = inc.report === 1 ? uid : `${uid}#${inc.report}`;
    sf.start_ms = startMs;
    sf.end_ms = endMs;
    sf.orig_ip = origIp;
    sf.orig_port = origPort;
    sf.resp_ip = respIp;
    sf.resp_port = respPort;
    sf.protocol = proto === 1 && origIp.indexOf(':') !== -1 ? 58 : proto;
    sf.orig_bytes = inc.orig_bytes;
    sf.resp_bytes = inc.resp_bytes;
    sf.orig_pkts = inc.orig_pkts;
    sf.resp_pkts = inc.resp_pkts;
    sf.orig_host = null;
    sf.resp_host = null;
    const flow = this.orienter.orient(sf, this.counts, hint);
    if (flow === null) return [];
    this.counts.flows_out++;
    return [{ flow, sensor }];
  }
}

/** JSON null (Zeek's JSON writer for an unset field) as undefined, like `-` in TSV. */
function unsetIfNull(v: unknown): unknown {
  return v === null ? undefined : v;
}

/** local_orig / local_resp, when Site::local_nets was set on the sensor. */
function hintOf(localOrig: boolean, localResp: boolean, known: boolean): DirectionHint {
  if (!known) return null;
  if (localOrig && localResp) return 'lateral';
  if (localOrig) return 'outbound';
  if (localResp) return 'inbound';
  return null;
}

export const zeek: Dialect = {
  name: 'zeek',
  describe: 'Zeek conn.log, TSV (with its # headers) or JSON; uid is the flow id',
  sniff(first) {
    if (first.startsWith('#separator') || first.startsWith('#fields')) return true;
    if (first.charCodeAt(0) !== 123) return false;
    if (first.indexOf('"uid"') !== -1 && (first.indexOf('"id.orig_h"') !== -1 || first.indexOf('"id_orig_h"') !== -1 || first.indexOf('"orig_h"') !== -1)) return true;
    // A stream of every log (json-streaming-logs, Brim/Zed ndjson) may open with a record that has
    // no connection (capture_loss, stats, loaded_scripts): its _path and ts say Zeek.
    if (first.indexOf('"_path":') !== -1 && (first.indexOf('"ts":') !== -1 || first.indexOf('"_write_ts":') !== -1)) return true;
    // A line a shipper wrapped as text under "message": a Zeek header, or JSON with its quotes escaped.
    if (first.indexOf('"message"') === -1) return false;
    return first.indexOf('#separator') !== -1 || (first.indexOf('\\"uid\\"') !== -1 && first.indexOf('\\"id.orig_h\\"') !== -1);
  },
  create: (options) => new ZeekDecoder(options),
};
