"""Match egress-watch's alerts to bench/independent/policy.py's truth, independently of `replay --truth`.

    python3 bench/independent/policy_check.py OUTDIR SEED

reads OUTDIR/{alerts,truth,meta,flows}_sSEED.* (and rejects_sSEED.jsonl if replay wrote one) and
prints, from the contract only (docs/design.md, docs/scorecard.md, docs/incidents.md):

- every truth incident, found or missed, with its delay (first matching alert's detected_at_ms
  minus the incident's start_ms, and minus the end_ms of its first flow), and whether its engine
  incident holds what docs/incidents.md says it should: OPEN (plus CLOSED when more than one flow
  folded), flows and bytes summing to the incident's distinct flows, severity from the config;
- every policy or GATEWAY_SILENT alert matching no incident, with the flows behind it;
- every legitimate edge case that alerted, and what the ambiguous probes got;
- a per-type table (incidents, detected, alerts, matched, unmatched, precision, recall, median
  delay) by the scorecard's rule: an alert matches an incident of its type and destination whose
  [start_ms, end_ms] overlaps [window_start_ms, window_end_ms] (both closed); a later record of
  an engine incident (same incident_id) matches what an earlier record of it matched.
"""
import fnmatch
import json
import os
import statistics
import sys

OUT, SEED = sys.argv[1], int(sys.argv[2])
TYPES = ["RESIDENCY_VIOLATION", "UNAUTHORIZED_PRINCIPAL", "GATEWAY_BYPASS", "NEW_DESTINATION", "GATEWAY_SILENT"]


def jl(path):
    with open(path) as fh:
        return [json.loads(x) for x in fh if x.strip()]


meta = json.load(open(os.path.join(OUT, "meta_s%d.json" % SEED)))
truth = jl(os.path.join(OUT, "truth_s%d.jsonl" % SEED))
alerts_all = jl(os.path.join(OUT, "alerts_s%d.jsonl" % SEED))
rej_path = os.path.join(OUT, "rejects_s%d.jsonl" % SEED)
rejects_text = open(rej_path).read() if os.path.exists(rej_path) else ""
minc = {m["incident_id"]: m for m in meta["incidents"]}

alerts = [a for a in alerts_all if a["type"] in TYPES]
other = [a for a in alerts_all if a["type"] not in TYPES]
alerts = sorted(enumerate(alerts), key=lambda p: (p[1]["detected_at_ms"], p[0]))
alerts = [a for _, a in alerts]


def overlaps(a, lo, hi):
    return a["window_start_ms"] <= hi and lo <= a["window_end_ms"]


