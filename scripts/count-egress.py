#!/usr/bin/env python3
"""Independent per-destination egress count over a raw sensor file, written apart from
egress-watch (no code shared), to check its input dialects against real captures:
    python3 scripts/count-egress.py zeek|vpc|goflow2|suricata|ocsf FILE CIDR[,CIDR...]
prints {"dst_ip": bytes_out, ...} as JSON. The rules are the ones docs/input-formats.md states
(inside = the CIDRs; dst = the outside end; bytes_out = what the inside sent; Zeek: per uid the
largest cumulative count; one-way records: the outbound ones; VPC REJECT and OCSF records a
control denied or refused, action_id 2 or activity_id 5 with disposition_id 2: none; OCSF null:
absent). ZEEK_BYTES=bounded in the environment: each Zeek payload count at most that end's IP
bytes, where set (input.zeek_bytes).
"""
import gzip, ipaddress, json, os, re, sys
from collections import defaultdict

dialect, path, nets = sys.argv[1], sys.argv[2], [ipaddress.ip_network(n) for n in sys.argv[3].split(',')]
def inside(ip):
    a = ipaddress.ip_address(ip.split('%')[0])
    if a.version == 6 and a.ipv4_mapped: a = a.ipv4_mapped
    return any(a.version == n.version and a in n for n in nets)
def canon(ip):  # IPv6 in RFC 5952 text (Suricata writes every group in full), IPv4-mapped as ::ffff:a.b.c.d (its section 5); IPv4, other embedded IPv4 and zones as written
    if ':' not in ip or '%' in ip: return ip
    a = ipaddress.IPv6Address(ip)
    if a.ipv4_mapped is not None: return '::ffff:' + str(a.ipv4_mapped)
    return ip if '.' in ip else str(a)
opener = gzip.open if path.endswith('.gz') else open
lines = [l.rstrip('\r\n') for l in opener(path, 'rt', encoding='utf-8-sig')]  # a leading BOM is not part of the first line
sums = defaultdict(int)

def local_only(ip):  # multicast, limited broadcast, unspecified: never egress
    a = ipaddress.ip_address(ip.split('%')[0])
    if a.version == 6 and a.ipv4_mapped: a = a.ipv4_mapped
    return a.is_multicast or a.is_unspecified or (a.version == 4 and int(a) == 0xFFFFFFFF)
def count(v):  # a count, port or number as a sensor writes it: a JSON number, or decimal digits as text (no sign, space or 0x)
    if isinstance(v, bool): raise ValueError('not a count: %r' % v)
    if isinstance(v, str):
        if not re.fullmatch(r'[0-9]+', v): raise ValueError('not a count: %r' % v)
        return int(v)
    if isinstance(v, float) and v.is_integer(): return int(v)
    if isinstance(v, int): return v
    raise ValueError('not a count: %r' % v)
ZONED = re.compile(r'\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})')
def iso_ok(v):  # RFC 3339 text with a zone, also with a space or t for the T and a lower-case z (no zone: refused)
    if not isinstance(v, str): return False
    if v[10:11] in (' ', 't'): v = v[:10] + 'T' + v[11:]
    if v.endswith('z'): v = v[:-1] + 'Z'
    m = ZONED.fullmatch(v)
    if m is None: return False
    mo, dd, hh, mi, ss = (int(v[i:i + 2]) for i in (5, 8, 11, 14, 17))
    z = m.group(2).replace(':', '')
    # as JavaScript's Date.parse: day 1-31 whatever the month, 24:00:00 the next day
    return 1 <= mo <= 12 and 1 <= dd <= 31 and (hh < 24 or (hh, mi, ss) == (24, 0, 0)) and mi < 60 and ss < 60 and (z == 'Z' or (int(z[1:3]) < 24 and int(z[3:5]) < 60))
