"""Small hand-worked cases of the policy contract, each a flow file + config + the records the
contract says egress-watch must write. Written from docs/design.md, docs/detection.md,
docs/incidents.md and config/example.yaml only (not src/), as bench/independent/policy.py.

    python3 bench/independent/policy_edges.py OUTDIR [CASE ...]

writes OUTDIR/<case>/{flows.jsonl,config.yaml}, runs `node bin/egress-watch.js replay` on each
and prints, per case, the expected and the actual (type, destination, principal, state,
flow_count) records of the policy and GATEWAY_SILENT types, PASS or DIFF. Background traffic
(null class, from gateways gw-a and gw-b every 20 s) moves the watermark.
"""
import json
import os
import subprocess
import sys

OUT = sys.argv[1]
ONLY = set(sys.argv[2:])
T = 1772409600000            # 2026-03-02T00:00:00Z, a Monday
S, M, H, D = 1000, 60000, 3600000, 86400000
HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.path.join(HERE, "..", "..", "bin", "egress-watch.js")

BASE_CFG = """windows: {size: %(wsize)s, allowed_lateness: 30s}
baseline: {key: %(key)s}
policy:
  internal_networks: [10.0.0.0/8, fd00::/8]
%(regions)s  data_classes:
    eu_user_data:
      allowed_countries: [EEA, GB]
      principals: [%(eu_princ)s]
      require_gateway: true
    payment_data:
      allowed_countries: [%(pay_allowed)s]
      principals: ["svc-billing-*"]
detectors:
  new_destination: {learning_period: 1h}
  volume_spike: {enabled: false}
  sustained_increase: {enabled: false}
%(detectors)s
alerts: {suppress_for: %(suppress)s}
"""


class Case:
    def __init__(self, name, why, **cfg):
        self.name, self.why, self.flows, self.expect = name, why, [], []
        self.cfg = dict(key="dst_host", regions="", eu_princ='"svc-eu-*", alice', detectors="", suppress="15m",
                        pay_allowed="EEA", wsize="1m")
        self.cfg.update(cfg)
        self.n = 0

    def flow(self, end, host, ip, country, cls, principal, gw="gw-a", fid=None, dur=2 * S, bytes_out=1000, arrive=None):
        self.n += 1
        f = dict(flow_id=fid or "%s-%d" % (self.name, self.n), gateway_id=gw, start_ms=end - dur, end_ms=end,
                 src_ip="10.1.0.%d" % (self.n % 250 + 1), dst_ip=ip, src_port=40000 + self.n % 20000, dst_port=443,
                 protocol=6, dst_host=host, dst_country=country, bytes_out=bytes_out, bytes_in=500, packets_out=2,
                 packets_in=2, data_class=cls, principal=principal)
        self.flows.append((arrive if arrive is not None else end, self.n, f))
        return f

    def background(self, lo, hi, gws=("gw-a", "gw-b"), every=20 * S, skip=None):
        for k, g in enumerate(gws):
            t = lo + k * 7 * S
            while t < hi:
                if not (skip and skip(g, t)):
                    self.flow(t, "bg-%s.example" % g, "192.0.2.%d" % (10 + k), "DE", None, None, gw=g)
                t += every

    def exp(self, typ, dest, principal, state, flow_count):
        self.expect.append((typ, dest, principal, state, flow_count))


cases = []

