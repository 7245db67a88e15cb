"""Independent traffic for egress-watch's POLICY detectors, written from the contract only.

RESIDENCY_VIOLATION, UNAUTHORIZED_PRINCIPAL, GATEWAY_BYPASS, NEW_DESTINATION and
GATEWAY_SILENT, checked against traffic egress-watch did not generate. Written from
docs/design.md (the contract), docs/detection.md, docs/incidents.md, docs/scorecard.md,
config/example.yaml and the shared DESIGN.md only: src/generate/ and
bench/independent/traffic.py were not read. Python 3 + numpy.

    python3 bench/independent/policy.py SEED OUTDIR

writes
  OUTDIR/flows_sSEED.jsonl   flow records (contract field names), in arrival order
  OUTDIR/truth_sSEED.jsonl   ground truth, contract format, one incident a line
  OUTDIR/config_sSEED.yaml   the config a user would write for this estate
  OUTDIR/meta_sSEED.json     for bench/independent/policy_check.py: each truth incident's
                             flows and expected records, the legitimate edge cases (must not
                             alert) and the ambiguous probes (the contract does not settle them)

The truth is not a list of intentions: an oracle applies the contract's rules to every
record written (dedup by flow_id per destination, internal networks, region expansion,
picomatch-style globs, the learning period from the first event time, folding by
alerts.suppress_for per type/destination/class/principal) and the injections are checked
to be what it finds. Readings the contract does not settle are kept out of the truth and
listed as probes.
"""
import ipaddress
import json
import os
import re
import sys

import numpy as np

SEED = int(sys.argv[1])
OUT = sys.argv[2]
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(7919 * SEED + 17)

MIN = 60_000
HOUR = 60 * MIN
DAY = 24 * HOUR

# ---------------------------------------------------------------- the estate, per seed
EEA = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
       "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"]
APAC = ["JP", "SG", "AU", "NZ", "KR"]
SETUP = {
    1: dict(start="2026-03-02T00:00:00Z", days=4, key="dst_host", suppress=15 * MIN, learn=DAY,
            learn_s="1d", write_eea=False, sil_min=15 * MIN, sil_factor=3, gw_learn=DAY),
    2: dict(start="2026-03-09T06:30:00Z", days=5, key="dst_host", suppress=20 * MIN, learn=36 * HOUR,
            learn_s="36h", write_eea=True, sil_min=20 * MIN, sil_factor=4, gw_learn=DAY),
    3: dict(start="2026-03-16T00:00:00Z", days=3, key="dst_ip", suppress=10 * MIN, learn=12 * HOUR,
            learn_s="12h", write_eea=False, sil_min=15 * MIN, sil_factor=3, gw_learn=DAY),
}
S = SETUP[((SEED - 1) % 3) + 1]
import datetime as _dt
T0 = int(_dt.datetime.fromisoformat(S["start"].replace("Z", "+00:00")).timestamp() * 1000)
T_END = T0 + S["days"] * DAY
LEARN_END = T0 + S["learn"]

REGIONS = {"EEA": EEA, "APAC": APAC, "DACH": ["DE", "AT", "CH"]}
# data class -> (allowed_countries as written, principals globs or None (key absent), require_gateway or None (key absent))
POLICY = {
    "eu_user_data": (["EEA", "GB", "CH"], ["svc-eu-*", "alice", "bob"], True),
    "payment_data": (["EEA"], ["svc-billing-*", "carol"], True),
    "health_records": (["DE", "AT"], ["svc-health-?", "dr-*"], None),   # require_gateway left out: default true
    "apac_customer": (["APAC"], ["svc-apac-*"], False),
    "source_code": (["*"], ["dev-*", "ci-*"], False),
    "legal_hold": (["EEA"], [], True),                                  # [] = nobody may send it
    "telemetry": (["*"], None, False),
}
INTERNAL = ["10.0.0.0/8", "192.168.0.0/16", "fd00::/8"]
SEV_DEFAULT = {"RESIDENCY_VIOLATION": "CRITICAL", "UNAUTHORIZED_PRINCIPAL": "CRITICAL",
               "GATEWAY_BYPASS": "HIGH", "NEW_DESTINATION": "MEDIUM", "GATEWAY_SILENT": "HIGH"}
DET_KEY = {"RESIDENCY_VIOLATION": "residency_violation", "UNAUTHORIZED_PRINCIPAL": "unauthorized_principal",
           "GATEWAY_BYPASS": "gateway_bypass", "NEW_DESTINATION": "new_destination",
           "GATEWAY_SILENT": "gateway_silent"}
# overrides (in file order, later wins): (match destination glob or None, match class or None, type, settings)
if S["key"] == "dst_ip":
    OVERRIDES = [("198.51.100.*", None, "NEW_DESTINATION", {"severity": "LOW"})]
else:
    OVERRIDES = [("*.partner.example", None, "NEW_DESTINATION", {"enabled": False})]
SEV_CFG = dict(SEV_DEFAULT)
if SEED % 3 == 2:
    SEV_CFG["GATEWAY_BYPASS"] = "CRITICAL"
    OVERRIDES.append((None, "payment_data", "RESIDENCY_VIOLATION", {"severity": "HIGH"}))
OVERRIDES.append((None, "health_records", "GATEWAY_BYPASS", {"severity": "CRITICAL"}))


def glob_re(g):
    """picomatch-like: * any run of characters but '/', ? one character but '/'."""
    out = ""
    for ch in g:
        out += "[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch)
    return re.compile("^" + out + "$")


