#!/usr/bin/env python3
"""Independent egress traffic generator for testing egress-watch volume detectors: written from
the issue and the documented formats only, without reading src/generate, so that its traffic
shares none of the project generator's assumptions (heavy-tailed Pareto flow sizes, clumpy
sessions, pollers, hourly jobs, destinations in other time zones, day-to-day level changes).
Usage: python3 traffic.py SEED OUTDIR   (INDEP_DAYS=28 INDEP_LEARN_DAYS=21 for four weeks, injections in the last)
Writes OUTDIR/flows_sSEED.jsonl (with injections), OUTDIR/null_sSEED.jsonl (same traffic, no
injections), OUTDIR/truth_sSEED.jsonl, OUTDIR/dests_sSEED.tsv (destination parameters),
OUTDIR/inject_sSEED.tsv (injection details)."""
import sys, json, math, os
import numpy as np

SEED = int(sys.argv[1]); OUT = sys.argv[2]
T0 = 1767312000000            # 2026-01-02T00:00Z (Friday)
DAYS = int(os.environ.get("INDEP_DAYS", "11"))          # traffic from T0 on
LEARN_DAYS = int(os.environ.get("INDEP_LEARN_DAYS", "7"))  # no injection before
NMIN = DAYS * 1440
LEARN_END = T0 + LEARN_DAYS * 86400000  # by default 2026-01-09T00:00Z
T_END = T0 + DAYS * 86400000
MS_MIN = 60000
master = np.random.default_rng(SEED)

GATEWAYS = ["gw-fra-1", "gw-ams-1", "gw-dub-1"]
COUNTRIES = ["DE", "FR", "NL", "IE", "US", "GB", "CH", "SE", "JP", "SG", "CA", "AU"]

def smoothstep(x):
    return 1.0 / (1.0 + np.exp(-x))

def profile(kind, h, floor):
    """h: local hour (float array). Returns value in [floor,1], peak 1."""
    if kind == "flat":
        return np.ones_like(h)
    if kind == "business":      # 08:30-18:00 plateau
        b = smoothstep((h - 8.5) * 2.0) * smoothstep((18.0 - h) * 2.0)
    elif kind == "evening":     # peak ~20:30
        d = np.minimum(np.abs(h - 20.5), 24 - np.abs(h - 20.5))
        b = np.exp(-0.5 * (d / 2.2) ** 2)
    elif kind == "cosine":      # peak 14:00
        b = (1 + np.cos(2 * np.pi * (h - 14.0) / 24.0)) / 2
    elif kind == "morning":     # sharp peak 07:30-10:00
        d = np.minimum(np.abs(h - 8.75), 24 - np.abs(h - 8.75))
        b = np.exp(-0.5 * (d / 1.3) ** 2)
    return floor + (1 - floor) * b

# ---------------------------------------------------------------- destinations
dests = []
def add(**kw):
    kw["idx"] = len(dests)
    dests.append(kw)

n_poisson, n_session, n_poller, n_batch = 62, 20, 16, 10
kinds_prof = ["business", "evening", "flat", "cosine", "morning"]
for i in range(n_poisson + n_session):
    sess = i >= n_poisson
    prof = kinds_prof[master.integers(len(kinds_prof))]
    # peak flows per hour: log-uniform from 1/h to 3600/h (1/s); sessions: sessions/hour
    if sess:
        peak = float(np.exp(master.uniform(np.log(1), np.log(40))))
    else:
        peak = float(np.exp(master.uniform(np.log(1), np.log(1200))))
    size_kind = "pareto" if master.random() < 0.25 else "lognorm"
    d = dict(kind="session" if sess else "poisson", prof=prof,
             floor=float(master.choice([0.02, 0.04, 0.06, 0.1, 0.2, 0.35])),
             tz=int(master.integers(-8, 10)), wkend=float(master.uniform(0.1, 1.0)),
             peak=peak, size_kind=size_kind,
             mu=float(master.uniform(np.log(2e3), np.log(3e5))),
             sigma=float(master.uniform(0.3, 2.0)),
             alpha=float(master.uniform(1.2, 2.0)),
             dayvar=0.2)
    if sess:
        d["sess_mean"] = float(master.uniform(3, 25))       # flows per session
        d["gap_mean"] = float(master.choice([0.05, 0.2, 1.0, 5.0]))  # s between flows
    add(**d)