# C1: fold boundary. Last alert at 10:00:10 + 15m = 10:15:10; the first window boundary at or after is
# 10:16:00 (incidents.md "When an incident ends"). A repeat at 10:15:50 folds; one at 10:16:10 is after the
# incident closed in event time and opens a new incident, although the watermark (lateness 30s) has not
# reached 10:16:00 yet when it is processed.
c = Case("fold_boundary", "repeat after last+suppress_for but before the window boundary folds; after the boundary opens anew")
c.background(T, T + 11 * H)
t0 = T + 10 * H + 10 * S
c.flow(t0, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.flow(t0 + 15 * M + 40 * S, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")          # 10:15:50 folds
c.flow(t0 + 7 * M, "us2.example", "198.51.100.2", "US", "eu_user_data", "alice")
c.flow(t0 + 7 * M + 16 * M, "us2.example", "198.51.100.2", "US", "eu_user_data", "alice")          # 10:23:10: last 10:07:10 + 15m = 10:22:10 -> boundary 10:23:00: new
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "OPEN", 1)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "CLOSED", 1)
c.exp("RESIDENCY_VIOLATION", "us2.example", "alice", "OPEN", 1)
c.exp("RESIDENCY_VIOLATION", "us2.example", "alice", "OPEN", 1)
cases.append(c)

# C2: the same connection reported by a gateway and then outside any gateway (same flow_id, same
# destination, 2 s later): a duplicate, "otherwise ignored: ... raises no alert" (detection.md).
c = Case("dup_two_reporters", "a duplicate reported outside any gateway raises no GATEWAY_BYPASS")
c.background(T, T + 3 * H)
f = c.flow(T + 2 * H, "api.example.de", "198.51.100.7", "DE", "eu_user_data", "alice", fid="conn-1")
c.flow(T + 2 * H, "api.example.de", "198.51.100.7", "DE", "eu_user_data", "alice", gw=None, fid="conn-1", arrive=T + 2 * H + 2 * S)
c.exp("NEW_DESTINATION", "api.example.de", "alice", "OPEN", 1)     # learning_period 1h: the pair is new
cases.append(c)

# C3: an IPv4-mapped IPv6 destination written in upper case is keyed as ::ffff:192.0.2.1 (design.md, flow record).
c = Case("ipv4_mapped", "IPv4-mapped IPv6 keyed in RFC 5952 form")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, None, "::FFFF:C000:0201", "US", "eu_user_data", "alice")
c.exp("RESIDENCY_VIOLATION", "::ffff:192.0.2.1", "alice", "OPEN", 1)
cases.append(c)

# C4: picomatch globs: braces are picomatch syntax.
c = Case("brace_glob", "principals [\"svc-{eu,uk}-*\"]: svc-uk-batch is authorised, svc-us-batch is not",
         eu_princ='"svc-{eu,uk}-*"')
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "api.example.de", "198.51.100.7", "DE", "eu_user_data", "svc-uk-batch")
c.flow(T + 2 * H + 5 * M, "api.example.de", "198.51.100.7", "DE", "eu_user_data", "svc-us-batch")
c.exp("UNAUTHORIZED_PRINCIPAL", "api.example.de", "svc-us-batch", "OPEN", 1)
c.exp("NEW_DESTINATION", "api.example.de", "svc-uk-batch", "OPEN", 1)
cases.append(c)

# C5: overrides apply in file order, a later one wins; both keys of a match must match.
c = Case("override_order", "residency off for trusted.example, back on for its payment_data",
         detectors="""  overrides:
    - {match: {destination: "trusted.example"}, residency_violation: {enabled: false}}
    - {match: {destination: "trusted.example", data_class: payment_data}, residency_violation: {enabled: true, severity: LOW}}""")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "trusted.example", "198.51.100.9", "US", "eu_user_data", "alice")
c.flow(T + 2 * H + M, "trusted.example", "198.51.100.9", "US", "payment_data", "svc-billing-a")
c.exp("RESIDENCY_VIOLATION", "trusted.example", "svc-billing-a", "OPEN", 1)
c.exp("NEW_DESTINATION", "trusted.example", "alice", "OPEN", 1)   # breaks no rule in force: a new pair
cases.append(c)