def expand(allowed):
    res = set()
    for a in allowed:
        res.update(REGIONS.get(a, [a]))
    return res


POL = {c: (None if "*" in a else expand(a), None if p is None else [glob_re(g) for g in p],
           True if rg is None else rg) for c, (a, p, rg) in POLICY.items()}
INTERNAL_NETS = [ipaddress.ip_network(n) for n in INTERNAL]


def is_internal(ip):
    a = ipaddress.ip_address(ip)
    return any(a.version == n.version and a in n for n in INTERNAL_NETS)


def canon_ip(ip):
    return str(ipaddress.ip_address(ip))


def dest_key(f):
    if S["key"] == "dst_host" and f["dst_host"] is not None:
        return f["dst_host"]
    return canon_ip(f["dst_ip"])


def enabled_and_sev(typ, key, cls):
    en, sev = True, SEV_CFG[typ]
    for dglob, mcls, t, st in OVERRIDES:
        if t != typ:
            continue
        if dglob is not None and not glob_re(dglob.lower()).match(key.lower()):
            continue
        if mcls is not None and mcls != cls:
            continue
        en = st.get("enabled", en)
        sev = st.get("severity", sev)
    return en, sev


# ---------------------------------------------------------------- destinations
COUNTRIES = (["DE"] * 8 + ["FR"] * 5 + ["NL"] * 5 + ["IE"] * 4 + ["SE", "PL", "ES", "IT", "AT", "BE", "FI",
             "DK", "IS", "LI", "NO"] * 1 + ["GB"] * 4 + ["CH"] * 3 + ["US"] * 12 + ["IN"] * 3 + ["SG", "JP", "AU",
             "KR", "NZ"] * 2 + ["BR", "CA", "ZA", "CN", "RU", "IL"] + [None] * 3)
ND_DEST = int(rng.integers(200, 320))
dests = []


def rand_v4(pfx=None):
    pfxs = ["198.51.100", "203.0.113", "192.0.2", "185.12.%d" % rng.integers(0, 255),
            "34.%d.%d" % (rng.integers(0, 255), rng.integers(0, 255)),
            "52.%d.%d" % (rng.integers(0, 255), rng.integers(0, 255))]
    p = pfx or pfxs[int(rng.integers(0, len(pfxs)))]
    return "%s.%d" % (p, rng.integers(1, 254))


def rand_v6():
    return "2001:db8:%x:%x::%x" % (rng.integers(1, 0xffff), rng.integers(0, 0xff), rng.integers(1, 0xfff))


used_ips = set()


def new_ip(v6=False, pfx=None):
    while True:
        ip = rand_v6() if v6 else rand_v4(pfx)
        if ip not in used_ips and not is_internal(ip):
            used_ips.add(ip)
            return ip


KINDS = ["api.vendor", "cdn", "bucket", "sftp.partner", "crm.saas", "mail.relay", "ingest.metrics",
         "updates.software", "git.code", "pay.gateway", "health.lab"]


def make_dest(i, country, classes, host=True, v6=False, name=None, rate=None, n_ips=None):
    kind = KINDS[i % len(KINDS)]
    if name is None and host:
        name = "%s-%d.%s" % (kind, i, "partner.example" if kind == "sftp.partner" else
                             ("example.%s" % (country or "net").lower()))
    n_ips = n_ips or (1 if rng.random() < 0.7 else int(rng.integers(2, 4)))
    ips = [new_ip(v6) for _ in range(n_ips)]
    d = dict(i=i, host=name if host else None, ips=ips, country=country, classes=classes,
             rate=rate if rate is not None else float(np.exp(rng.normal(np.log(8), 1.1))),  # flows/hour
             v6=v6, sites=None)
    dests.append(d)
    return d


def classes_for(country):
    cls = [None]
    if country in expand(["EEA", "GB", "CH"]) and rng.random() < 0.45:
        cls.append("eu_user_data")
    if country in EEA and rng.random() < 0.25:
        cls.append("payment_data")
    if country in ("DE", "AT") and rng.random() < 0.3:
        cls.append("health_records")
    if country in APAC and rng.random() < 0.6:
        cls.append("apac_customer")
    if rng.random() < 0.35:
        cls.append("telemetry")
    if country == "US" and rng.random() < 0.3:
        cls.append("source_code")
    if rng.random() < 0.08:
        cls.append("marketing")          # a label the policy does not declare: unrestricted
    return cls


for i in range(ND_DEST):
    c = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]
    make_dest(i, c, classes_for(c), host=rng.random() > 0.2, v6=rng.random() < 0.2)

# destinations the injections need, each guaranteed
nid = ND_DEST


def need(country, classes, **kw):
    global nid
    nid += 1
    return make_dest(nid, country, classes, **kw)


