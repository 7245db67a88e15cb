#!/usr/bin/env python3
"""Lasting steps, for how long a volume run is held before it is accepted (review of f92bc44, the
rise-length rule). 36 destinations: log-normal sizes (median 50 kB) of sigma 0.3, 0.8 or 1.5,
Poisson flows at 0.5, 3 or 20 a minute, flat or with a daily curve (0.1 at 03:00 to 1.0 at 15:00
UTC) and weekends at half; each steps up 2x or 5x at a time on days 8-10 (varied by seed and
destination) and stays up to the end (day 12). Deterministic for a seed (numpy's PCG64).
Usage: python3 steps.py SEED OUTDIR -> OUTDIR/flows.jsonl (about 1.2 GB), truth.jsonl, dests.json
Then: egress-watch replay -c config/example.yaml -i OUTDIR/flows.jsonl --truth OUTDIR/truth.jsonl -o alerts.jsonl"""
import json, math, sys
import numpy as np
rng = np.random.default_rng(int(sys.argv[1])); out = sys.argv[2]
T0 = 1767225600000; DAY = 86400000; H = 3600000; MIN = 60000
days = 12
dests = []
i = 0
for sig in (0.3, 0.8, 1.5):
  for rate in (0.5, 3, 20):
    for step in (2, 5):
      for curve in (0, 1):
        onset_min = 8 * 1440 + ((i * 317 + int(sys.argv[1]) * 131) % 2880)  # day 8-10, varied hour
        dests.append(dict(host=f"s{i:02d}-g{sig}-r{rate}-x{step}-c{curve}.example", sig=sig, rate=rate, step=step, curve=curve, onset=onset_min))
        i += 1
mins = np.arange(days * 1440)
t = T0 + mins * MIN
h = (t % DAY) / H
dow = ((t // DAY) + 4) % 7  # 0=Sunday; T0 is Thursday
daily = 0.55 - 0.45 * np.cos(2 * np.pi * (h - 3) / 24)
wk = np.where((dow == 0) | (dow == 6), 0.5, 1.0)
rows = []
truth = []
for d in dests:
  lam = d['rate'] * (daily * wk if d['curve'] else np.ones_like(daily))
  n = rng.poisson(lam)
  mult = np.where(mins >= d['onset'], d['step'], 1.0)
  idx = np.repeat(mins, n)
  sizes = rng.lognormal(math.log(50000), d['sig'], idx.size) * mult[idx]
  off = rng.uniform(0, MIN, idx.size).astype(np.int64)
  ends = T0 + idx.astype(np.int64) * MIN + off
  for e, b in zip(ends.tolist(), sizes.astype(np.int64).tolist()):
    rows.append((e, d['host'], b))
  truth.append(dict(incident_id=f"step-{d['host']}", type="VOLUME_SPIKE", destination=d['host'], start_ms=T0 + d['onset'] * MIN, end_ms=T0 + days * DAY, data_class=None, principal=None, shape="lasting_change"))
rows.sort()
with open(f"{out}/flows.jsonl", "w") as f:
  for k, (e, host, b) in enumerate(rows):
    f.write('{"flow_id":"f%d","gateway_id":"gw-1","start_ms":%d,"end_ms":%d,"src_ip":"10.0.0.5","dst_ip":"198.51.100.7","src_port":40000,"dst_port":443,"protocol":6,"dst_host":"%s","dst_country":"DE","bytes_out":%d,"bytes_in":1000,"packets_out":%d,"packets_in":2,"data_class":null,"principal":null}\n' % (k, e - 500, e, host, b, max(1, b // 1400)))
with open(f"{out}/truth.jsonl", "w") as f:
  for x in truth: f.write(json.dumps(x) + "\n")
json.dump(dests, open(f"{out}/dests.json", "w"))
print(len(rows), "flows")