# the hot destination: ~4 flows/s at peak (business), sessions of 20 flows/s
add(kind="poisson", prof="business", floor=0.05, tz=1, wkend=0.3, peak=4000.0,
    size_kind="lognorm", mu=float(np.log(8e3)), sigma=1.0, alpha=1.5, dayvar=0.2)
add(kind="session", prof="cosine", floor=0.1, tz=-5, wkend=0.5, peak=40.0,
    size_kind="lognorm", mu=float(np.log(2e4)), sigma=0.8, alpha=1.5, dayvar=0.2,
    sess_mean=40.0, gap_mean=0.05)
for i in range(n_poller):
    add(kind="poller", period=int(master.choice([60, 300])), jit=float(master.uniform(0.5, 4)),
        size=float(np.exp(master.uniform(np.log(500), np.log(2e5)))),
        size_cv=float(master.uniform(0.005, 0.05)), tz=0, prof="flat", wkend=1.0, floor=1.0,
        dayvar=0.0, size_kind="const", peak=0.0)
for i in range(n_batch):
    add(kind="batch", minute=int(master.integers(0, 60)), nflows=float(master.uniform(20, 120)),
        spread=float(master.uniform(1, 6)), hours=str(master.choice(["all", "business", "night"])),
        tz=int(master.integers(-8, 10)), mu=float(master.uniform(np.log(1e5), np.log(5e6))),
        sigma=float(master.uniform(0.3, 1.2)), wkend=float(master.uniform(0.1, 1.0)),
        dayvar=0.2, prof="flat", floor=1.0, size_kind="lognorm", peak=0.0)

for d in dests:
    i = d["idx"]
    d["host"] = f"{d['kind'][:4]}{i:03d}.{['corp','cloud','partner','media','files'][i % 5]}.example.org"
    d["ip"] = f"{[198, 203, 192][i % 3]}.{[51, 0, 0][i % 3]}.{[100, 113, 2][i % 3]}.{(i * 7) % 250 + 2}"
    if i % 3 == 0:
        d["ip"] = f"198.51.100.{(i * 7) % 250 + 2}"
    d["country"] = COUNTRIES[i % len(COUNTRIES)]
    d["gw"] = GATEWAYS[i % 3]
    d["port"] = [443, 443, 443, 22, 8443, 993][i % 6]

if os.environ.get("TZ0"):       # experiment: every destination on UTC (same draws otherwise)
    for d in dests:
        d["tz"] = 0
# minute grid
mins = np.arange(NMIN)
t_min_ms = T0 + mins * MS_MIN

def local_info(d):
    loc = mins + d["tz"] * 60                  # local minutes since T0 (T0 is local midnight shifted)
    h = (loc % 1440 + 0.5) / 60.0
    lday = np.floor_divide(loc, 1440)          # local day index (can be -1)
    dow = (4 + lday) % 7                       # 2026-01-02 is Friday (Mon=0)
    wk = dow >= 5
    return h, lday, wk

def day_factors(d, rng):
    return np.exp(rng.normal(0, d["dayvar"], DAYS + 2) - d["dayvar"] ** 2 / 2)

def rate_per_min(d, rng):
    """flows (or sessions) per minute for poisson/session destinations"""
    h, lday, wk = local_info(d)
    p = profile(d["prof"], h, d["floor"])
    w = np.where(wk, d["wkend"], 1.0)
    f = day_factors(d, rng)[lday + 1]
    return d["peak"] / 60.0 * p * w * f

def draw_sizes(d, rng, n):
    if d["size_kind"] == "pareto":
        xm = math.exp(d["mu"]) / 3
        return xm * (1 + rng.pareto(d["alpha"], n))
    if d["size_kind"] == "const":
        return d["size"] * (1 + rng.normal(0, d["size_cv"], n))
    return np.exp(rng.normal(d["mu"], d["sigma"], n))

def mean_size(d):
    if d["size_kind"] == "pareto":
        return math.exp(d["mu"]) / 3 * d["alpha"] / (d["alpha"] - 1)
    if d["size_kind"] == "const":
        return d["size"]
    return math.exp(d["mu"] + d["sigma"] ** 2 / 2)