D_US = [need("US", [None, "telemetry"]) for _ in range(4)]
D_IN = need("IN", [None, "telemetry"])
D_UNK = need(None, [None, "telemetry"], host=True)
D_UNK_IP = need(None, [None], host=False)
D_CH = need("CH", [None, "eu_user_data"])
D_FR = need("FR", [None, "eu_user_data", "payment_data"])
D_DE = [need("DE", [None, "eu_user_data", "payment_data", "health_records"], rate=40.0) for _ in range(4)]
D_DE_V6 = need("DE", [None, "eu_user_data"], host=False, v6=True, rate=20.0)
D_IS = need("IS", [None, "eu_user_data"])
D_LI = need("LI", [None, "eu_user_data"], host=False)
D_GB = need("GB", [None, "eu_user_data"])
D_SG = need("SG", [None, "apac_customer"])
D_JP = need("JP", [None, "apac_customer"])
D_GIT = need("US", [None, "source_code"], name="git.code-hub.example.us")
D_TEL_DE = need("DE", [None, "telemetry"])           # gets telemetry only: eu_user_data there is new
D_PARTNER = need("NL", [None], name="ingest.eu.partner.example")   # ND disabled by override (host keys)
D_V6MIX = need("NL", [None, "eu_user_data"], host=False, v6=True)  # written in other IPv6 spellings later
D_CASE = need("DE", [None, "eu_user_data"], name="api.casecheck.example.de")
# brand-new destinations: no flow before the injection
NEW = [need(c, [], rate=0.0, name="app-%d.newvendor-%d.example" % (k, SEED)) for k, c in enumerate(["DE", "FR", "NL", "IE", "AT", "DE", "SE", "DE"])]
NEW_V6 = need("DE", [], host=False, v6=True, rate=0.0)
NEW_NULL = [need(c, [], rate=0.0, name=("web-%d.unclassified.example" % k) if k != 1 else None, host=(k != 1)) for k, c in enumerate(["US", "DE", None])]

# ---------------------------------------------------------------- sites, gateways, principals
GWS = ["gw-fra-1", "gw-ams-1", "gw-dub-1"]
SITES = {"fra": ("gw-fra-1", "10.1"), "ams": ("gw-ams-1", "10.2"), "dub": ("gw-dub-1", "10.3"),
         "lab": ("gw-lab", "10.9")}
FAILOVER = {"gw-ams-1": "gw-fra-1", "gw-dub-1": "gw-ams-1", "gw-fra-1": "gw-dub-1"}
PRINC = {
    "eu_user_data": ["svc-eu-export", "svc-eu-sync", "svc-eu-crm-2", "alice", "bob"],
    "payment_data": ["svc-billing-api", "svc-billing-batch", "carol"],
    "health_records": ["svc-health-1", "svc-health-7", "dr-meyer", "dr-okafor"],
    "apac_customer": ["svc-apac-sg", "svc-apac-jp"],
    "telemetry": ["svc-metrics", "node-exporter", None, "alice"],
    "source_code": ["dev-ann", "dev-raj", "ci-runner-3"],
    "marketing": ["mkt-tool", None],
    None: [None, None, "alice", "bob", "web-proxy", "svc-eu-export"],
}