def fmt_ms(ms):
    if ms is None:
        return "-"
    s = ms / 1000
    return "%dm%02ds" % (s // 60, s % 60) if abs(s) >= 60 else "%.1fs" % s


# matching (scorecard rule + links of an engine incident's records)
matches = {}          # alert index -> set of truth ids
by_iid = {}
for k, a in enumerate(alerts):
    m = {t["incident_id"] for t in truth if t["type"] == a["type"] and t["destination"] == a["destination"]
         and overlaps(a, t["start_ms"], t["end_ms"])}
    linked = set()
    if a.get("incident_id") and a["incident_id"] in by_iid:
        linked = by_iid[a["incident_id"]] - m
    matches[k] = (m, linked)
    if a.get("incident_id"):
        by_iid.setdefault(a["incident_id"], set()).update(m | linked)

# the flows behind alerts (samples) and behind truth
want = set()
for a in alerts:
    want.update(a.get("sample_flow_ids") or [])
for m in meta["incidents"]:
    want.update(m["flow_ids"])
for c in meta["legit"] + meta["probes"]:
    want.update(c.get("flow_ids", []))
flows, line_of = {}, {}
with open(os.path.join(OUT, "flows_s%d.jsonl" % SEED)) as fh:
    for n, line in enumerate(fh, 1):
        i = line.find('"flow_id":"')
        fid = line[i + 11:line.index('"', i + 11)]
        if fid in want and fid not in flows:
            flows[fid] = json.loads(line)
            line_of[fid] = n
rejected_lines = set()
for line in rejects_text.splitlines():
    try:
        rejected_lines.add(int(json.loads(line)["where"].rsplit(":", 1)[1]))
    except (ValueError, KeyError, IndexError):
        pass


def flow_str(fid):
    f = flows.get(fid)
    if not f:
        return fid + " (not in the flows file)"
    return "%s %s gw=%s %s->%s host=%s %s cls=%s pr=%s %dB" % (
        fid, fmt_t(f["end_ms"]), f["gateway_id"], f["src_ip"], f["dst_ip"], f["dst_host"], f["dst_country"],
        f["data_class"], f["principal"], f["bytes_out"])


def fmt_t(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%m-%dT%H:%M:%S")


print("seed %d: %d alerts (%d policy/GATEWAY_SILENT, %d other: %s), %d truth incidents" % (
    SEED, len(alerts_all), len(alerts), len(other),
    ", ".join(sorted({"%s %d" % (t, sum(1 for a in other if a["type"] == t)) for t in {a["type"] for a in other}})),
    len(truth)))

print("\n== truth incidents")
delays = {t: [] for t in TYPES}
found = {}
problems = []
for t in truth:
    m = minc[t["incident_id"]]
    hit = [a for k, a in enumerate(alerts) if t["incident_id"] in matches[k][0] | matches[k][1]]
    direct = [a for k, a in enumerate(alerts) if t["incident_id"] in matches[k][0]]
    found[t["incident_id"]] = bool(direct)
    what = ",".join(m.get("what") or m.get("injected") or ["background"])
    if not direct:
        print("MISSED %s %-22s %s cls=%s pr=%s %s (%s)" % (t["incident_id"], t["type"], t["destination"], t["data_class"],
                                                          t["principal"], fmt_t(t["start_ms"]), what))
        continue
    first = min(a["detected_at_ms"] for a in direct)
    d0, d1 = first - t["start_ms"], first - m["first_end_ms"]
    delays[t["type"]].append(d0)
    # the engine incident(s): records with the incident's own class and principal
    notes = []
    if t["type"] != "GATEWAY_SILENT":
        own = [a for a in hit if a["data_class"] == t["data_class"] and a["principal"] == t["principal"]]
        iids = sorted({a.get("incident_id") for a in own})
        recs = [a for a in alerts if a.get("incident_id") in iids] if iids != [None] else own
        fc, by = sum(a["flow_count"] for a in recs), sum(a["bytes"] for a in recs)
        states = [a.get("incident_state") for a in recs]
        exp_states = ["OPEN"] if m["n_flows"] == 1 else ["OPEN", "CLOSED"]
        if len(iids) != 1:
            notes.append("%d engine incidents" % len(iids))
        if states != exp_states:
            notes.append("records %s, expected %s" % (states, exp_states))
        if fc != m["n_flows"] or by != m["bytes"]:
            notes.append("flows %d bytes %d, expected %d flows %d bytes" % (fc, by, m["n_flows"], m["bytes"]))
        # incidents.md: closes at the first window boundary at or after its last alert + suppress_for
        # (windows of 1m here, as the generated config says); the record goes out at that boundary
        last = max(flows[i]["end_ms"] for i in m["flow_ids"] if i in flows) if all(i in flows for i in m["flow_ids"]) else None
        sup = meta["setup"]["suppress"]
        for a in recs:
            if a.get("incident_state") == "CLOSED" and last is not None:
                due = -(-(last + sup) // 60000) * 60000
                if a["detected_at_ms"] != due:
                    notes.append("CLOSED at %s, expected the boundary %s" % (fmt_t(a["detected_at_ms"]), fmt_t(due)))
        sevs = {a["severity"] for a in recs}
        if sevs != {m["severity"]}:
            notes.append("severity %s, expected %s" % (sorted(sevs), m["severity"]))
        foreign = [a for a in hit if a not in own]
        if foreign and not own:
            notes.append("matched only by alerts of another class/principal: %s" % [(a["data_class"], a["principal"]) for a in foreign])
        for a in recs:
            if a.get("incident_state") == "OPEN":
                f0 = flows.get((a.get("sample_flow_ids") or [None])[0])
                if a["observed"] != a["bytes"] or a["expected"] != 0 or a["score"] != 1 or a["threshold"] != 1:
                    notes.append("OPEN observed/expected/score/threshold %s/%s/%s/%s" % (a["observed"], a["expected"], a["score"], a["threshold"]))
                if f0 and (f0["dst_country"] != a["dst_country"] or f0["gateway_id"] != a["gateway_id"]):
                    notes.append("OPEN country/gateway %s/%s, its flow %s/%s" % (a["dst_country"], a["gateway_id"], f0["dst_country"], f0["gateway_id"]))
    else:
        recs = [a for a in hit]
        states = [a.get("incident_state") for a in recs]
        if states != ["OPEN", "CLOSED"]:
            notes.append("records %s, expected [OPEN, CLOSED]" % states)
        closed = [a for a in recs if a.get("incident_state") == "CLOSED"]
        if closed and (closed[0]["window_start_ms"], closed[0]["window_end_ms"]) != (t["start_ms"], t["end_ms"]):
            notes.append("CLOSED window %s-%s, blind spot %s-%s" % (fmt_t(closed[0]["window_start_ms"]), fmt_t(closed[0]["window_end_ms"]),
                                                                   fmt_t(t["start_ms"]), fmt_t(t["end_ms"])))
        opened = [a for a in recs if a.get("incident_state") == "OPEN"]
        if opened and opened[0]["window_start_ms"] != t["start_ms"]:
            notes.append("OPEN window_start %s, last record %s" % (fmt_t(opened[0]["window_start_ms"]), fmt_t(t["start_ms"])))
    if problems is not None and notes:
        problems.append((t["incident_id"], notes))
    print("found  %s %-22s %-38s n=%d delay %s (from first flow end %s) %s%s" % (
        t["incident_id"], t["type"], t["destination"][:38], m["n_flows"], fmt_ms(d0), fmt_ms(d1), what,
        ("  !! " + "; ".join(notes)) if notes else ""))

print("\n== alerts matching no incident")
n_unm = {t: 0 for t in TYPES}
for k, a in enumerate(alerts):
    if matches[k][0] or matches[k][1]:
        continue
    n_unm[a["type"]] += 1
    print("UNMATCHED %-22s %-8s %s cls=%s pr=%s win %s-%s n=%d state=%s" % (
        a["type"], a["severity"], a["destination"], a["data_class"], a["principal"], fmt_t(a["window_start_ms"]),
        fmt_t(a["window_end_ms"]), a["flow_count"], a.get("incident_state")))
    for fid in (a.get("sample_flow_ids") or [])[:3]:
        print("      flow " + flow_str(fid))

print("\n== legitimate edge cases (must not alert)")
n_legit_alerted = 0
for c in meta["legit"]:
    ids = set(c.get("flow_ids", []))
    keys = {(flows[i]["data_class"], flows[i]["principal"]) for i in ids if i in flows}
    pats = c["destination"].split("|")
    hits = []
    for a in alerts:
        if a["type"] not in c["types"] or not any(fnmatch.fnmatchcase(a["destination"], p) for p in pats):
            continue
        if not overlaps(a, c["from_ms"], c["to_ms"]):
            continue
        if ids and not (ids & set(a.get("sample_flow_ids") or []) or (a["data_class"], a["principal"]) in keys):
            continue
        hits.append(a)
    if hits:
        n_legit_alerted += 1
    print("%s %s: %s" % (c["id"], "ALERTED" if hits else "quiet  ", c["what"]))
    for a in hits:
        print("      %s %s %s cls=%s pr=%s win %s-%s state=%s" % (a["type"], a["severity"], a["destination"], a["data_class"],
              a["principal"], fmt_t(a["window_start_ms"]), fmt_t(a["window_end_ms"]), a.get("incident_state")))
        print("      reason: " + a["reason"][:300])

print("\n== ambiguous probes (what egress-watch did)")
for c in meta["probes"]:
    ids = set(c["flow_ids"])
    rej = [i for i in ids if line_of.get(i) in rejected_lines]
    hits = [a for a in alerts_all if a["destination"] == c["destination"] and overlaps(a, c["from_ms"], c["to_ms"])
            and (ids & set(a.get("sample_flow_ids") or []) or (a["data_class"], a["principal"]) in
                 {(flows[i]["data_class"], flows[i]["principal"]) for i in ids if i in flows})]
    res = "rejected as malformed" if rej else (", ".join(sorted({a["type"] for a in hits})) or "no alert")
    print("%s %s -> %s   [%s]" % (c["id"], c["what"], res, c["reading"]))

print("\n== per type (this checker)")
print("%-22s %5s %5s %6s %7s %6s %9s %6s %9s %9s" % ("type", "inc", "det", "alerts", "matched", "unmat", "precision", "recall", "med delay", "problems"))
for typ in TYPES:
    ti = [t for t in truth if t["type"] == typ]
    al = [k for k, a in enumerate(alerts) if a["type"] == typ]
    mt = [k for k in al if matches[k][0] or matches[k][1]]
    det = sum(1 for t in ti if found[t["incident_id"]])
    pr = len(mt) / len(al) if al else 1.0
    rc = det / len(ti) if ti else 1.0
    md = statistics.median(delays[typ]) if delays[typ] else None
    npb = sum(1 for iid, _ in problems if minc[iid]["type"] == typ)
    print("%-22s %5d %5d %6d %7d %6d %9.3f %6.3f %9s %9d" % (typ, len(ti), det, len(al), len(mt), len(al) - len(mt), pr, rc, fmt_ms(md), npb))
print("legitimate edge cases alerted: %d of %d" % (n_legit_alerted, len(meta["legit"])))