# C6: a redefined EEA (config/example.yaml: "a file may redefine it").
c = Case("eea_redefined", "EEA redefined as [DE, FR]: NL is outside", regions="  regions: {EEA: [DE, FR]}\n")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "api.example.nl", "198.51.100.10", "NL", "eu_user_data", "alice")
c.flow(T + 2 * H + M, "api.example.fr", "198.51.100.11", "FR", "eu_user_data", "alice")
c.exp("RESIDENCY_VIOLATION", "api.example.nl", "alice", "OPEN", 1)
c.exp("NEW_DESTINATION", "api.example.fr", "alice", "OPEN", 1)
cases.append(c)

# C7: one flow breaking all three rules to a new destination: three alerts, no NEW_DESTINATION.
c = Case("three_rules", "residency, principal and bypass at once; no NEW_DESTINATION")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "new.example.us", "198.51.100.12", "US", "eu_user_data", "mallory", gw=None)
for t in ("RESIDENCY_VIOLATION", "UNAUTHORIZED_PRINCIPAL", "GATEWAY_BYPASS"):
    c.exp(t, "new.example.us", "mallory", "OPEN", 1)
cases.append(c)

# C8: suppress_for 0s: every alert on its own, no incident fields (state None).
c = Case("incidents_off", "suppress_for 0s: two alerts, no incident fields", suppress="0s")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.flow(T + 2 * H + M, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", None, 1)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", None, 1)
cases.append(c)

# C9: a host name to an internal address is not egress (the network decides, not the name).
c = Case("internal_with_host", "dst_host set, dst_ip internal: ignored")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "wiki.corp.example", "10.20.30.40", "US", "eu_user_data", "mallory", gw=None)
cases.append(c)

# C10: GATEWAY_SILENT learning period: gw-c first seen at 02:00; silent 20:00-21:00 (seen 18 h < 1d: no
# alert); silent again day 2 06:00-07:00 (seen 28 h): alert + CLOSED on return.
c = Case("silent_learning", "no GATEWAY_SILENT before the gateway has been seen for 1d; one after")
sil = [(T + 20 * H, T + 21 * H), (T + 30 * H, T + 31 * H)]
c.background(T, T + 34 * H)
c.background(T + 2 * H, T + 34 * H, gws=("gw-c",), every=15 * S, skip=lambda g, t: any(a <= t < b for a, b in sil))
c.exp("GATEWAY_SILENT", "gateway:gw-c", None, "OPEN", 0)
c.exp("GATEWAY_SILENT", "gateway:gw-c", None, "CLOSED", 0)
cases.append(c)

# C11: a silence that alerted is not learnt: 2 h on day 2 at 10:00, then 25 min on day 3 at 10:00
# (threshold still max(15m, 3 x ~15 s)): two silences, two OPEN + two CLOSED.
c = Case("silent_not_learnt", "an alerted 2 h silence does not raise the same hour's quiet period")
sil = [(T + D + 10 * H, T + D + 12 * H), (T + 2 * D + 10 * H, T + 2 * D + 10 * H + 25 * M)]
c.background(T, T + 2 * D + 13 * H, gws=("gw-a",))
c.background(T, T + 2 * D + 13 * H, gws=("gw-b",), every=15 * S, skip=lambda g, t: any(a <= t < b for a, b in sil))
for _ in range(2):
    c.exp("GATEWAY_SILENT", "gateway:gw-b", None, "OPEN", 0)
    c.exp("GATEWAY_SILENT", "gateway:gw-b", None, "CLOSED", 0)
cases.append(c)

# C12: a record whose window has closed is late, and still passes the policy detectors (detection.md
# "Late records"); the summary counts it as late.
c = Case("late_record", "a residency flow 3 min late: alerted, counted late")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "us9.example", "198.51.100.99", "US", "eu_user_data", "alice", arrive=T + 2 * H + 3 * M)
c.exp("RESIDENCY_VIOLATION", "us9.example", "alice", "OPEN", 1)
cases.append(c)

