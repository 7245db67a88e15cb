#!/usr/bin/env python3
"""The plain reference of issue 14, for comparison with SUSTAINED_INCREASE: per destination,
10-minute sums of bytes_out against the median of the same 10 minutes on up to 7 previous days,
a one-sided CUSUM on the log ratio. Two forms: raw (the log ratio as it is, allowance k and
threshold h in log units) and standardised (the log ratio over its own spread, 1.4826 x the
median absolute deviation of the destination's previous 144 blocks' log ratios, k and h in sd).
A destination is judged once it has a day of history; after an alarm its sum restarts.
Usage: python3 plain_reference.py FLOWS.jsonl [TRUTH.jsonl]
Prints, per setting, the delay (hours after onset) of each SUSTAINED_INCREASE incident of the
truth (to the end of the first block past the threshold at or after the onset) and the false
alarms (alarms on destinations and times outside every incident)."""
import sys, json, warnings, math, collections
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

warnings.simplefilter('ignore', RuntimeWarning)  # medians of all-NaN slices (no history yet) are NaN
BLOCK_MS = 600_000
DAY = 144
EPS = 1e5  # bytes added to both sides of the ratio: an empty block is not -infinity

flows, truth_path = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else None)
sums = collections.defaultdict(lambda: collections.defaultdict(float))
for line in open(flows):
    o = json.loads(line)
    sums[o.get('dst_host') or o['dst_ip']][o['start_ms'] // BLOCK_MS] += o['bytes_out']
truth = [json.loads(l) for l in open(truth_path)] if truth_path else []
incidents = collections.defaultdict(list)
for t in truth:
    incidents[t['destination']].append(t)
creeps = [t for t in truth if t['type'] == 'SUSTAINED_INCREASE']
b0 = min(b for s in sums.values() for b in s)
b1 = max(b for s in sums.values() for b in s)
n = b1 - b0 + 1

def ratios(s):
    x = np.zeros(n)
    for b, v in s.items():
        x[b - b0] = v
    prev = np.full((7, n), np.nan)
    for j in range(1, 8):
        if j * DAY < n:
            prev[j - 1, j * DAY:] = x[: n - j * DAY]
    with np.errstate(all='ignore'):
        ref = np.nanmedian(prev, axis=0)
    y = np.log((x + EPS) / (ref + EPS))
    y[:DAY] = np.nan
    return y

def spreads(y):
    sd = np.full(n, np.nan)
    if n > DAY:
        w = sliding_window_view(y, DAY)[:-1]  # the 144 blocks before each block
        with np.errstate(all='ignore'):
            med = np.nanmedian(w, axis=1)
            mad = np.nanmedian(np.abs(w - med[:, None]), axis=1)
        sd[DAY:] = np.maximum(1.4826 * mad, 0.05)
    return sd

def in_incident(d, ms):
    return any(t['start_ms'] <= ms <= t['end_ms'] for t in incidents.get(d, []))

Y = {d: ratios(s) for d, s in sums.items()}
SD = {d: spreads(y) for d, y in Y.items()}
settings = [('raw', k, h) for k, h in [(0.1, 2), (0.2, 3), (0.3, 5), (0.5, 5)]] + \
           [('sd', k, h) for k, h in [(0.5, 5), (1.0, 5), (0.5, 8)]]
for form, k, h in settings:
    false_alarms, fa_dests, delays = 0, set(), {t['destination']: None for t in creeps}
    for d, y in Y.items():
        z = y / SD[d] if form == 'sd' else y
        S = 0.0
        onset = min((t['start_ms'] for t in creeps if t['destination'] == d), default=None)
        for i in range(DAY + (36 if form == 'sd' else 0), n):
            if math.isnan(z[i]):
                continue
            S = max(0.0, S + z[i] - k)
            if S > h:
                end_ms = (b0 + i + 1) * BLOCK_MS
                if onset is not None and end_ms > onset and delays[d] is None:
                    delays[d] = round((end_ms - onset) / 3_600_000, 2)
                elif not in_incident(d, end_ms):
                    false_alarms += 1
                    fa_dests.add(d)
                S = 0.0
    print(f'{form:3} k={k} h={h}: delays (h) {[delays[t["destination"]] for t in creeps]}; '
          f'false alarms {false_alarms} on {len(fa_dests)} of {len(sums)} destinations')