def two_way(o, r, ob, rb, hint=None):
    if local_only(o) or local_only(r): return None
    oi, ri = inside(o), inside(r)
    if oi and not ri: return (r, ob)
    if ri and not oi: return (o, rb)
    if oi and ri: return (r, ob)
    if hint == 'out': return (r, ob)
    if hint == 'in': return (o, rb)
    return None
def one_way(s, d, b, hint=None):
    if local_only(s) or local_only(d): return None
    si, di = inside(s), inside(d)
    if si: return (d, b)
    if di: return None
    if hint == 'out': return (d, b)
    return None

if dialect == 'zeek':
    best = {}  # uid -> [orig, resp, max ob, max rb, hint]
    sep, unset, fields, path_name = '\t', '-', None, None
    for l in lines:
        if not l: continue
        if l.startswith('{'):  # a line a shipper (Filebeat, Elastic Agent) wrapped as text under message
            try: w = json.loads(l)
            except ValueError: w = None
            if isinstance(w, dict) and 'ts' not in w and 'uid' not in w and isinstance(w.get('message'), str): l = w['message']
        if l.startswith('#separator'):
            sep = l.split(' ', 1)[1].encode().decode('unicode_escape'); fields = None; path_name = None; unset='-'; continue
        if l.startswith('#'):
            k, _, v = l.partition(sep)
            if k == '#fields': fields = [f.replace('id_', 'id.', 1) if f.startswith('id_') else f for f in v.split(sep)]
            if k == '#unset_field': unset = v
            if k == '#path': path_name = v
            continue
        if l.startswith('{'):
            try: o = json.loads(l)
            except ValueError: continue
            pth = o.get('_path', 'conn')
            if 'conn' not in pth: continue
            rec = {k.replace('id_', 'id.', 1) if k.startswith('id_') else k: v for k, v in o.items()}
        else:
            if path_name is not None and 'conn' not in path_name: continue
            if fields is None or len(l.split(sep)) != len(fields): continue
            rec = {f: (None if v == unset else v) for f, v in zip(fields, l.split(sep))}
            if 'uid' not in rec: continue
        if not all(rec.get(k) is not None for k in ('ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto')): continue
        try:
            ts = rec.get('ts')  # ISO text (a '-' after the year, or a T), decimal seconds as text, or a number
            if isinstance(ts, str):
                if not (iso_ok(ts) if ts[4:5] == '-' or 'T' in ts else re.fullmatch(r'[0-9]+(\.[0-9]+)?', ts)): continue
            elif isinstance(ts, bool) or not isinstance(ts, (int, float)) or ts < 0: continue
            if not (0 <= count(rec['id.orig_p']) <= 65535 and 0 <= count(rec['id.resp_p']) <= 65535): continue
            ob = count(rec.get('orig_bytes') or 0); rb = count(rec.get('resp_bytes') or 0)
            if os.environ.get('ZEEK_BYTES') == 'bounded':
                if rec.get('orig_ip_bytes') is not None: ob = min(ob, count(rec['orig_ip_bytes']))
                if rec.get('resp_ip_bytes') is not None: rb = min(rb, count(rec['resp_ip_bytes']))
        except (TypeError, ValueError): continue
        lo, lr = rec.get('local_orig'), rec.get('local_resp')
        lo = lo in (True, 'T'); lr = lr in (True, 'T')
        hint = 'out' if lo and not lr else 'in' if lr and not lo else None
        u = rec['uid']
        if u not in best: best[u] = [rec['id.orig_h'], rec['id.resp_h'], ob, rb, hint]
        else: best[u][2] = max(best[u][2], ob); best[u][3] = max(best[u][3], rb)
    for o, r, ob, rb, hint in best.values():
        x = two_way(o, r, ob, rb, hint)
        if x: sums[canon(x[0])] += x[1]