# C13: NEW_DESTINATION on an IP-only destination, then the same address with a host name: with key dst_host
# these are two baseline keys (dst_host, falling back to dst_ip), so both are new.
c = Case("nd_key_fallback", "dst_host null keys by dst_ip; the same address with a host is another key")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, None, "198.51.100.50", "DE", "eu_user_data", "alice")
c.flow(T + 2 * H + 5 * M, "api.newhost.de", "198.51.100.50", "DE", "eu_user_data", "alice")
c.exp("NEW_DESTINATION", "198.51.100.50", "alice", "OPEN", 1)
c.exp("NEW_DESTINATION", "api.newhost.de", "alice", "OPEN", 1)
cases.append(c)

# C14: residency: an unknown country (null) is outside every list but "*".
c = Case("unknown_country", "dst_country null with allowed [EEA, GB]: RESIDENCY_VIOLATION")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "where.example", "198.51.100.60", None, "eu_user_data", "alice")
c.exp("RESIDENCY_VIOLATION", "where.example", "alice", "OPEN", 1)
cases.append(c)

# C15: dedup_horizon 10m: the same flow_id 12 min later is no longer a duplicate; it repeats the violation
# inside suppress_for, so it folds: OPEN (1 flow) + CLOSED (1 flow).
c = Case("dup_after_horizon", "a copy 12 min later (beyond dedup_horizon 10m) counts again and folds")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice", fid="again-1")
c.flow(T + 2 * H, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice", fid="again-1", arrive=T + 2 * H + 12 * M)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "OPEN", 1)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "CLOSED", 1)
cases.append(c)

# C16: learning_period 1h counted from the first event time: a new pair at 00:59 is learnt, one at 01:01 is new.
c = Case("nd_learning_edge", "a pair first seen at T+59m is learnt; one at T+61m is NEW_DESTINATION")
c.background(T, T + 3 * H)
c.flow(T + 59 * M, "early.example.de", "198.51.100.70", "DE", "eu_user_data", "alice")
c.flow(T + 61 * M, "late.example.de", "198.51.100.71", "DE", "eu_user_data", "alice")
c.flow(T + 2 * H, "early.example.de", "198.51.100.70", "DE", "eu_user_data", "alice")
c.exp("NEW_DESTINATION", "late.example.de", "alice", "OPEN", 1)
cases.append(c)

# C17: every gateway quiet for 1 h (collector outage), gw-b back 10 min after gw-a: silence counts from the
# stream's return (detection.md), 10 min < 15m: no GATEWAY_SILENT.
c = Case("stream_gap", "stream-wide 1 h gap, gw-b back 10 min after gw-a: nothing")
gap = (T + D + 10 * H, T + D + 11 * H)
c.background(T, T + D + 14 * H, skip=lambda g, t: gap[0] <= t < gap[1] + (10 * M if g == "gw-b" else 0))
cases.append(c)

# C18: a gateway busy 06:00-23:58 every day: its nightly gap starting at 23:58 is learnt in hour 23 too.
c = Case("quiet_night_2358", "nightly gap from 23:58 learnt in hour 23: no alert on later nights")
c.background(T, T + 3 * D + 8 * H, gws=("gw-a",))
c.background(T, T + 3 * D + 8 * H, gws=("gw-n",), every=15 * S,
             skip=lambda g, t: not (6 * H <= (t - T) % D < 23 * H + 58 * M))
cases.append(c)

# C19: a policy incident still open when the input ends is closed by the final flush (incidents.md).
c = Case("flush_closes", "two folded violations at the very end: OPEN + CLOSED at the flush")
c.background(T, T + 2 * H)
c.flow(T + 2 * H + 10 * S, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.flow(T + 2 * H + 40 * S, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "OPEN", 1)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "CLOSED", 1)
cases.append(c)

# C20 (probe): a gateway silent for the last hour of the input: OPEN; is its incident closed by the final
# flush (incidents.md: every incident still open) or left open (it "closes when the gateway sends again")?
# The silence is still going on where the input ends: incidents.md says its incident stays OPEN (its
# CLOSED record is the gateway's next record), unlike the volume and policy incidents the flush closes.
c = Case("silent_at_end", "a silence still open at the end of input stays OPEN")
c.background(T, T + D + 12 * H, gws=("gw-a",))
c.background(T, T + D + 11 * H, gws=("gw-b",))
c.exp("GATEWAY_SILENT", "gateway:gw-b", None, "OPEN", 0)
cases.append(c)

# C21: baseline.key dst_prefix: the destination is the /24 (IPv4) or /64 (IPv6) network, written as
# suppressions name one (detection.md: "a /24 or /64 as the engine writes it", e.g. 203.0.113.0/24).
c = Case("dst_prefix_key", "residency alerts keyed 198.51.100.0/24 and 2001:db8:1:2::/64", key="dst_prefix")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "a.example.us", "198.51.100.7", "US", "eu_user_data", "alice")
c.flow(T + 2 * H + M, None, "2001:DB8:1:2:0:0:0:5", "US", "eu_user_data", "svc-eu-x")
c.exp("RESIDENCY_VIOLATION", "198.51.100.0/24", "alice", "OPEN", 1)
c.exp("RESIDENCY_VIOLATION", "2001:db8:1:2::/64", "svc-eu-x", "OPEN", 1)
cases.append(c)

