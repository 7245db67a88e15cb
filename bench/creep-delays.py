#!/usr/bin/env python3
"""Detection delay of every creep of the volume scenario, by when it began: the figure behind
issue 14's "a +25 %/h creep alerted within 3 hours of onset" in docs/scorecard.md, which the
scorecard's medians per type do not show.
Usage: python3 bench/creep-delays.py ALERTS TRUTH [ALERTS TRUTH ...]
ALERTS: `replay --output` of the flows of TRUTH (`generate --scenario volume --truth`).
A creep's delay: from its start to the end of the first window of an alert record on its
destination that overlaps it (any volume type, as `replay --truth` matches them). Its onset
is a weekday's day (06:00-22:00 UTC), a weekday's night, or a weekend day (Saturday, Sunday).
The generator's creeps are +25 %/h for 8 h and +50 %/h for 6 h (src/generate/incidents.ts),
told apart here by their lengths (8 h + 6 h held, 6 h + 6 h held)."""
import json, statistics, sys
from datetime import datetime, timezone

HOUR = 3_600_000
SHAPES = {14: '+25 %/h', 12: '+50 %/h'}


def onset(ms):
    t = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    if t.weekday() >= 5:
        return 'weekend'
    return 'weekday night' if t.hour < 6 or t.hour >= 22 else 'weekday day'


def main(args):
    if len(args) < 2 or len(args) % 2:
        sys.exit('usage: creep-delays.py ALERTS TRUTH [ALERTS TRUTH ...]')
    rows = []
    for alerts_path, truth_path in zip(args[::2], args[1::2]):
        alerts = [json.loads(l) for l in open(alerts_path) if l.strip()]
        for line in open(truth_path):
            t = json.loads(line)
            if t.get('shape') != 'creep':
                continue
            hours = round((t['end_ms'] - t['start_ms']) / HOUR)
            hits = [a['window_end_ms'] for a in alerts
                    if a['destination'] == t['destination'] and a['window_end_ms'] >= t['start_ms'] and a['window_start_ms'] <= t['end_ms']]
            delay = (min(hits) - t['start_ms']) / HOUR if hits else None
            rows.append((SHAPES.get(hours, f'{hours} h'), onset(t['start_ms']), delay))
    print('| creep | onset | creeps | found | within 3 h | median delay (h) | delays (h) |')
    print('|---|---|---:|---:|---:|---:|---|')
    for shape in sorted({r[0] for r in rows}):
        for when in ('weekday day', 'weekday night', 'weekend', 'all'):
            ds = [r[2] for r in rows if r[0] == shape and (when == 'all' or r[1] == when)]
            if not ds:
                continue
            found = sorted(d for d in ds if d is not None)
            med = f'{statistics.median(found):.2f}' if found else '-'
            within = sum(1 for d in found if d <= 3)
            listed = ', '.join(f'{d:.1f}' for d in found) if when != 'all' else ''
            print(f'| {shape} | {when} | {len(ds)} | {len(found)} | {within} | {med} | {listed} |')


if __name__ == '__main__':
    main(sys.argv[1:])