def flows_from_rate(d, rng, lam):
    """lam: expected flows (poisson) or sessions (session) per minute, array NMIN. Returns end times ms."""
    cnt = rng.poisson(np.maximum(lam, 0))
    idx = np.repeat(mins, cnt)
    t = T0 + idx * MS_MIN + rng.uniform(0, MS_MIN, idx.size)
    if d["kind"] == "session":
        k = rng.geometric(1.0 / d["sess_mean"], t.size)
        st = np.repeat(t, k)
        # offsets within session: cumulative exponential gaps
        gaps = rng.exponential(d["gap_mean"] * 1000, st.size)
        first = np.concatenate([[0], np.cumsum(k)[:-1]])
        cs = np.cumsum(gaps)
        base = np.repeat(cs[first] - gaps[first], k)
        t = st + (cs - base)
    return t

def gen_base(d):
    rng = np.random.default_rng([SEED, d["idx"], 1])
    if d["kind"] in ("poisson", "session"):
        d["lam"] = rate_per_min(d, rng)
        t = flows_from_rate(d, rng, d["lam"])
    elif d["kind"] == "poller":
        phase = rng.uniform(0, d["period"])
        n = int(DAYS * 86400 / d["period"])
        t = T0 + (phase + np.arange(n) * d["period"] + rng.normal(0, d["jit"], n)) * 1000
        keep = rng.random(n) > 0.002     # rare missed polls
        t = t[keep]
    else:  # batch
        h, lday, wk = local_info(d)
        f = day_factors(d, rng)[lday + 1]
        hr = np.floor(h)
        run = (mins + d["tz"] * 60) % 60 == d["minute"]
        if d["hours"] == "business":
            run &= (hr >= 8) & (hr < 19) & ~wk
        elif d["hours"] == "night":
            run &= (hr >= 0) & (hr < 6)
        w = np.where(wk, d["wkend"], 1.0)
        starts = mins[run]
        n = rng.poisson(d["nflows"] * f[starts] * w[starts])
        st = np.repeat(T0 + starts * MS_MIN, n)
        t = st + rng.uniform(0, d["spread"] * MS_MIN, st.size)
    t = np.sort(t[(t >= T0) & (t < T_END)])
    sizes = draw_sizes(d, rng, t.size)
    return t.astype(np.int64), np.maximum(sizes, 40).astype(np.int64)

print(f"seed {SEED}: generating base traffic", file=sys.stderr)
base = [gen_base(d) for d in dests]
# stats per destination: mean flows per hour on weekdays in learning
for d, (t, s) in zip(dests, base):
    d["count"] = int(t.size)
    d["fph"] = t.size / (DAYS * 24)

# ---------------------------------------------------------------- injections
irng = np.random.default_rng([SEED, 999])
used = set()
truth = []
extra = {}          # idx -> list of (times, sizes)
scale = {}          # idx -> function(times)->factor on bytes
inj_info = []

def pick(cond):
    c = [d for d in dests if d["idx"] not in used and cond(d)]
    d = c[irng.integers(len(c))]
    used.add(d["idx"])
    return d

def local_hour_at(d, tms):
    return (((tms - T0) / MS_MIN + d["tz"] * 60) % 1440) / 60.0