# C22 (probe): a region named inside another region ("named groups usable wherever a country is").
c = Case("region_in_region", "PROBE: regions {EU_PLUS: [EEA, GB]} used in payment_data's allowed_countries",
         regions="  regions: {EU_PLUS: [EEA, GB]}\n", pay_allowed="EU_PLUS")
c.background(T, T + 3 * H)
c.flow(T + 10 * M, "pay.example.de", "198.51.100.3", "DE", "payment_data", "svc-billing-a")
c.flow(T + 20 * M, "pay.example.gb", "198.51.100.4", "GB", "payment_data", "svc-billing-a")
c.flow(T + 2 * H, "us1.example", "198.51.100.1", "US", "payment_data", "svc-billing-a")
c.exp("RESIDENCY_VIOLATION", "us1.example", "svc-billing-a", "OPEN", 1)
cases.append(c)

# C23: GATEWAY_SILENT follows baseline.timezone's hours: gw-q is quiet 09:20-10:00 UTC every day, i.e.
# 10:20-11:00 in Berlin until the switch to summer time on Sunday 2026-03-29, 11:20-12:00 after it.
# Learnt for local hour 10 on 03-26..28 (40 min -> threshold 2 h: no alert); from 03-29 the gap falls in
# local hour 11, whose quiet period is ~15 s: 40 min > 15m, an alert each day (an alerted silence is not
# learnt): 29, 30, 31 -> 3 OPEN + 3 CLOSED.
TB = 1774483200000   # 2026-03-26T00:00:00Z
c = Case("silent_dst_berlin", "Europe/Berlin: the same UTC gap moves to another local hour on 03-29")
c.cfg["key"] = "dst_host, timezone: Europe/Berlin"
c.background(TB, TB + 5 * D + 12 * H, gws=("gw-a",))
c.background(TB, TB + 5 * D + 12 * H, gws=("gw-q",), every=15 * S,
             skip=lambda g, t: 9 * H + 20 * M <= (t - TB) % D < 10 * H)
for _ in range(3):
    c.exp("GATEWAY_SILENT", "gateway:gw-q", None, "OPEN", 0)
    c.exp("GATEWAY_SILENT", "gateway:gw-q", None, "CLOSED", 0)
cases.append(c)

