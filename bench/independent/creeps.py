#!/usr/bin/env python3
"""Creeps at eight growth rates, for the acceptance rule of a volume run (docs/detection-volume.md,
"A creep is accepted only once level for as long as it rose"). Twelve destinations with a daily
curve (0.1 at 03:00 to 1.0 at 15:00 UTC), Poisson flows at 3-8 a minute at the peak, log-normal
sizes (sigma 0.8); from day 9 10:00 UTC (a Saturday) eight of them grow by 5, 8, 10, 15, 20, 25,
35 or 50 %/hour, compounding, up to 8x, stay there 10 hours and drop back; four stay calm.
Deterministic for a seed (numpy's PCG64). Written apart from src/generate.
Usage: python3 creeps.py SEED OUTDIR  -> OUTDIR/flows.jsonl, OUTDIR/truth.jsonl (one creep each)
Then: egress-watch replay -c config/example.yaml -i OUTDIR/flows.jsonl --truth OUTDIR/truth.jsonl -o alerts.jsonl"""
import json, math, sys
import numpy as np
rng = np.random.default_rng(int(sys.argv[1]))
out = sys.argv[2]
T0 = 1767225600000  # 2026-01-01 00:00 UTC (Thursday)
DAY = 86400000; H = 3600000; MIN = 60000
rates = [0.05, 0.08, 0.10, 0.15, 0.20, 0.25, 0.35, 0.50]
dests = []
for i, r in enumerate(rates):
    dests.append(dict(host=f"creep{int(r*100):02d}.example", r=r, base=rng.uniform(3, 8)))
for i in range(4):
    dests.append(dict(host=f"calm{i}.example", r=0, base=rng.uniform(3, 8)))
onset = T0 + 9 * DAY + 10 * H
days = 12
flows = []; fid = 0
truth = []
for d in dests:
    if d['r'] > 0:
        grow_h = math.log(8) / math.log(1 + d['r'])
        end = onset + int((grow_h + 10) * H)
        truth.append(dict(incident_id=f"c-{d['host']}", type="SUSTAINED_INCREASE", destination=d['host'], start_ms=onset, end_ms=end, data_class=None, principal=None, shape="creep"))
        d['end'] = end; d['grow_h'] = grow_h
for m in range(days * 1440):
    t = T0 + m * MIN
    h = (t % DAY) / H
    curve = 0.55 - 0.45 * math.cos(2 * math.pi * (h - 3) / 24)
    for d in dests:
        lam = d['base'] * curve
        n = rng.poisson(lam)
        if n == 0: continue
        mult = 1.0
        if d['r'] > 0 and onset <= t < d['end']:
            mult = min(8.0, (1 + d['r']) ** ((t - onset) / H))
        sizes = rng.lognormal(math.log(20000), 0.8, n) * mult
        for k in range(n):
            e = t + int(rng.uniform(0, MIN))
            b = int(sizes[k])
            flows.append((e, dict(flow_id=f"c{fid}", gateway_id="gw-1", start_ms=e - 500, end_ms=e, src_ip="10.0.0.5", dst_ip="198.51.100.7", src_port=40000, dst_port=443, protocol=6, dst_host=d['host'], dst_country="DE", bytes_out=b, bytes_in=1000, packets_out=max(1, b // 1400), packets_in=2, data_class=None, principal=None)))
            fid += 1
flows.sort(key=lambda x: x[0])
with open(f"{out}/flows.jsonl", "w") as f:
    for _, r in flows: f.write(json.dumps(r, separators=(',', ':')) + "\n")
with open(f"{out}/truth.jsonl", "w") as f:
    for t in truth: f.write(json.dumps(t) + "\n")
print(len(flows), "flows", [(d['host'], round(d.get('grow_h', 0), 1)) for d in dests])