elif dialect == 'vpc':
    ALL = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id reject-reason'.split()
    TGW = 'version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags-count region flow-direction pkt-src-aws-service pkt-dst-aws-service'.split()
    def edits1(a, b):  # one insertion, deletion or substitution apart
        if a == b or abs(len(a) - len(b)) > 1: return False
        if len(a) > len(b): a, b = b, a
        i = 0
        while i < len(a) and a[i] == b[i]: i += 1
        return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]
    header, bad = None, 0
    for n, l in enumerate(lines, 1):
        if not l.strip(): continue
        try:
            if l.startswith('{'): l = json.loads(l)['message']
            t = [c for c in l.strip().split(' ') if c]  # runs of spaces and white space at the ends read as one separator
            if not t: raise ValueError('no fields')
            # a header: field names, in the custom format's order; names of a newer format than this list count
            # when every cell is shaped as a name (lower-case words and hyphens) and the addresses are among them
            if all(c in ALL or c in TGW for c in t) or (all(re.fullmatch(r'[a-z][a-z0-9]*(-[a-z0-9]+)*', c) for c in t) and 'srcaddr' in t and 'dstaddr' in t):
                # not taken when a name is one edit from a known one (a misspelt field, whose column would go unread) or it lacks what a record needs
                near = [c for c in t if c not in ALL and c not in TGW and any(edits1(c, k) for k in ALL + TGW)]
                if near: raise ValueError('header names %s, one edit from a VPC field' % near[0])
                lacking = [f for f in ('srcaddr', 'dstaddr', 'bytes', 'packets', 'start', 'end') if f not in t]
                if lacking: raise ValueError('header has no %s' % ', '.join(lacking))
                header = t; continue
            names = header or {14: ALL[:14], 21: ALL[:21], 25: ALL[:25], 29: ALL[:29], 39: ALL[:39], 40: ALL, 36: TGW}.get(len(t))
            if names is None: raise ValueError('%d fields and no field list for them' % len(t))
            if len(t) != len(names): raise ValueError('%d fields where the field list names %d' % (len(t), len(names)))
            r = dict(zip(names, t))
            un = lambda f: r.get(f, '-') == '-'
            status = r.get('log-status') or ('NODATA' if un('srcaddr') and un('dstaddr') and un('bytes') and un('pkt-srcaddr') and un('pkt-dstaddr') else 'OK')
            if status not in ('OK', 'NODATA', 'SKIPDATA'): raise ValueError('log-status %r' % status)
            if status != 'OK' or r.get('action') == 'REJECT': continue
            s = r['pkt-srcaddr'] if not un('pkt-srcaddr') else r['srcaddr']
            d = r['pkt-dstaddr'] if not un('pkt-dstaddr') else r['dstaddr']
            ipaddress.ip_address(s); ipaddress.ip_address(d)
            tgw = 'tgw-id' in r or 'tgw-attachment-id' in r or 'resource-type' in r
            fd = '-' if tgw else r.get('flow-direction', '-')  # an interface's direction; a transit gateway's is its own
            # A middlebox's ingress (NAT gateway, transit gateway interface): the packet is addressed
            # past the interface's own address; counted where it leaves.
            if not un('pkt-dstaddr') and fd != 'egress' and not un('dstaddr') and ipaddress.ip_address(r['dstaddr']) != ipaddress.ip_address(d): continue
            b, p = count(r['bytes']), count(r['packets'])
            if any(not un(f) and not 0 <= count(r[f]) <= 65535 for f in ('srcport', 'dstport')): raise ValueError('a port out of range')
            secs = lambda v: float(v) if re.fullmatch(r'[0-9]+(\.[0-9]+)?', v) else None
            st, en = secs(r['start']), secs(r['end'])
            if st is None or en is None: raise ValueError('start or end not seconds')
            x = one_way(s, d, b, {'egress': 'out', 'ingress': 'in'}.get(fd))
            if x: sums[canon(x[0])] += x[1]
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            bad += 1
            print('vpc line %d not read: %s' % (n, e), file=sys.stderr)
    if bad: print('vpc: %d lines not read' % bad, file=sys.stderr)