# C24 (probe): baseline.idle_ttl 2h drops an idle destination's state; does the (destination, class) pair
# it had received before come back as NEW_DESTINATION when the destination returns after 3 h?
c = Case("nd_after_idle_ttl", "PROBE: pair learnt, destination idle 3 h > idle_ttl 2h, returns: NEW_DESTINATION?")
c.cfg["key"] = "dst_host, idle_ttl: 2h"
c.background(T, T + 6 * H)
c.flow(T + 10 * M, "api.idle.de", "198.51.100.80", "DE", "eu_user_data", "alice")
c.flow(T + 4 * H + 10 * M, "api.idle.de", "198.51.100.80", "DE", "eu_user_data", "alice")
cases.append(c)

# C25: two of three gateways silent together while the third reports: each is its own silence.
c = Case("two_silent", "gw-b and gw-c silent 1 h together, gw-a reports: 2 OPEN + 2 CLOSED")
sil = (T + D + 10 * H, T + D + 11 * H)
c.background(T, T + D + 13 * H, gws=("gw-a", "gw-b", "gw-c"), skip=lambda g, t: g != "gw-a" and sil[0] <= t < sil[1])
for g in ("gw-b", "gw-c"):
    c.exp("GATEWAY_SILENT", "gateway:" + g, None, "OPEN", 0)
    c.exp("GATEWAY_SILENT", "gateway:" + g, None, "CLOSED", 0)
cases.append(c)

# C26 (probe): Kerberos-style principals hold '/': with picomatch, "*" does not cross "/", so the glob
# "*@CORP.EXAMPLE" does not cover "svc/batch@CORP.EXAMPLE". The contract says so for destinations only.
c = Case("principal_slash", "PROBE: principals [\"*@CORP.EXAMPLE\"]: alice@CORP.EXAMPLE covered, svc/batch@CORP.EXAMPLE?",
         eu_princ='"*@CORP.EXAMPLE"')
c.background(T, T + 3 * H)
c.flow(T + 10 * M, "api.example.de", "198.51.100.7", "DE", "eu_user_data", "alice@CORP.EXAMPLE")
c.flow(T + 20 * M, "api.example.de", "198.51.100.7", "DE", "eu_user_data", "svc/batch@CORP.EXAMPLE")
cases.append(c)

# C27 (probe): a gateway writing dst_country in lower case ("de"): rejected, or compared as written?
c = Case("country_lowercase", "PROBE: dst_country \"de\" for eu_user_data (allowed EEA)")
c.background(T, T + 3 * H)
c.flow(T + 10 * M, "api.example.de", "198.51.100.7", "de", "eu_user_data", "alice")
cases.append(c)

# C28 (probe): the stream's first record is a stale one, 2 days old (a gateway flushing a buffer at start).
# The learning period counts "from the first event time the engine saw": is it over before the traffic
# starts (every pair of the first hour NEW_DESTINATION), as read literally?
c = Case("stale_first_record", "PROBE: first record 2 days old; pairs seen in the first hour of real traffic: NEW_DESTINATION?")
c.flow(T - 2 * D, "old.example", "192.0.2.99", "DE", None, None, arrive=T - 10 * S)
c.background(T, T + 3 * H)
c.flow(T + 10 * M, "api.example.de", "198.51.100.7", "DE", "eu_user_data", "alice")
cases.append(c)