def diurnal(t_ms):
    h = ((t_ms // HOUR) % 24) + 0.5
    return 0.3 + 1.4 * (0.5 - 0.5 * np.cos((h - 2.0) / 24 * 2 * np.pi))


flows = []          # dicts with extra private keys: _tag, _lag
fid = [0]


def mk_flow(end, d, cls, principal, gw, ip=None, host="__d", country="__d", tag=None, lag=None, bytes_out=None,
            dur=None, site_src=None):
    fid[0] += 1
    ip = ip or d["ips"][int(rng.integers(0, len(d["ips"])))]
    dur = dur if dur is not None else int(min(600_000, np.exp(rng.normal(np.log(4000), 1.3))))
    bo = bytes_out if bytes_out is not None else int(np.exp(rng.normal(np.log(40_000), 1.4))) + 60
    bi = int(np.exp(rng.normal(np.log(6_000), 1.0))) + 40
    src = site_src or "10.%d.%d.%d" % (int(rng.integers(1, 4)), rng.integers(0, 255), rng.integers(1, 254))
    f = {
        "flow_id": "s%d-%07d-%04x" % (SEED, fid[0], int(rng.integers(0, 65536))),
        "gateway_id": gw,
        "start_ms": int(end - dur), "end_ms": int(end),
        "src_ip": src, "dst_ip": ip,
        "src_port": int(rng.integers(32768, 61000)),
        "dst_port": int(rng.choice([443, 443, 443, 8443, 22, 993])),
        "protocol": 17 if rng.random() < 0.05 else 6,
        "dst_host": d["host"] if host == "__d" else host,
        "dst_country": d["country"] if country == "__d" else country,
        "bytes_out": bo, "bytes_in": bi,
        "packets_out": max(1, bo // 1200), "packets_in": max(1, bi // 1200),
        "data_class": cls, "principal": principal,
        "_tag": tag, "_lag": lag,
    }
    flows.append(f)
    return f


# base traffic
SITE_OF_GW = {v[0]: k for k, v in SITES.items()}
for d in dests:
    if d["rate"] <= 0:
        continue
    base_classes = d["classes"]
    hours = np.arange(T0, T_END, HOUR)
    for h0 in hours:
        lam = d["rate"] * diurnal(h0)
        n = rng.poisson(lam)
        for t in np.sort(rng.integers(h0, h0 + HOUR, n)):
            cls = base_classes[int(rng.integers(0, len(base_classes)))]
            pr = PRINC[cls][int(rng.integers(0, len(PRINC[cls])))]
            site = ["fra", "ams", "dub"][int(rng.integers(0, 3))]
            gw = SITES[site][0]
            if cls in ("telemetry", "apac_customer", "source_code") and rng.random() < 0.15:
                hod = (t // HOUR) % 24
                wd = ((t // DAY) + 3) % 7   # 0 = Monday (1970-01-01 was a Thursday)
                if cls != "telemetry" or (8 <= hod < 18 and wd < 5):
                    gw = None               # legit direct traffic: these classes need no gateway
            mk_flow(t, d, cls, pr, gw)
    # every (key, class) pair the base traffic uses is seen early in the learning period
    for ip in d["ips"]:
        for cls in base_classes:
            t = int(rng.integers(T0 + 2 * MIN, T0 + min(S["learn"] // 3, 3 * HOUR)))
            mk_flow(t, d, cls, PRINC[cls][0] if cls != "telemetry" else "svc-metrics", "gw-fra-1", ip=ip)

# the lab gateway: busy 06:00-20:00 every day, silent every night (legit, must not alert)
lab_dests = [d for d in dests if d["country"] == "US" and "source_code" in d["classes"]] or [D_GIT]
for day in range(S["days"] + 1):
    a, b = T0 - (T0 % DAY) + day * DAY + 6 * HOUR, T0 - (T0 % DAY) + day * DAY + 20 * HOUR
    a, b = max(a, T0 + 20 * MIN), min(b, T_END)
    if b <= a:
        continue
    n = rng.poisson((b - a) / MIN * 1.5)
    for t in np.sort(rng.integers(a, b, n)):
        d = lab_dests[int(rng.integers(0, len(lab_dests)))]
        cls = "source_code" if rng.random() < 0.7 else None
        mk_flow(t, d, cls, PRINC[cls][int(rng.integers(0, len(PRINC[cls])))], "gw-lab",
                site_src="10.9.0.%d" % rng.integers(1, 254))
# first record of the stream: at T0 exactly (the learning period counts from it)
mk_flow(T0, D_US[0], None, None, "gw-fra-1", dur=1000)

# ---------------------------------------------------------------- injections
legit = []      # {id, what, check: {types, destination, from_ms, to_ms}}
probes = []     # ambiguous readings: {id, what, destination, types, from_ms, to_ms, reading}
span_lo, span_hi = LEARN_END + 90 * MIN, T_END - 90 * MIN
taken = []      # busy intervals, to keep injections apart


def slot(length=40 * MIN, lo=None, hi=None):
    lo, hi = lo or span_lo, hi or span_hi
    for _ in range(1000):
        t = int(rng.integers(lo, hi - length))
        t -= t % 1000
        if all(t + length + 5 * MIN < a or t > b + 5 * MIN for a, b in taken):
            taken.append((t, t + length))
            return t
    raise SystemExit("no slot")


inj_count = [0]


def inject(what, d, cls, principals, gw="gw-fra-1", n=1, spread=0, t=None, **kw):
    """n flows from t over `spread` ms; principals a value or a list cycled."""
    inj_count[0] += 1
    tag = "i%02d" % inj_count[0]
    t = t if t is not None else slot(spread + 20 * MIN)
    times = [t] if n == 1 else sorted(int(x) for x in np.linspace(t, t + spread, n))
    out = []
    for k, tt in enumerate(times):
        pr = principals[k % len(principals)] if isinstance(principals, list) else principals
        out.append(mk_flow(tt, d, cls, pr, gw, tag=tag, **kw))
    return tag, out, t


INJ = {}
# RESIDENCY_VIOLATION
INJ["rv_single_us"] = inject("eu_user_data to US by an authorised principal", D_US[0], "eu_user_data", "svc-eu-export")
INJ["rv_multi_in"] = inject("6 flows of eu_user_data to IN over 8 min", D_IN, "eu_user_data", "svc-eu-sync", n=6, spread=8 * MIN)
t_rep = slot(3 * HOUR)
for k in range(3):   # repeated by the same principal, gaps of 50 min: three incidents
    INJ["rv_repeat_%d" % k] = inject("repeat %d of eu_user_data to US" % k, D_US[1], "eu_user_data", "alice",
                                     t=t_rep + k * 50 * MIN)
INJ["rv_unknown_country"] = inject("eu_user_data to a destination of unknown country", D_UNK, "eu_user_data", "bob")
INJ["rv_unknown_ip"] = inject("eu_user_data to an IP-only destination of unknown country", D_UNK_IP, "eu_user_data", "svc-eu-export")
INJ["rv_payment_ch"] = inject("payment_data to CH (allowed for eu_user_data only)", D_CH, "payment_data", "svc-billing-api")
INJ["rv_health_fr"] = inject("health_records to FR (allowed DE, AT)", D_FR, "health_records", "dr-meyer", n=3, spread=4 * MIN)
INJ["rv_apac_us"] = inject("apac_customer to US, no gateway (none required)", D_US[2], "apac_customer", "svc-apac-sg", gw=None)
INJ["rv_late"] = inject("eu_user_data to US, delivered 3 min late", D_US[3], "eu_user_data", "svc-eu-crm-2", lag=180_000)
INJ["rv_up_both"] = inject("mallory sends eu_user_data to US: residency and principal", D_US[0], "eu_user_data", "mallory")
t2 = slot(20 * MIN)
INJ["rv_two_principals_a"] = inject("two principals at one US destination (a)", D_US[2], "payment_data", "svc-billing-batch", n=2, spread=5 * MIN, t=t2)
INJ["rv_two_principals_b"] = inject("two principals at one US destination (b)", D_US[2], "payment_data", "carol", n=2, spread=5 * MIN, t=t2 + 60_000)
# UNAUTHORIZED_PRINCIPAL
INJ["up_single"] = inject("mallory sends eu_user_data to DE", D_DE[0], "eu_user_data", "mallory")
INJ["up_multi"] = inject("dave sends payment_data 5 times in 5 min", D_DE[1], "payment_data", "dave", n=5, spread=5 * MIN)
INJ["up_carol_eu"] = inject("carol (payment principal) sends eu_user_data", D_DE[2], "eu_user_data", "carol")
INJ["up_null_principal"] = inject("eu_user_data with no principal (unauthenticated)", D_DE[3], "eu_user_data", None)
INJ["up_legal_hold"] = inject("legal_hold (principals []) sent by alice", D_FR, "legal_hold", "alice")
INJ["up_source_code"] = inject("source_code by intern-bob to the git host, no gateway", D_GIT, "source_code", "intern-bob", gw=None, n=2, spread=3 * MIN)
INJ["up_glob_nearmiss"] = inject("svc-eu (no -suffix) does not match svc-eu-*", D_DE[0], "eu_user_data", "svc-eu")
INJ["up_glob_q"] = inject("svc-health-12 does not match svc-health-?", D_DE[1], "health_records", "svc-health-12")
# GATEWAY_BYPASS
INJ["gb_single"] = inject("eu_user_data to DE outside any gateway", D_DE[2], "eu_user_data", "svc-eu-export", gw=None)
INJ["gb_multi"] = inject("10 flows of eu_user_data to an IPv6 destination, no gateway, 10 min", D_DE_V6, "eu_user_data", "svc-eu-sync", gw=None, n=10, spread=10 * MIN)
INJ["gb_default_true"] = inject("health_records (require_gateway left out) without gateway", D_DE[3], "health_records", "svc-health-7", gw=None)
INJ["gb_payment"] = inject("payment_data without gateway, 2 flows", D_FR, "payment_data", "carol", gw=None, n=2, spread=2 * MIN)
# NEW_DESTINATION
INJ["nd_existing"] = inject("eu_user_data first sent to a telemetry-only DE destination", D_TEL_DE, "eu_user_data", "svc-eu-export")
INJ["nd_brand_new"] = inject("payment_data to a brand-new FR destination", NEW[1], "payment_data", "svc-billing-api")
INJ["nd_multi"] = inject("eu_user_data to a brand-new DE destination, 4 flows in 3 min", NEW[0], "eu_user_data", "svc-eu-export", n=4, spread=3 * MIN)
INJ["nd_v6"] = inject("eu_user_data to a brand-new IPv6 destination", NEW_V6, "eu_user_data", "svc-eu-sync")
INJ["nd_health"] = inject("health_records to a brand-new AT destination", NEW[4], "health_records", "svc-health-1")
INJ["nd_second_class"] = inject("payment_data first sent to an eu_user_data destination", D_IS, "payment_data", "carol")

# legitimate edge cases (must not alert; the checker looks for any policy alert on the destination in the window)
def legit_case(what, tag_flows, types, dest=None, lo=None, hi=None):
    _, fl, _ = tag_flows
    legit.append(dict(id="L%02d" % (len(legit) + 1), what=what, types=types,
                      destination=dest or dest_key(fl[0]),
                      from_ms=lo if lo is not None else min(f["start_ms"] for f in fl) - 1,
                      to_ms=hi if hi is not None else max(f["end_ms"] for f in fl) + 1,
                      flow_ids=[f["flow_id"] for f in fl]))


ALLP = ["RESIDENCY_VIOLATION", "UNAUTHORIZED_PRINCIPAL", "GATEWAY_BYPASS", "NEW_DESTINATION"]
legit_case("svc-eu-crm-2 (glob svc-eu-*) sends eu_user_data to IS (EEA member) via gateway",
           inject("", D_IS, "eu_user_data", "svc-eu-crm-2", n=3, spread=4 * MIN), ALLP)
legit_case("eu_user_data to LI (EEA, IP-only) via the built-in/written EEA region",
           inject("", D_LI, "eu_user_data", "bob"), ALLP)
legit_case("eu_user_data to GB and CH (plain countries in the list)",
           inject("", D_GB, "eu_user_data", "alice"), ALLP)
legit_case("health_records by svc-health-7 (glob svc-health-?) to DE",
           inject("", D_DE[0], "health_records", "svc-health-7"), ALLP)
legit_case("apac_customer to SG outside any gateway (require_gateway false)",
           inject("", D_SG, "apac_customer", "svc-apac-sg", gw=None, n=2, spread=2 * MIN), ALLP)
legit_case("telemetry to an unknown country, no principal, no gateway (allowed '*')",
           inject("", D_UNK, "telemetry", None, gw=None), ALLP)
legit_case("source_code by ci-runner-3 (glob ci-*) to the US git host, no gateway",
           inject("", D_GIT, "source_code", "ci-runner-3", gw=None), ALLP)
for ip in ("10.44.3.9", "fd00:12::7"):
    fake = dict(host=None, ips=[ip], country=None)
    legit_case("eu_user_data by mallory outside any gateway to internal %s (not egress)" % ip,
               inject("", fake, "eu_user_data", "mallory", gw=None), ALLP, dest=canon_ip(ip))
legit_case("eu_user_data again to a DE destination that received it in learning",
           inject("", D_DE[1], "eu_user_data", "svc-eu-sync", n=3, spread=30 * MIN), ["NEW_DESTINATION"])
for k, d in enumerate(NEW_NULL):
    legit_case("unclassified traffic (data_class null) to a brand-new destination (%s)" % (d["country"] or "unknown country"),
               inject("", d, None, [None, "web-proxy"][k % 2], n=3, spread=5 * MIN), ALLP)
if S["key"] == "dst_host":
    legit_case("eu_user_data to a brand-new *.partner.example host: NEW_DESTINATION disabled there by override",
               inject("", D_PARTNER, "eu_user_data", "svc-eu-export"), ALLP)
# IPv6 in other spellings: keyed in RFC 5952 form, so the pair is not new
ip6 = D_V6MIX["ips"][0]
exp = ipaddress.ip_address(ip6).exploded.upper()
legit_case("eu_user_data to an IPv6 destination seen in learning, written %s" % exp,
           inject("", D_V6MIX, "eu_user_data", "svc-eu-export", ip=exp), ALLP)
# the first violating flow to a new destination raises that alert only, not NEW_DESTINATION too
tag_nv, fl_nv, t_nv = inject("mallory's eu_user_data is the first flow to a brand-new DE destination", NEW[2], "eu_user_data", "mallory")
INJ["up_first_to_new"] = (tag_nv, fl_nv, t_nv)
legit_case("no NEW_DESTINATION for the first flow to a new destination when it broke policy", (tag_nv, fl_nv, t_nv),
           ["NEW_DESTINATION"])
# duplicates of violating flows (same flow_id, same destination, right after): counted once
dup_of = [INJ["rv_multi_in"][1][2], INJ["gb_multi"][1][4], INJ["up_single"][1][0]]

# ambiguous probes
def probe(what, tf, types, reading):
    _, fl, _ = tf
    probes.append(dict(id="A%02d" % (len(probes) + 1), what=what, types=types, destination=dest_key(fl[0]),
                       from_ms=min(f["start_ms"] for f in fl) - 1, to_ms=max(f["end_ms"] for f in fl) + 1,
                       reading=reading, flow_ids=[f["flow_id"] for f in fl]))


probe("svc-eu-export sends eu_user_data 40 min after mallory's violating first flow to a new destination",
      inject("", NEW[2], "eu_user_data", "svc-eu-export", t=t_nv + 40 * MIN), ["NEW_DESTINATION"],
      "does a violating flow make the (destination, class) pair seen?")
probe("'marketing' (not declared under policy.data_classes) to a brand-new destination",
      inject("", NEW[3], "marketing", "mkt-tool"), ["NEW_DESTINATION"],
      "does NEW_DESTINATION cover labels with no policy entry?")
probe("telemetry (declared, unrestricted) to a brand-new destination",
      inject("", NEW[5], "telemetry", "svc-metrics"), ["NEW_DESTINATION"],
      "does NEW_DESTINATION cover a class allowed everywhere for anyone?")
probe("principal ALICE (upper case; the glob list has alice) sends eu_user_data to DE",
      inject("", D_DE[2], "eu_user_data", "ALICE"), ["UNAUTHORIZED_PRINCIPAL"],
      "are principal globs case-sensitive (picomatch's default)?")
if S["key"] == "dst_host":
    probe("eu_user_data to API.CASECHECK.EXAMPLE.DE (host seen in lower case in learning)",
          inject("", D_CASE, "eu_user_data", "svc-eu-export", host=D_CASE["host"].upper()), ["NEW_DESTINATION"],
          "is the dst_host key case-insensitive (DNS names are)?")
probe("eu_user_data with principal '' (empty string) to DE",
      inject("", D_DE[3], "eu_user_data", ""), ["UNAUTHORIZED_PRINCIPAL"],
      "is an empty principal a principal nobody authorised, or no principal?")

# ---------------------------------------------------------------- gateway events
# one (seed 2: two) silence of 2 h of a busy gateway, its sites failing over; a short gap
# of 8 min (below min_silence); a collector outage where every gateway stops for 40 min
silences = []
sil_gws = ["gw-ams-1"] + (["gw-dub-1"] if SEED % 3 == 2 else [])
lo_sil = T0 + S["gw_learn"] + 3 * HOUR
for g in sil_gws:
    t = slot(2 * HOUR + 30 * MIN, lo=max(lo_sil, span_lo - 60 * MIN))
    silences.append((g, t, t + 2 * HOUR))
t_short = slot(40 * MIN, lo=T0 + S["gw_learn"] + 2 * HOUR)
t_out = slot(90 * MIN, lo=T0 + S["gw_learn"] + 2 * HOUR)
for f in flows:
    g = f["gateway_id"]
    for sg, a, b in silences:
        if g == sg and a <= f["end_ms"] < b:
            f["gateway_id"] = g = FAILOVER[sg]
    if g == "gw-dub-1" and t_short <= f["end_ms"] < t_short + 8 * MIN:
        f["gateway_id"] = "gw-fra-1"
flows = [f for f in flows if not (t_out <= f["end_ms"] < t_out + 40 * MIN)]
legit.append(dict(id="L%02d" % (len(legit) + 1), what="gw-dub-1 sends nothing for 8 min (below min_silence)",
                  types=["GATEWAY_SILENT"], destination="gateway:gw-dub-1", from_ms=t_short, to_ms=t_short + 20 * MIN + S["sil_min"]))
legit.append(dict(id="L%02d" % (len(legit) + 1), what="collector outage: every gateway silent for 40 min",
                  types=["GATEWAY_SILENT"], destination="gateway:*", from_ms=t_out, to_ms=t_out + 60 * MIN))
legit.append(dict(id="L%02d" % (len(legit) + 1), what="gw-lab is silent every night 20:00-06:00",
                  types=["GATEWAY_SILENT"], destination="gateway:gw-lab", from_ms=T0, to_ms=T_END + DAY))
legit.append(dict(id="L%02d" % (len(legit) + 1), what="direct telemetry (no gateway) stops every evening and weekend",
                  types=["GATEWAY_SILENT"], destination="gateway:null|gateway:|gateway:undefined", from_ms=T0, to_ms=T_END + DAY))

# ---------------------------------------------------------------- arrival order, duplicates
GW_LAG = {"gw-fra-1": 0, "gw-ams-1": 3000, "gw-dub-1": 8000, "gw-lab": 1000, None: 2000}
for f in flows:
    lag = f["_lag"] if f["_lag"] is not None else GW_LAG[f["gateway_id"]] + int(rng.integers(0, 15000))
    f["_arr"] = f["end_ms"] + lag
dups = []
for f in flows:
    if rng.random() < 0.003 or f in dup_of:
        c = dict(f)
        c["_arr"] = f["_arr"] + int(rng.integers(1, 4000))
        c["_dup"] = True
        dups.append(c)
flows += dups
flows.sort(key=lambda f: (f["_arr"], f["flow_id"]))
# the stream's first record is the T0 one
first = min(range(len(flows)), key=lambda k: (flows[k]["end_ms"], k))
flows.insert(0, flows.pop(first))
FIRST_T = flows[0]["end_ms"]
assert FIRST_T == T0

# a few IPv6 destinations written in other spellings throughout (upper case / expanded)
for f in flows:
    if f["dst_host"] is None and ":" in f["dst_ip"] and not f.get("_dup") and rng.random() < 0.1:
        f["dst_ip"] = ipaddress.ip_address(f["dst_ip"]).exploded if rng.random() < 0.5 else f["dst_ip"].upper()

# ---------------------------------------------------------------- the oracle: the contract's rules over every record
probe_ids = {i for p in probes for i in p["flow_ids"]}
legit_ids = {i for c in legit for i in c.get("flow_ids", [])}
seen_any, seen_clean = set(), set()
ids_seen = {}
violations = []     # (type, key, cls, principal, flow)
nd_ambiguous = []
n_internal = 0
for f in flows:
    if is_internal(f["dst_ip"]):
        n_internal += 1
        continue
    key = dest_key(f)
    if (key, f["flow_id"]) in ids_seen:
        continue
    ids_seen[(key, f["flow_id"])] = f["end_ms"]
    cls = f["data_class"]
    broke = []
    if cls in POL:
        allowed, princ, reqgw = POL[cls]
        if allowed is not None and (f["dst_country"] is None or f["dst_country"] not in allowed):
            broke.append("RESIDENCY_VIOLATION")
        if princ is not None and f["principal"] != "" and not (f["principal"] is not None and any(g.match(f["principal"]) for g in princ)):
            broke.append("UNAUTHORIZED_PRINCIPAL")
        if reqgw and f["gateway_id"] is None:
            broke.append("GATEWAY_BYPASS")
    if f["flow_id"] in probe_ids:
        broke_probe = broke
        broke = []
    for t in broke:
        violations.append((t, key, cls, f["principal"], f))
    if cls is not None and f["flow_id"] not in probe_ids:
        pair = (key, cls)
        after = f["end_ms"] >= FIRST_T + S["learn"]
        if after and not broke and cls in POL and cls != "telemetry":
            new_any, new_clean = pair not in seen_any, pair not in seen_clean
            if new_any and new_clean:
                violations.append(("NEW_DESTINATION", key, cls, f["principal"], f))
            elif new_any != new_clean:
                nd_ambiguous.append(f["flow_id"])
        seen_any.add(pair)
        if not broke:
            seen_clean.add(pair)

# fold into incidents: per (type, key, class, principal), a repeat within suppress_for folds
violations.sort(key=lambda v: (v[4]["end_ms"], v[4]["flow_id"]))
open_inc, incidents, disabled = {}, [], []
for typ, key, cls, pr, f in violations:
    en, sev = enabled_and_sev(typ, key, cls)
    if not en:
        disabled.append((typ, key, f["flow_id"]))
        continue
    k = (typ, key, cls, pr)
    inc = open_inc.get(k)
    if inc is not None and f["end_ms"] - inc["last"] <= S["suppress"]:
        inc["flows"].append(f)
        inc["last"] = f["end_ms"]
        continue
    if inc is not None:
        gap = f["end_ms"] - inc["last"]
        assert gap >= 2 * S["suppress"], "repeat %s after %d ms: between fold and split" % (k, gap)
    inc = dict(type=typ, destination=key, data_class=cls, principal=pr, flows=[f], last=f["end_ms"], severity=sev)
    open_inc[k] = inc
    incidents.append(inc)

truth, meta_inc = [], []
for n, inc in enumerate(incidents):
    fl = inc["flows"]
    tags = sorted({f["_tag"] for f in fl if f["_tag"]})
    iid = "p%d-%03d" % (SEED, n + 1)
    tr = dict(incident_id=iid, type=inc["type"], destination=inc["destination"], data_class=inc["data_class"],
              principal=inc["principal"], start_ms=min(f["start_ms"] for f in fl), end_ms=max(f["end_ms"] for f in fl))
    truth.append(tr)
    meta_inc.append(dict(tr, severity=inc["severity"], flow_ids=[f["flow_id"] for f in fl],
                         first_end_ms=min(f["end_ms"] for f in fl), bytes=sum(f["bytes_out"] for f in fl),
                         n_flows=len(fl), injected=tags,
                         what=[k for k, v in INJ.items() if v[0] in tags]))
    if not tags:
        print("warning: background incident %s %s %s %s" % (iid, inc["type"], inc["destination"], inc["data_class"]), file=sys.stderr)

bad = [m["incident_id"] for m in meta_inc for c in legit if m["type"] in c["types"] and set(c.get("flow_ids", [])) & set(m["flow_ids"])]
if bad:
    raise SystemExit("oracle: legitimate edge-case flows in truth incidents %s: fix the generator" % [(m["type"], m["destination"], m["what"], m["principal"]) for m in meta_inc if m["incident_id"] in bad])
for g, a, b in silences:
    before = [f["end_ms"] for f in flows if f["gateway_id"] == g and f["end_ms"] < a]
    after = [f["end_ms"] for f in flows if f["gateway_id"] == g and f["end_ms"] >= b]
    iid = "p%d-%03d" % (SEED, len(truth) + 1)
    tr = dict(incident_id=iid, type="GATEWAY_SILENT", destination="gateway:" + g, data_class=None, principal=None,
              start_ms=max(before), end_ms=min(after))
    truth.append(tr)
    meta_inc.append(dict(tr, severity=SEV_CFG["GATEWAY_SILENT"], flow_ids=[], first_end_ms=max(before), bytes=0,
                         n_flows=0, injected=["silence"], what=["silence of %s for 2h" % g]))

# ---------------------------------------------------------------- write
with open(os.path.join(OUT, "flows_s%d.jsonl" % SEED), "w") as fh:
    for f in flows:
        fh.write(json.dumps({k: v for k, v in f.items() if not k.startswith("_")}, separators=(",", ":")) + "\n")
with open(os.path.join(OUT, "truth_s%d.jsonl" % SEED), "w") as fh:
    for tr in truth:
        fh.write(json.dumps(tr) + "\n")


def yl(xs):
    return "[" + ", ".join('"%s"' % x for x in xs) + "]"


cfg = ["# egress-watch config for the independent policy estate, seed %d (bench/independent/policy.py)" % SEED,
       "windows:", "  size: 1m", "  allowed_lateness: 30s",
       "baseline:", "  key: %s" % S["key"], "policy:", "  regions:"]
for r, cs in REGIONS.items():
    if r == "EEA" and not S["write_eea"]:
        continue
    cfg.append("    %s: [%s]" % (r, ", ".join(cs)))
cfg.append("  internal_networks: [%s]" % ", ".join(INTERNAL))
cfg.append("  data_classes:")
for c, (a, p, rg) in POLICY.items():
    cfg.append("    %s:" % c)
    cfg.append("      allowed_countries: %s" % yl(a))
    if p is not None:
        cfg.append("      principals: %s" % yl(p))
    if rg is not None:
        cfg.append("      require_gateway: %s" % ("true" if rg else "false"))
cfg += ["detectors:",
        "  residency_violation: {enabled: true, severity: %s}" % SEV_CFG["RESIDENCY_VIOLATION"],
        "  unauthorized_principal: {enabled: true, severity: %s}" % SEV_CFG["UNAUTHORIZED_PRINCIPAL"],
        "  gateway_bypass: {enabled: true, severity: %s}" % SEV_CFG["GATEWAY_BYPASS"],
        "  new_destination: {enabled: true, severity: %s, learning_period: %s}" % (SEV_CFG["NEW_DESTINATION"], S["learn_s"]),
        "  gateway_silent: {enabled: true, severity: %s, min_silence: %dm, factor: %d, learning_period: 1d}" % (
            SEV_CFG["GATEWAY_SILENT"], S["sil_min"] // MIN, S["sil_factor"]),
        "  overrides:"]
for dg, mc, t, st in OVERRIDES:
    m = ", ".join(x for x in ['destination: "%s"' % dg if dg else "", "data_class: %s" % mc if mc else ""] if x)
    s = ", ".join("%s: %s" % (k, str(v).lower() if isinstance(v, bool) else v) for k, v in st.items())
    cfg.append("    - {match: {%s}, %s: {%s}}" % (m, DET_KEY[t], s))
cfg += ["alerts:", "  suppress_for: %dm" % (S["suppress"] // MIN)]
with open(os.path.join(OUT, "config_s%d.yaml" % SEED), "w") as fh:
    fh.write("\n".join(cfg) + "\n")

meta = dict(seed=SEED, setup={k: v for k, v in S.items()}, t0=T0, t_end=T_END, first_t=FIRST_T,
            learn_end=FIRST_T + S["learn"], incidents=meta_inc, legit=legit, probes=probes,
            nd_ambiguous_flow_ids=nd_ambiguous, duplicates=[c["flow_id"] for c in dups],
            dup_of_violating=[f["flow_id"] for f in dup_of], silences=silences, short_gap=t_short,
            outage=[t_out, t_out + 40 * MIN], records=len(flows), internal=n_internal,
            severity=SEV_CFG, overrides=OVERRIDES)
with open(os.path.join(OUT, "meta_s%d.json" % SEED), "w") as fh:
    json.dump(meta, fh, indent=1)
print("seed %d: %d records (%d duplicates, %d internal), %d truth incidents (%s), %d legit cases, %d probes, %d ND-ambiguous flows"
      % (SEED, len(flows), len(dups), n_internal, len(truth),
         ", ".join("%s %d" % (t, sum(1 for x in truth if x["type"] == t)) for t in ALLP + ["GATEWAY_SILENT"]),
         len(legit), len(probes), len(nd_ambiguous)))