elif dialect == 'goflow2':
    import base64, binascii
    def addr(v):  # an address as base64 of its 4 or 16 bytes (protobuf's JSON mapping), else as written
        if isinstance(v, str) and len(v) in (8, 24) and v.endswith('='):
            try: b = base64.b64decode(v, validate=True)
            except (binascii.Error, ValueError): return v
            if len(b) in (4, 16): return str(ipaddress.ip_address(b))
        return v
    for l in lines:
        if not l.strip(): continue
        o = json.loads(l)
        if 'src_addr' not in o and ('SrcAddr' in o or 'SamplerAddress' in o or 'TimeReceived' in o):  # goflow2 v1: CamelCase keys (empty ones left out)
            s, d, b, rate = o.get('SrcAddr', ''), o.get('DstAddr', ''), o.get('Bytes', 0), o.get('SamplingRate')
        else:
            s, d, b, rate = o['src_addr'], o['dst_addr'], o.get('bytes', 0), o.get('sampling_rate')
        if s == '' and d == '': continue  # a sampled frame that is not IP (ARP, ...)
        try: x = one_way(addr(s), addr(d), count(b) * (count(rate or 0) or 1))
        except ValueError: continue  # a count that is not one: an error either way
        if x: sums[canon(x[0])] += x[1]
elif dialect == 'suricata':
    for l in lines:
        if not l.strip(): continue
        o = json.loads(l)
        if 'event_type' not in o and isinstance(o.get('message'), str) and o['message'].startswith('{'):
            o = json.loads(o['message'])  # an eve line a shipper (Filebeat, Elastic Agent) wrapped as text
        if o.get('event_type') != 'flow': continue
        f = o['flow']
        x = two_way(o['src_ip'], o['dest_ip'], f.get('bytes_toserver', 0), f.get('bytes_toclient', 0))
        if x: sums[canon(x[0])] += x[1]
elif dialect == 'ocsf':
    def time_ok(v):  # epoch ms (a whole number >= 0, or 11-15 digits as text), or RFC 3339 text with a zone (no zone: refused)
        if isinstance(v, bool): return False
        if isinstance(v, int) or (isinstance(v, float) and v.is_integer()): return 0 <= v < 2 ** 53
        if isinstance(v, str) and re.fullmatch(r'[0-9]{11,15}', v): return True
        return iso_ok(v)
    def first(o, *names):  # the first field set (null is absent) and its value
        for n in names:
            if o.get(n) is not None: return o[n]
        return None
    for l in lines:
        if not l.strip(): continue
        o = json.loads(l)
        if o.get('class_uid') != 4001: continue
        if o.get('action_id') == 2 or (o.get('disposition_id') == 2 and o.get('activity_id') == 5): continue  # denied, or refused and blocked: nothing left
        se, de = o.get('src_endpoint'), o.get('dst_endpoint')
        s = se.get('ip') if isinstance(se, dict) else None
        d = de.get('ip') if isinstance(de, dict) else None
        if s is None or d is None: continue  # NODATA / SKIPDATA (status_code), or an error: nothing counted either way
        if not time_ok(first(o, 'end_time', 'end_time_dt', 'time', 'time_dt')): continue
        st = first(o, 'start_time', 'start_time_dt')
        if st is not None and not time_ok(st): continue
        t = o.get('traffic') or {}
        did = (o.get('connection_info') or {}).get('direction_id')
        hint = {1: 'in', 2: 'out'}.get(did)
        try:
            if t.get('bytes_out') is not None or t.get('bytes_in') is not None:
                x = two_way(s, d, count(t.get('bytes_out') or 0), count(t.get('bytes_in') or 0), hint)
            else:
                x = one_way(s, d, count(t.get('bytes') or 0), hint)
        except ValueError: continue  # a count that is not one: an error either way
        if x: sums[canon(x[0])] += x[1]
print(json.dumps(dict(sums), sort_keys=True))
