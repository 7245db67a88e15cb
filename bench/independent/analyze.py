#!/usr/bin/env python3
"""python3 analyze.py DIR SEED [null]  -> per-injection results and unmatched alerts with destination traits.
Reads DIR/alerts_sSEED.jsonl (or alerts_null_sSEED.jsonl), truth_sSEED.jsonl, inject_sSEED.tsv, dests_sSEED.tsv."""
import sys, json, csv, datetime as dt, collections
D = sys.argv[1]; seed = sys.argv[2]; null = len(sys.argv) > 3
tag = f"null_s{seed}" if null else f"s{seed}"
alerts = [json.loads(l) for l in open(f"{D}/alerts_{tag}.jsonl")]
truth = [] if null else [json.loads(l) for l in open(f"{D}/truth_s{seed}.jsonl")]
inj = {} if null else {int(l.split("\t")[0]): l.rstrip("\n").split("\t") for l in open(f"{D}/inject_s{seed}.tsv")}
rows = list(csv.reader(open(f"{D}/dests_s{seed}.tsv"), delimiter="\t"))
dests = {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
iso = lambda ms: dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%a %d %H:%M")
VOL = ("VOLUME_SPIKE", "SUSTAINED_INCREASE")
alerts = [a for a in alerts if a["type"] in VOL]
alerts.sort(key=lambda a: a["detected_at_ms"])
matched = {}
for a in alerts:
    for t in truth:
        if t["destination"] == a["destination"] and a["window_start_ms"] <= t["end_ms"] and a["window_end_ms"] >= t["start_ms"]:
            matched.setdefault(a["alert_id"], set()).add(t["incident_id"])
# link records of an engine incident
inc_of = {}
for a in alerts:
    if a["alert_id"] in matched and a.get("incident_id"):
        inc_of.setdefault(a["incident_id"], set()).update(matched[a["alert_id"]])
for a in alerts:
    if a["alert_id"] not in matched and a.get("incident_id") in inc_of:
        matched[a["alert_id"]] = set(inc_of[a["incident_id"]])

def traits(h):
    d = dests[h]
    if d["kind"] == "poller":
        return f"poller {d['period']}s size {float(d['size']):.0f}B cv {float(d['size_cv']):.3f}"
    if d["kind"] == "batch":
        return f"batch hourly@{d['minute']} {d['hours']} ~{float(d['nflows']):.0f}fl/run tz{int(d['tz']):+d} wkend {float(d['wkend']):.2f}"
    sz = f"pareto a={float(d['alpha']):.2f}" if d["size_kind"] == "pareto" else f"lognorm s={float(d['sigma']):.2f}"
    s = f"{d['kind']} {d['prof']} floor {d['floor']} tz{int(d['tz']):+d} wkend {float(d['wkend']):.2f} {float(d['fph']):.1f}fl/h {sz}"
    if d["kind"] == "session":
        s += f" sess {float(d['sess_mean']):.0f}fl gap {d['gap_mean']}s"
    return s

if truth:
    print("## injections")
    for t in truth:
        n = int(t["incident_id"].split("-")[-1]); info = inj[n]
        al = [a for a in alerts if t["incident_id"] in matched.get(a["alert_id"], ())]
        if al:
            first = al[0]
            delay = (first["detected_at_ms"] - t["start_ms"]) / 60000
            print(f"{n:2d} {info[1]:13s} {info[2]:5s} {t['destination']:28s} FOUND delay {delay:6.1f} min by {first['type'][:6]}, {len(al)} alerts ({','.join(a['incident_state'][0] for a in al)})  [{traits(t['destination'])}] start {iso(t['start_ms'])}")
        else:
            print(f"{n:2d} {info[1]:13s} {info[2]:5s} {t['destination']:28s} MISSED  [{traits(t['destination'])}] start {iso(t['start_ms'])}")
un = [a for a in alerts if a["alert_id"] not in matched]
print(f"## unmatched volume alerts: {len(un)}  (total volume alerts {len(alerts)})")
by = collections.defaultdict(list)
for a in un:
    by[a["destination"]].append(a)
tally = collections.Counter()
def loc(h, ms):
    tz = int(dests[h]["tz"]) if dests[h]["kind"] != "poller" else 0
    return dt.datetime.fromtimestamp(ms / 1000 + tz * 3600, dt.timezone.utc)
for a in un:
    h = a["destination"]; d = dests[h]
    if a["incident_state"] == "CLOSED" and a["type"] == "SUSTAINED_INCREASE":
        tally["SI closing record"] += 1; continue
    l = loc(h, a["window_start_ms"]); learn = a["window_start_ms"] < 1767916800000
    heavy = d["size_kind"] == "pareto"
    bound = (l.weekday() == 0 and l.hour < 6) or (l.weekday() == 5 and l.hour < 6)
    utcbound = int(d["tz"]) != 0 and bound
    key = a["type"][:6] + (" learning" if learn else " test") + (" pareto" if heavy else " lognorm/other") + (" local-daytype-boundary" if utcbound else "")
    tally[key] += 1
for k, v in sorted(tally.items()):
    print(f"  tally {k}: {v}")
for h, al in sorted(by.items(), key=lambda x: -len(x[1])):
    print(f"{h} x{len(al)} [{traits(h)}]")
    for a in al:
        r = a["observed"] / a["expected"] if a["expected"] else float("inf")
        print(f"    {a['type'][:6]} {a['incident_state'][:4]} win {iso(a['window_start_ms'])}-{iso(a['window_end_ms'])} local {loc(h, a['window_start_ms']).strftime('%a %H:%M')} obs/exp {r:6.2f} score {a['score']:.2f}/{a['threshold']} flows {a['flow_count']}")
