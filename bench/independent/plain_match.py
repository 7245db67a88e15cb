#!/usr/bin/env python3
"""python3 plain_match.py TRUTH ALERTS [TRUTH ALERTS ...]

Scores alerts by DESIGN.md's matching sentence and nothing more, as a scorer written from the
contract alone would: an alert matches an incident of its type and destination whose
[start_ms, end_ms] overlaps the alert's [window_start_ms, window_end_ms] (both closed), the two
volume types matching either volume type. No links between the records of one engine incident
(`replay --truth` has them: docs/scorecard.md). Per pair of files: volume and policy records,
the unmatched ones by incident_state, and the volume incidents with a matched record."""
import json, sys, collections

VOL = {"VOLUME_SPIKE", "SUSTAINED_INCREASE"}


def load(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def matches(alert, incident):
    vol = alert["type"] in VOL
    same_type = incident["type"] in VOL if vol else incident["type"] == alert["type"]
    return (same_type and incident["destination"] == alert["destination"]
            and incident["start_ms"] <= alert["window_end_ms"] and alert["window_start_ms"] <= incident["end_ms"])


if len(sys.argv) < 3 or len(sys.argv) % 2 == 0:
    sys.exit(__doc__)
for truth_path, alerts_path in zip(sys.argv[1::2], sys.argv[2::2]):
    truth, alerts = load(truth_path), load(alerts_path)
    records, unmatched, found = collections.Counter(), collections.Counter(), set()
    for a in alerts:
        kind = "volume" if a["type"] in VOL else "policy"
        records[kind] += 1
        hit = [t["incident_id"] for t in truth if matches(a, t)]
        found.update(hit)
        if not hit:
            unmatched[f"{kind} {a.get('incident_state')}"] += 1
    volume = [t for t in truth if t["type"] in VOL]
    found_volume = sum(1 for t in volume if t["incident_id"] in found)
    precision = (records["volume"] - sum(v for k, v in unmatched.items() if k.startswith("volume"))) / records["volume"] if records["volume"] else float("nan")
    print(f"{alerts_path}: records {dict(records)}; unmatched {dict(unmatched)}; "
          f"volume precision {precision:.3f}; volume incidents found {found_volume}/{len(volume)}")
