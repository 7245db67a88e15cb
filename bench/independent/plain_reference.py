#!/usr/bin/env python3
"""The plain reference of issue 14, for comparison with SUSTAINED_INCREASE: per destination,
10-minute sums of bytes_out against the median of the same 10 minutes on up to 7 previous days,
a one-sided CUSUM on the log ratio. Two forms: raw (the log ratio as it is, allowance k and
threshold h in log units) and per spread (the log ratio over its own spread: 1.4826 x the
median absolute deviation of the destination's previous 144 blocks' log ratios, floored at
0.05, k and h in sd).

Choices that shape the figures, stated here because they matter:
- EPS bytes are added to both sides of every ratio, so an empty block is not minus infinity; on
  a sparse destination (or at night) it is comparable to a block's sum and damps the ratios.
- A destination is judged from its second day of traffic (its first block with traffic plus
  144), the per-spread form 36 blocks (6 hours) later, once it has some ratios to take a spread
  from. Blocks before a destination's first traffic are no history (not zeros).
- After an alarm the sum restarts. Alarms are counted two ways: each alarm, and episodes (an
  alarm opens a new episode only if the sum went back to 0 since the previous alarm on that
  destination: one sustained shift is one episode, as it is one run of the engine).
- False alarms (alarms outside every incident of the truth) are counted over the whole file and,
  separately, from the eighth day of the file on, when every destination has a week of history
  (the shipped detector waits `min_history`, a week, on destinations with a weekly rhythm).
- A SUSTAINED_INCREASE incident is detected by the first alarm on its destination whose block
  ends after its onset and no later than its end; the delay is from the onset to that block's end.

Usage: python3 plain_reference.py FLOWS.jsonl [TRUTH.jsonl]"""
import sys, json, math, collections, warnings
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

warnings.simplefilter('ignore', RuntimeWarning)  # medians of all-NaN slices (no history yet) are NaN
BLOCK_MS = 600_000
DAY = 144
WEEK = 7 * DAY
EPS = 1e5  # bytes added to both sides of the ratio
SPREAD_WAIT = 36  # blocks of ratios before the per-spread form judges
SPREAD_FLOOR = 0.05

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
    """Log ratios of each block against the median of the same block on up to 7 previous days; NaN without history."""
    x = np.zeros(n)
    for b, v in s.items():
        x[b - b0] = v
    x[: min(s) - b0] = np.nan  # before the destination's first traffic: no history
    prev = np.full((7, n), np.nan)
    for j in range(1, 8):
        if j * DAY < n:
            prev[j - 1, j * DAY:] = x[: n - j * DAY]
    ref = np.nanmedian(prev, axis=0)
    y = np.log((x + EPS) / (ref + EPS))
    y[: min(s) - b0 + DAY] = np.nan  # judged from the destination's second day
    return y

def spreads(y):
    """1.4826 MAD of the 144 blocks before each block (NaN until SPREAD_WAIT of them are ratios)."""
    sd = np.full(n, np.nan)
    if n > DAY:
        w = sliding_window_view(y, DAY)[:-1]  # w[i] = y[i : i + 144], the blocks before block i + 144
        med = np.nanmedian(w, axis=1)
        mad = np.nanmedian(np.abs(w - med[:, None]), axis=1)
        enough = np.sum(~np.isnan(w), axis=1) >= SPREAD_WAIT
        sd[DAY:] = np.where(enough, np.maximum(1.4826 * mad, SPREAD_FLOOR), np.nan)
    return sd

def in_incident(d, ms):
    return any(t['start_ms'] <= ms <= t['end_ms'] for t in incidents.get(d, []))

Y = {d: ratios(s) for d, s in sums.items()}
SD = {d: spreads(y) for d, y in Y.items()}
week_ms = (b0 + WEEK) * BLOCK_MS
settings = [('raw', k, h) for k, h in [(0.1, 2), (0.2, 3), (0.3, 5), (0.5, 5)]] + \
           [('sd', k, h) for k, h in [(0.5, 5), (1.0, 5), (0.5, 8)]]
for form, k, h in settings:
    fa = {'alarms': 0, 'episodes': 0, 'alarms_week': 0, 'episodes_week': 0}
    fa_dests = set()
    delays = {t['incident_id']: None for t in creeps}
    for d, y in Y.items():
        z = y / SD[d] if form == 'sd' else y
        mine = [t for t in creeps if t['destination'] == d]
        S, back_to_zero = 0.0, True
        for i in range(n):
            if math.isnan(z[i]):
                continue
            S = max(0.0, S + z[i] - k)
            if S == 0.0:
                back_to_zero = True
            if S <= h:
                continue
            end_ms = (b0 + i + 1) * BLOCK_MS
            for t in mine:
                if delays[t['incident_id']] is None and t['start_ms'] < end_ms <= t['end_ms']:
                    delays[t['incident_id']] = round((end_ms - t['start_ms']) / 3_600_000, 2)
            if not in_incident(d, end_ms):
                fa['alarms'] += 1
                fa['episodes'] += back_to_zero
                if end_ms > week_ms:
                    fa['alarms_week'] += 1
                    fa['episodes_week'] += back_to_zero
                fa_dests.add(d)
            S, back_to_zero = 0.0, False
    print(f'{form:3} k={k} h={h}: delays (h) {[delays[t["incident_id"]] for t in creeps]}; '
          f'false alarms {fa["alarms"]} in {fa["episodes"]} episodes on {len(fa_dests)} of {len(sums)} destinations; '
          f'from day 8 on {fa["alarms_week"]} in {fa["episodes_week"]} episodes')