# C29: a violating flow that arrives 40 min late, its event time inside an incident already closed: it still
# passes the policy detectors (detection.md "Late records") and is counted in exactly one record
# (incidents.md "Nothing is dropped"): a new incident of 1 flow.
c = Case("late_after_close", "a late repeat inside a closed incident's span: a new OPEN of 1 flow")
c.background(T, T + 3 * H)
c.flow(T + H, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.flow(T + H + 5 * M, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.flow(T + H + 3 * M, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice", arrive=T + H + 40 * M)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "OPEN", 1)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "CLOSED", 1)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "OPEN", 1)
cases.append(c)

# C30: a stale record (end_ms 2 days back) arriving 20 min into the stream. The learning period counts
# "from the first event time the engine saw" (detection.md): the first was T, so a pair first seen at
# T+30m is still learning: no NEW_DESTINATION. The stale record itself is late (counted) and harmless.
c = Case("stale_mid_record", "a 2-day-old record arriving at T+20m must not end the learning period")
c.background(T, T + 3 * H)
c.flow(T - 2 * D, "old.example", "192.0.2.99", "DE", None, None, arrive=T + 20 * M)
c.flow(T + 30 * M, "api.example.de", "198.51.100.7", "DE", "eu_user_data", "alice")
cases.append(c)

# C31: windows.size 5m: the quiet period ends at the first 5-minute boundary at or after last + 15m.
# Last alert 01:01:10 -> 01:16:10 -> boundary 01:20:00: a repeat at 01:19:30 folds; on us2 the last alert
# 01:00:10 -> 01:15:10 -> boundary 01:20:00 too, a repeat at 01:20:20 opens anew.
c = Case("fold_boundary_5m", "5-minute windows: repeat at 01:19:30 folds, one at 01:20:20 opens anew", wsize="5m")
c.background(T, T + 3 * H)
c.flow(T + H + M + 10 * S, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.flow(T + H + 19 * M + 30 * S, "us1.example", "198.51.100.1", "US", "eu_user_data", "alice")
c.flow(T + H + 10 * S, "us2.example", "198.51.100.2", "US", "eu_user_data", "alice")
c.flow(T + H + 20 * M + 20 * S, "us2.example", "198.51.100.2", "US", "eu_user_data", "alice")
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "OPEN", 1)
c.exp("RESIDENCY_VIOLATION", "us1.example", "alice", "CLOSED", 1)
c.exp("RESIDENCY_VIOLATION", "us2.example", "alice", "OPEN", 1)
c.exp("RESIDENCY_VIOLATION", "us2.example", "alice", "OPEN", 1)
cases.append(c)

# C32: overrides by destination glob under baseline.key dst_ip (severity) and by data_class (enabled: false).
c = Case("override_ip_glob", "dst_ip key: NEW_DESTINATION LOW on 198.51.100.*; principal rule off for payment_data",
         key="dst_ip", detectors="""  overrides:
    - {match: {destination: "198.51.100.*"}, new_destination: {severity: LOW}}
    - {match: {data_class: payment_data}, unauthorized_principal: {enabled: false}}""")
c.background(T, T + 3 * H)
c.flow(T + 2 * H, "a.example.de", "198.51.100.7", "DE", "eu_user_data", "alice")
c.flow(T + 2 * H + M, "b.example.de", "203.0.113.7", "DE", "eu_user_data", "alice")
c.flow(T + 2 * H + 2 * M, "c.example.de", "203.0.113.8", "DE", "payment_data", "mallory")
c.exp("NEW_DESTINATION", "198.51.100.7", "alice", "OPEN", 1)
c.exp("NEW_DESTINATION", "203.0.113.7", "alice", "OPEN", 1)
c.exp("NEW_DESTINATION", "203.0.113.8", "mallory", "OPEN", 1)   # breaks no rule in force
c.sev = {("NEW_DESTINATION", "198.51.100.7"): "LOW", ("NEW_DESTINATION", "203.0.113.7"): "MEDIUM"}
cases.append(c)

# C33: a gateway_silent override by "gateway:<glob>": min_silence 1h for gw-lab-*; both gw-lab-1 and gw-b
# are silent 40 min on day 2: only gw-b alerts.
c = Case("silent_override", "override gateway:gw-lab-* min_silence 1h: a 40 min silence alerts for gw-b only",
         detectors="""  overrides:
    - {match: {destination: "gateway:gw-lab-*"}, gateway_silent: {min_silence: 1h}}""")
sil = (T + D + 10 * H, T + D + 10 * H + 40 * M)
c.background(T, T + D + 13 * H, gws=("gw-a", "gw-b", "gw-lab-1"), skip=lambda g, t: g != "gw-a" and sil[0] <= t < sil[1])
c.exp("GATEWAY_SILENT", "gateway:gw-b", None, "OPEN", 0)
c.exp("GATEWAY_SILENT", "gateway:gw-b", None, "CLOSED", 0)
cases.append(c)

# C34: baseline.key dst_prefix: a new address in a /24 that received the class in learning is not new.
c = Case("nd_prefix", "dst_prefix: 198.51.100.9 after 198.51.100.7 learnt: no NEW_DESTINATION; 203.0.113.9 new", key="dst_prefix")
c.background(T, T + 3 * H)
c.flow(T + 10 * M, "a.example.de", "198.51.100.7", "DE", "eu_user_data", "alice")
c.flow(T + 2 * H, "b.example.de", "198.51.100.9", "DE", "eu_user_data", "alice")
c.flow(T + 2 * H + M, "c.example.de", "203.0.113.9", "DE", "eu_user_data", "alice")
c.exp("NEW_DESTINATION", "203.0.113.0/24", "alice", "OPEN", 1)
cases.append(c)

# C35: a stale record (end_ms 2 days back) from a busy gateway on day 2: the gateway has not stopped
# sending; no GATEWAY_SILENT (its last record is its latest, not the stale one).
c = Case("silent_stale_record", "a 2-day-old record from busy gw-b on day 2 raises no GATEWAY_SILENT")
c.background(T, T + D + 13 * H)
c.flow(T - D, "old.example", "192.0.2.99", "DE", None, None, gw="gw-b", arrive=T + D + 10 * H)
cases.append(c)

results = []
for c in cases:
    if ONLY and c.name not in ONLY:
        continue
    d = os.path.join(OUT, c.name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "flows.jsonl"), "w") as fh:
        for _, _, f in sorted(c.flows, key=lambda x: (x[0], x[1])):
            fh.write(json.dumps(f, separators=(",", ":")) + "\n")
    with open(os.path.join(d, "config.yaml"), "w") as fh:
        fh.write(BASE_CFG % c.cfg)
    p = subprocess.run(["node", CLI, "replay", "--config", os.path.join(d, "config.yaml"), "--input",
                        os.path.join(d, "flows.jsonl"), "--output", os.path.join(d, "alerts.jsonl"), "--no-progress"],
                       capture_output=True, text=True)
    with open(os.path.join(d, "replay.txt"), "w") as fh:
        fh.write(p.stdout + p.stderr)
    got = []
    if p.returncode == 0:
        for line in open(os.path.join(d, "alerts.jsonl")):
            a = json.loads(line)
            if a["type"] in ("VOLUME_SPIKE", "SUSTAINED_INCREASE"):
                continue
            got.append((a["type"], a["destination"], a["principal"], a.get("incident_state"), a["flow_count"]))
            want_sev = getattr(c, "sev", {}).get((a["type"], a["destination"]))
            if want_sev and a["severity"] != want_sev:
                got.append(("severity %s, expected %s" % (a["severity"], want_sev), a["destination"], None, None, 0))
    key = lambda x: tuple("" if v is None else str(v) for v in x)
    ok = p.returncode == 0 and sorted(got, key=key) == sorted(c.expect, key=key)
    extra = ""
    if c.name == "late_record":
        late = [l for l in (p.stdout + p.stderr).splitlines() if "event time:" in l]
        extra = " | summary: " + (late[0].strip() if late else "?")
        ok = ok and " late 1," in (late[0] if late else "")
    results.append((c.name, ok))
    print("%s %-20s %s%s" % ("PASS" if ok else "PROBE" if "PROBE" in c.why else "DIFF", c.name, c.why, extra))
    if not ok:
        print("     expected %s" % sorted(c.expect, key=key))
        print("     actual   %s%s" % (sorted(got, key=key), "" if p.returncode == 0 else " (exit %d: %s)" % (p.returncode, p.stderr.strip()[:300])))
print("%d of %d cases as the contract says" % (sum(ok for _, ok in results), len(results)))