def rand_start(lo_ms, hi_ms):
    return int(irng.integers(lo_ms // MS_MIN, hi_ms // MS_MIN)) * MS_MIN + int(irng.integers(0, 60)) * 1000

def add_rate(d, mult_fn):
    """extra flows at rate lam*(m-1)"""
    m = mult_fn(t_min_ms + MS_MIN / 2)
    rng = np.random.default_rng([SEED, d["idx"], 2])
    t = flows_from_rate(d, rng, d["lam"] * np.maximum(m - 1, 0))
    t = np.sort(t[(t >= T0) & (t < T_END)]).astype(np.int64)
    s = np.maximum(draw_sizes(d, rng, t.size), 40).astype(np.int64)
    extra.setdefault(d["idx"], []).append((t, s))

def creep_fn(s, g, grow_h, plat_h):
    def f(t):
        x = (np.asarray(t, float) - s) / 3600000.0
        m = np.where((x >= 0) & (x < grow_h), g ** np.clip(x, 0, grow_h), 1.0)
        m = np.where((x >= grow_h) & (x < grow_h + plat_h), g ** grow_h, m)
        return m
    return f

busy = lambda d: d["kind"] in ("poisson", "session") and d["fph"] >= 15
nid = 0

def record(d, typ, s, e, shape, label, how):
    """One injection: its truth line (shape None: the type's standard shape) and its row of inject_sSEED.tsv."""
    global nid
    nid += 1
    line = dict(incident_id=f"inj-{SEED}-{nid}", type=typ, destination=d["host"], data_class=None, principal=None,
                start_ms=int(s), end_ms=int(e))
    if shape is not None:
        line["shape"] = shape
    truth.append(line)
    inj_info.append((nid, label, how, d, s, e))

def multiply(d, f, how):
    """The destination's bytes (each flow larger) or its rate (more flows) times f(t)."""
    if how == "bytes":
        scale[d["idx"]] = f
    else:
        add_rate(d, f)
for g, grow_h in ((1.25, 8), (1.5, 6)):
    for j in range(3):
        d = pick(busy)
        s = rand_start(LEARN_END, T_END - 16 * 3600000)
        e = s + (grow_h + 6) * 3600000
        f = creep_fn(s, g, grow_h, 6)
        how = "bytes" if j == 0 else "rate"
        multiply(d, f, how)
        record(d, "SUSTAINED_INCREASE", s, e, "creep", f"creep{int((g-1)*100)}", how)
for j in range(3):
    d = pick(busy)
    s = rand_start(LEARN_END, T_END - 24 * 3600000)
    f = lambda t, s=s: np.where(np.asarray(t, float) >= s, 3.0, 1.0)
    how = "bytes" if j == 0 else "rate"
    multiply(d, f, how)
    record(d, "SUSTAINED_INCREASE", s, T_END, "lasting_change", "step3x", how)

# night bursts: destinations whose night*10 < afternoon peak, with some night traffic
def night_ok(d):
    if d["kind"] not in ("poisson", "session") or d["prof"] == "flat":
        return False
    h = np.array([2.5]); pk = profile(d["prof"], np.arange(24) + 0.5, d["floor"]).max()
    night = profile(d["prof"], h, d["floor"])[0]
    return night * 10 < 0.9 * pk and d["peak"] * night >= 1.0   # >= 1 flow/h at night
for j in range(3):
    d = pick(night_ok)
    for _ in range(1000):
        day = int(irng.integers(7, 11))
        lh = irng.uniform(1.0, 3.0)      # local start hour 01:00-03:00 so it ends by 04:00
        s = T0 + day * 86400000 + int((lh - d["tz"]) * 3600000)
        s = s // 1000 * 1000
        h, lday, wk = local_info(d)
        mi = (s - T0) // MS_MIN
        if s >= LEARN_END and s + 3600000 < T_END and not wk[mi]:
            break
    e = s + 3600000
    f = lambda t, s=s, e=e: np.where((np.asarray(t, float) >= s) & (np.asarray(t, float) < e), 10.0, 1.0)
    add_rate(d, f)
    record(d, "VOLUME_SPIKE", s, e, "night_burst", "night10x", "rate")

# short bursts: 1-3 minutes, 50-300x the window's normal bytes
def burst_ok(d):
    return d["kind"] != "batch" and d["fph"] >= 10
for j in range(3):
    d = pick(burst_ok)
    for _ in range(1000):
        s = rand_start(LEARN_END, T_END - 3600000)
        mi = (s - T0) // MS_MIN
        dur = int(irng.integers(1, 4))
        if d["kind"] == "poller":
            per_min = 60.0 / d["period"]
        elif d["kind"] == "session":
            per_min = d["lam"][mi] * d["sess_mean"]
        else:
            per_min = d["lam"][mi]
        normal = per_min * mean_size(d)
        fac = float(irng.uniform(50, 300))
        total = fac * normal * dur
        if total / dur >= 1.5e6:
            break
    else:
        print("burst below 1.5MB/min", d["host"], file=sys.stderr)
    n = int(irng.integers(10, 41))
    t = s + np.sort(irng.uniform(0, dur * MS_MIN, n)).astype(np.int64)
    w = irng.dirichlet(np.ones(n) * 2)
    sz = np.maximum((w * total).astype(np.int64), 40)
    extra.setdefault(d["idx"], []).append((t, sz))
    e = s + dur * MS_MIN
    record(d, "VOLUME_SPIKE", s, e, None, f"burst{fac:.0f}x_{dur}m", "extra")

# ---------------------------------------------------------------- write
def assemble(inject):
    T, S, D = [], [], []
    for d, (t, s) in zip(dests, base):
        s2 = s
        if inject and d["idx"] in scale:
            s2 = np.floor(s * scale[d["idx"]](t) + 0.5).astype(np.int64)
        T.append(t); S.append(s2); D.append(np.full(t.size, d["idx"], np.int32))
    if inject:
        for d in dests:
            for (te, se) in extra.get(d["idx"], []):
                T.append(te); S.append(se); D.append(np.full(te.size, d["idx"], np.int32))
    T = np.concatenate(T); S = np.concatenate(S); D = np.concatenate(D)
    return T, S, D

def write(path, inject):
    T, S, D = assemble(inject)
    # flow ids: base flows numbered identically in both files; extra flows get an x prefix
    nbase = sum(b[0].size for b in base)
    ids = np.arange(T.size)
    order = np.argsort(T, kind="stable")
    wr = np.random.default_rng([SEED, 7])  # per-flow cosmetic fields: drawn over base order, same in both files
    nall = T.size
    dur = np.minimum(wr.lognormal(7, 1.5, nall), 600000).astype(np.int64)
    sport = wr.integers(1024, 65535, nall)
    srcb = wr.integers(0, 256, nall)
    srcc = wr.integers(1, 255, nall)
    bin_ = (S * wr.uniform(0.02, 0.3, nall)).astype(np.int64) + 60
    pre = []
    for d in dests:
        pre.append((f'"gateway_id":"{d["gw"]}"', d["ip"], d["port"], d["host"], d["country"], d["idx"]))
    with open(path, "w") as fh:
        buf = []
        for k in order.tolist():
            di = D[k]; g, ip, port, host, cc, ix = pre[di]
            e = int(T[k]); b = int(S[k]); bi = int(bin_[k])
            fid = f"s{SEED}-{k}" if k < nbase else f"s{SEED}-x{k}"
            buf.append(f'{{"flow_id":"{fid}",{g},"start_ms":{e - int(dur[k])},"end_ms":{e},'
                       f'"src_ip":"10.{ix % 200}.{srcb[k]}.{srcc[k]}","dst_ip":"{ip}","src_port":{sport[k]},'
                       f'"dst_port":{port},"protocol":6,"dst_host":"{host}","dst_country":"{cc}",'
                       f'"bytes_out":{b},"bytes_in":{bi},"packets_out":{b // 1200 + 1},"packets_in":{bi // 1200 + 1},'
                       f'"data_class":null,"principal":"svc-app-{ix % 17}"}}\n')
            if len(buf) >= 200000:
                fh.write("".join(buf)); buf = []
        fh.write("".join(buf))
    return T.size

import os
if os.environ.get("DRY"):
    print(sum(d["count"] for d in dests), file=sys.stderr); sys.exit(0)
n1 = 0 if os.environ.get("NULLONLY") else write(f"{OUT}/flows_s{SEED}.jsonl", True)
n0 = write(f"{OUT}/null_s{SEED}.jsonl", False)
print(f"seed {SEED}: {n1} flows injected file, {n0} null", file=sys.stderr)
with open(f"{OUT}/truth_s{SEED}.jsonl", "w") as fh:
    for r in truth:
        fh.write(json.dumps(r) + "\n")
import datetime as dt
iso = lambda ms: dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%a %m-%d %H:%M")
with open(f"{OUT}/inject_s{SEED}.tsv", "w") as fh:
    for nid_, shape, how, d, s, e in inj_info:
        fh.write(f"{nid_}\t{shape}\t{how}\t{d['host']}\t{d['kind']}\t{d['prof']}\ttz{d['tz']:+d}\t"
                 f"{d['fph']:.1f}fph\t{d.get('size_kind')}\t{iso(s)}\t{iso(e)}\tlocal_start={local_hour_at(d, s):.2f}\n")
with open(f"{OUT}/dests_s{SEED}.tsv", "w") as fh:
    keys = ["idx", "host", "kind", "prof", "floor", "tz", "wkend", "peak", "size_kind", "mu", "sigma", "alpha",
            "sess_mean", "gap_mean", "period", "jit", "size", "size_cv", "minute", "nflows", "hours", "count", "fph"]
    fh.write("\t".join(keys) + "\n")
    for d in dests:
        fh.write("\t".join(str(round(d[k], 3)) if isinstance(d.get(k), float) else str(d.get(k, "")) for k in keys) + "\n")
