#!/usr/bin/env python3
"""Independent black-box check of egress-watch's command-line and bad-input contract.

Written from the contract only (docs/design.md "Command line", "Config", the flow record and
alert tables; docs/input-formats.md; config/example.yaml; each command's --help), not from
src/. Every probe builds a small hand-made input in OUTDIR, runs `node bin/egress-watch.js`,
and prints PASS or DIFF with what the contract leads us to expect and what happened.
No Kafka: only file-based commands. Python 3 standard library only.

usage: python3 bench/independent/cli_check.py OUTDIR
"""
import csv
import gzip
import io
import ipaddress
import json
import os
import re
import subprocess
import sys
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = ["node", os.path.join(REPO, "bin", "egress-watch.js")]
CONFIG = os.path.join(REPO, "config", "example.yaml")
RESULTS = []
# policy.internal_networks of config/example.yaml
INTERNAL = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8")]

T_BASE = 1767571200000  # 2026-01-05T00:00:00Z, the generator's default start


def run(args, timeout=300):
    p = subprocess.run(CLI + args, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    return p.returncode, p.stdout, p.stderr


def show(args):
    return "egress-watch " + " ".join(args)


def check(name, ok, expected, actual, cmd=None):
    RESULTS.append((name, ok))
    print(f"{'PASS' if ok else 'DIFF'} {name}")
    if cmd:
        print(f"     cmd:      {cmd}")
    print(f"     expected: {expected}")
    print(f"     actual:   {actual}")


def rec(i, t=None, **kw):
    t = T_BASE + i * 1000 if t is None else t
    r = dict(flow_id=f"f{i}", gateway_id="gw1", start_ms=t - 500, end_ms=t,
             src_ip="10.0.0.1", dst_ip="203.0.113.5", src_port=40000, dst_port=443, protocol=6,
             dst_host="ok.example.com", dst_country="DE", bytes_out=100, bytes_in=10,
             packets_out=1, packets_in=1, data_class=None, principal=None)
    r.update(kw)
    return r


def summary_counts(text):
    """Numbers of the replay summary: records, processed, malformed, too far ahead."""
    out = {}
    m = re.search(r": (\d+) records in", text)
    if m:
        out["records"] = int(m.group(1))
    for key, pat in [("processed", r"processed (\d+)"), ("malformed", r"malformed (\d+)"),
                     ("ahead", r"too far ahead (\d+)"), ("duplicates", r"duplicates (\d+)")]:
        m = re.search(pat, text)
        if m:
            out[key] = int(m.group(1))
    return out


# ---------------------------------------------------------------- Avro container writer
def zz(n):
    n = (n << 1) ^ (n >> 63)
    b = bytearray()
    while n & ~0x7F:
        b.append((n & 0x7F) | 0x80)
        n >>= 7
    b.append(n)
    return bytes(b)


def avro_str(s):
    b = s.encode()
    return zz(len(b)) + b


def avro_flow(r):
    def opt(v):
        return zz(0) if v is None else zz(1) + avro_str(v)
    return b"".join([
        avro_str(r["flow_id"]), opt(r["gateway_id"]), zz(r["start_ms"]), zz(r["end_ms"]),
        avro_str(r["src_ip"]), avro_str(r["dst_ip"]), zz(r["src_port"]), zz(r["dst_port"]),
        zz(r["protocol"]), opt(r["dst_host"]), opt(r["dst_country"]), zz(r["bytes_out"]),
        zz(r["bytes_in"]), zz(r["packets_out"]), zz(r["packets_in"]), opt(r["data_class"]),
        opt(r["principal"])])


def avro_file(blocks):
    schema = open(os.path.join(REPO, "schemas", "flow-record.avsc"), "rb").read()
    sync = bytes(range(16))
    meta = zz(2) + avro_str("avro.schema") + zz(len(schema)) + schema + \
        avro_str("avro.codec") + zz(4) + b"null" + zz(0)
    out = b"Obj\x01" + meta + sync
    for recs in blocks:
        data = b"".join(avro_flow(r) for r in recs)
        out += zz(len(recs)) + zz(len(data)) + data + sync
    return out


# ---------------------------------------------------------------- probes
def probe_jsonl_bad(d):
    good = [rec(1), rec(9), rec(11)]
    bad = {
        2: ('{"flow_id": "f2", "gateway_id"', "malformed JSON", r"JSON"),
        3: (None, "missing dst_ip", r"dst_ip"),
        4: (json.dumps(rec(4, bytes_out="100")), "bytes_out a string", r"bytes_out"),
        5: (json.dumps(rec(5, bytes_out=-5)), "negative bytes_out", r"bytes_out"),
        6: (json.dumps(rec(6, end_ms=T_BASE)), "end_ms < start_ms", r"end_ms|start_ms"),
        7: (json.dumps(rec(7, dst_ip="999.1.1.1")), "unparseable dst_ip", r"dst_ip"),
        8: (json.dumps(rec(8, src_port=70000)), "port out of range", r"src_port"),
        10: ('[1,2,3]', "JSON array, not an object", r"."),
        12: (json.dumps(rec(12, protocol=6.5)), "protocol not an integer", r"protocol"),
    }
    r3 = rec(3)
    del r3["dst_ip"]
    bad[3] = (json.dumps(r3), bad[3][1], bad[3][2])
    lines = {1: json.dumps(good[0]), 9: json.dumps(good[1]), 11: json.dumps(good[2]), 13: ""}
    for n, (text, _, _) in bad.items():
        lines[n] = text
    body = "\n".join(lines[i] for i in range(1, 14)) + "\n"
    for ext, data in [("jsonl", body.encode()), ("jsonl.gz", gzip.compress(body.encode(), mtime=0))]:
        path = os.path.join(d, f"bad.{ext}")
        open(path, "wb").write(data)
        rej = os.path.join(d, f"bad.{ext}.rejects")
        args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, f"bad.{ext}.alerts"),
                "--rejects", rej, "--no-progress"]
        rc, out, err = run(args)
        base = os.path.basename(path)
        for n, (_, what, pat) in bad.items():
            m = re.search(rf"^(?:\S*/)?{re.escape(base)}:{n}: (.*)$", err, re.M)
            check(f"replay .{ext}: {what} reported with file:line", bool(m and re.search(pat, m.group(1))),
                  f"stderr line '{base}:{n}: <reason naming {pat}>'",
                  m.group(0) if m else "no such line", show(args))
        c = summary_counts(out + err)
        nonempty = sum(1 for i in range(1, 14) if lines[i].strip())
        ok = c.get("records") == nonempty and c.get("processed") == 3 and c.get("malformed") == len(bad) \
            and c.get("records") == c.get("processed", 0) + c.get("malformed", 0) + c.get("ahead", 0)
        check(f"replay .{ext}: counts add up (empty line 13 not a record)", ok,
              f"records {nonempty} = processed 3 + malformed {len(bad)}, exit 0", f"{c}, exit {rc}")
        check(f"replay .{ext}: exit code with malformed records", rc == 0,
              "0 (design.md replay: counted, processing goes on; 2 only for missing file/bad option/config)", rc)
        try:
            rj = [json.loads(x) for x in open(rej)]
        except Exception as e:  # noqa: BLE001
            rj = [f"unreadable: {e}"]
        check(f"replay .{ext}: --rejects holds every malformed record", len(rj) == len(bad),
              f"{len(bad)} JSON lines", f"{len(rj)}: {rj[:2]}")


def probe_text_traps(d):
    # BOM
    path = os.path.join(d, "bom.jsonl")
    open(path, "wb").write(b"\xef\xbb\xbf" + "".join(json.dumps(rec(i)) + "\n" for i in (1, 2, 3)).encode())
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "bom.alerts")]
    rc, out, err = run(args)
    c = summary_counts(out + err)
    line1 = next((l for l in err.splitlines() if "bom.jsonl:1:" in l), "")
    reason = line1.split("bom.jsonl:1:", 1)[1] if line1 else ""
    ok = c.get("processed") == 3 or re.search(r"BOM|byte.order", reason, re.I)
    check("replay: UTF-8 BOM before line 1 read, or reported naming the BOM", bool(ok),
          "processed 3, or 'bom.jsonl:1: ... BOM ...'", f"{c}; {line1!r}", show(args))
    # CRLF
    path = os.path.join(d, "crlf.jsonl")
    open(path, "wb").write("".join(json.dumps(rec(i)) + "\r\n" for i in (1, 2, 3)).encode())
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "crlf.alerts")]
    rc, out, err = run(args)
    c = summary_counts(out + err)
    check("replay: CRLF line ends", c.get("processed") == 3 and c.get("malformed") == 0 and rc == 0,
          "processed 3, malformed 0, exit 0", f"{c}, exit {rc}", show(args))
    # huge line: a 20 MiB host name, then garbage of 8 MiB with no JSON
    path = os.path.join(d, "huge.jsonl")
    with open(path, "w") as f:
        f.write(json.dumps(rec(1)) + "\n")
        f.write(json.dumps(rec(2, dst_host="h" * (20 << 20))) + "\n")
        f.write("x" * (8 << 20) + "\n")
        f.write(json.dumps(rec(4)) + "\n")
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "huge.alerts")]
    rc, out, err = run(args)
    c = summary_counts(out + err)
    ok = c.get("processed") == 2 and c.get("malformed") == 2 and "huge.jsonl:2:" in err and "huge.jsonl:3:" in err
    long_msg = max((len(l) for l in err.splitlines()), default=0)
    check("replay: huge lines (20 MiB field, 8 MiB garbage) reported, neighbours processed", ok,
          "processed 2, malformed 2, 'huge.jsonl:2:' and 'huge.jsonl:3:'", f"{c}, exit {rc}", show(args))
    check("replay: a huge bad line's message stays short", long_msg < 2000,
          "each stderr line < 2000 chars", f"longest {long_msg}")


def probe_gz_truncated(d):
    body = "".join(json.dumps(rec(i)) + "\n" for i in range(1, 2001)).encode()
    full = gzip.compress(body, mtime=0)
    cut = full[: len(full) // 2]
    path = os.path.join(d, "trunc.jsonl.gz")
    open(path, "wb").write(cut)
    dec = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
    complete = dec.count(b"\n")
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "trunc.alerts")]
    rc, out, err = run(args)
    c = summary_counts(out + err)
    m = re.search(r"trunc\.jsonl\.gz:(\d+): (.*)", err)
    check("replay .jsonl.gz truncated: complete lines processed, the cut reported with a line",
          c.get("processed") == complete and bool(m),
          f"processed {complete} (complete lines before the cut), 'trunc.jsonl.gz:{complete + 1}: ...'",
          f"{c}; {m.group(0) if m else 'no file:line message'}; exit {rc}", show(args))
    check("replay .jsonl.gz truncated: exit code", rc in (0, 2),
          "0 (reported and went on) or 2 (bad input file); contract does not say which", rc)
    path = os.path.join(d, "notgz.jsonl.gz")
    open(path, "w").write(json.dumps(rec(1)) + "\n")
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "notgz.alerts")]
    rc, out, err = run(args)
    check("replay .jsonl.gz that is not gzip: one message naming the file",
          "notgz.jsonl.gz" in err and rc in (0, 2), "message naming notgz.jsonl.gz, exit 0 or 2",
          f"{err.strip().splitlines()[0] if err.strip() else ''!r}, exit {rc}", show(args))


def probe_avro(d):
    good1 = [rec(i) for i in range(1, 4)]
    bad_blk = [rec(4), rec(5, bytes_out=-5), rec(6, end_ms=T_BASE), rec(7, dst_ip="999.1.1.1"), rec(8)]
    path = os.path.join(d, "bad.avro")
    data = avro_file([good1, bad_blk])
    open(path, "wb").write(data)
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "avro.alerts"), "--rejects",
            os.path.join(d, "avro.rejects")]
    rc, out, err = run(args)
    c = summary_counts(out + err)
    for idx, (n, what) in enumerate([(5, "negative bytes_out"), (6, "end_ms < start_ms"), (7, "bad dst_ip")]):
        # block 2 (1-based) or 1 (0-based); record 2..4 (1-based); #N overall
        m = re.search(rf"bad\.avro:block \d+ record \d+ \(#{n}\): .*|bad\.avro:block \d+ record \d+ \(#{n - 1}\): .*", err)
        check(f"replay .avro: {what} reported as file:block B record R (#N)", bool(m),
              f"'bad.avro:block B record R (#{n} or #{n - 1}): reason'", m.group(0) if m else err[:300], show(args))
    check("replay .avro: counts add up", c.get("records") == 8 and c.get("processed") == 5 and c.get("malformed") == 3,
          "records 8 = processed 5 + malformed 3, exit 0", f"{c}, exit {rc}")
    # truncated in the second block
    path = os.path.join(d, "trunc.avro")
    open(path, "wb").write(data[:-30])
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "avrot.alerts")]
    rc, out, err = run(args)
    c = summary_counts(out + err)
    check("replay .avro truncated: first block processed, the cut reported naming file and block/offset",
          c.get("processed", 0) >= 3 and bool(re.search(r"trunc\.avro:.*(block|offset|byte)", err)) and rc in (0, 2),
          "processed >= 3, 'trunc.avro:block ...' message, exit 0 or 2",
          f"{c}; {err.strip()[:300]!r}; exit {rc}", show(args))
    check("replay .avro truncated: the message says the file is cut and how many records are lost",
          bool(re.search(r"trunc\.avro:.*truncat.*5 records", err)),
          "'trunc.avro:block 2 ...: truncated block ...; its 5 records are lost' (the block header names 5)",
          next((l for l in err.splitlines() if "trunc.avro:" in l), ""))
    check("replay .avro truncated: summary accounts for the 8 records the blocks declare",
          c.get("records") == 8 or c.get("malformed") == 5,
          "records 8 (processed 3 + 5 lost), or malformed 5", c)
    # corrupt sync marker after block 1
    hdr_end = data.index(bytes(range(16))) + 16
    blk1_end = data.index(bytes(range(16)), hdr_end) + 16
    corrupt = bytearray(data)
    corrupt[blk1_end - 3] ^= 0xFF
    path = os.path.join(d, "sync.avro")
    open(path, "wb").write(bytes(corrupt))
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "avros.alerts")]
    rc, out, err = run(args)
    c = summary_counts(out + err)
    check("replay .avro with a corrupt sync marker: reported naming the file, nothing silent",
          "sync.avro" in err and rc in (0, 2) and c.get("processed", 0) + c.get("malformed", 0) >= 3 or
          ("sync.avro" in err and rc == 2),
          "a message naming sync.avro (block/offset), exit 0 or 2", f"{c}; {err.strip()[:300]!r}; exit {rc}", show(args))
    # not an Avro file at all
    path = os.path.join(d, "text.avro")
    open(path, "w").write(json.dumps(rec(1)) + "\n")
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "avrox.alerts")]
    rc, out, err = run(args)
    check("replay .avro that is not Avro: one message naming the file, exit 2",
          "text.avro" in err and rc == 2, "message naming text.avro, exit 2",
          f"{err.strip()[:300]!r}, exit {rc}", show(args))


def gen_dialect(d, fmt):
    path = os.path.join(d, f"d.{fmt}")
    cfg = os.path.join(d, f"d.{fmt}.yaml")
    args = ["generate", "--seed", "1", "--duration", "6h", "--rate", "0.05", "--destinations", "5", "--types",
            "RESIDENCY_VIOLATION", "--incidents", "1", "--learning", "1h", "--format", fmt, "-o", path,
            "--enrich-config", cfg]
    rc, out, err = run(args)
    return path, cfg, rc


def probe_dialects(d):
    cases = {
        "zeek": ['{"_path":"conn","ts":1767571300.5,"uid":"CBAD"', '{"_path":"conn","ts":1767571300.5,"uid":"CIP",'
                 '"id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"999.9.9.9","id.resp_p":443,"proto":"tcp",'
                 '"duration":1.0,"orig_bytes":1,"resp_bytes":1,"orig_pkts":1,"resp_pkts":1}'],
        "vpc": ["2 123456789012 eni-1 10.0.0.1 198.51.100.9 1 443 6 7", "2 123456789012 eni-1 10.0.0.1 999.9.9.9 "
                "49753 443 6 7 6015 1767571276 1767571277 ACCEPT OK"],
        "goflow2": ['{"type":"NETFLOW_V9","bytes":', '{"type":"NETFLOW_V9","time_received_ns":1767571277990500000,'
                    '"sequence_num":9,"sampling_rate":1,"sampler_address":"192.0.2.1","time_flow_start_ns":'
                    '1767571276372500000,"time_flow_end_ns":1767571277990500000,"bytes":6015,"packets":7,'
                    '"src_addr":"10.0.0.1","dst_addr":"999.9.9.9","etype":"IPv4","proto":6,"src_port":1,"dst_port":443}'],
        "suricata": ['{"event_type":"flow","src_ip":', '{"timestamp":"2026-01-05T00:01:17.990500+0000","flow_id":1,'
                     '"event_type":"flow","src_ip":"10.0.0.1","src_port":1,"dest_ip":"999.9.9.9","dest_port":443,'
                     '"proto":"TCP","flow":{"pkts_toserver":1,"pkts_toclient":1,"bytes_toserver":1,"bytes_toclient":1,'
                     '"start":"2026-01-05T00:01:16.372500+0000","end":"2026-01-05T00:01:17.990500+0000"}}'],
        "ocsf": ['{"class_uid":4001,', '{"class_uid":4001,"activity_id":6,"time":1767571277990,"start_time":'
                 '1767571276372,"end_time":1767571277990,"src_endpoint":{"ip":"10.0.0.1","port":1},"dst_endpoint":'
                 '{"ip":"999.9.9.9","port":443},"connection_info":{"protocol_num":6},"traffic":{"bytes_out":1,'
                 '"bytes_in":1,"packets_out":1,"packets_in":1}}'],
    }
    for fmt, badlines in cases.items():
        src, cfg, rc = gen_dialect(d, fmt)
        if rc != 0:
            check(f"generate --format {fmt}", False, "exit 0", rc)
            continue
        lines = open(src).read().splitlines()[:12]
        # keep the vpc header on line 1; bad lines at 5 and 8
        lines.insert(4, badlines[0])
        lines.insert(7, badlines[1])
        path = os.path.join(d, f"bad-{fmt}.log")
        open(path, "w").write("\n".join(lines) + "\n")
        args = ["replay", "--config", cfg, "--input-format", fmt, "--input", path, "-o",
                os.path.join(d, f"bad-{fmt}.alerts")]
        rc, out, err = run(args)
        got = [n for n in (5, 8) if re.search(rf"bad-{fmt}\.log:{n}: ", err)]
        check(f"replay --input-format {fmt}: a cut line (5) and a bad IP (8) reported as file:line",
              got == [5, 8] and rc == 0, "'bad-%s.log:5: ...' and 'bad-%s.log:8: ...', exit 0" % (fmt, fmt),
              f"lines reported {got}; exit {rc}; {[l for l in err.splitlines() if 'bad-' in l][:3]}", show(args))
        c = summary_counts(out + err)
        check(f"replay --input-format {fmt}: malformed count 2", c.get("malformed") == 2,
              "malformed 2", c)
    # Zeek TSV: a row with a missing column
    hdr = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tconn",
           "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\torig_pkts\tresp_pkts",
           "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tcount\tcount"]
    row = "1767571300.5\tC{}\t10.0.0.1\t40000\t198.51.100.9\t443\ttcp\t1.0\t100\t10\t1\t1"
    rows = hdr + [row.format(1), row.format(2).rsplit("\t", 1)[0], row.format(3)]
    path = os.path.join(d, "tsv-conn.log")
    open(path, "w").write("\n".join(rows) + "\n")
    src, cfg, _ = gen_dialect(d, "zeek")
    args = ["replay", "--config", cfg, "--input-format", "zeek", "--input", path, "-o", os.path.join(d, "tsv.alerts")]
    rc, out, err = run(args)
    m = re.search(r"tsv-conn\.log:9: (.*)", err)
    check("replay zeek TSV: a row with 11 of 12 columns reported at its line", bool(m) and rc == 0,
          "'tsv-conn.log:9: 11 columns where the #fields header names 12', exit 0",
          f"{m.group(0) if m else err[:200]!r}; exit {rc}", show(args))


def probe_scores(d):
    flows = os.path.join(d, "g.jsonl")
    truth = os.path.join(d, "g-truth.jsonl")
    gen = ["generate", "--seed", "1", "--duration", "6h", "--rate", "1", "--destinations", "20", "-o", flows,
           "--truth", truth]
    rc, out, err = run(gen)
    check("generate as in the task (6h, default --learning 26h): exit code of an impossible option set",
          rc == 2, "2 (design.md: bad option exits 2)", f"{rc}: {err.strip()[:200]}", show(gen))
    gen = gen[:9] + ["--learning", "1h", "--types", "RESIDENCY_VIOLATION,GATEWAY_BYPASS,VOLUME_SPIKE"] + gen[9:]
    rc, out, err = run(gen)
    if rc != 0:
        check("generate 6h with --learning 1h", False, "exit 0", f"{rc} {err[:200]}", show(gen))
        return
    scores = os.path.join(d, "scores.csv")
    args = ["replay", "--config", CONFIG, "--input", flows, "-o", os.path.join(d, "g.alerts"), "--scores", scores]
    rc, out, err = run(args)
    text = open(scores).read()
    header = text.splitlines()[0] if text else ""
    want = "destination,window_start_ms,window_end_ms,detector,observed,expected,score,threshold,alerted"
    check("replay --scores: header", header == want, want, header, show(args))
    rows = list(csv.DictReader(io.StringIO(text)))
    keys = {}
    for r in rows:
        k = (r["destination"], r["window_start_ms"], r["detector"])
        keys[k] = keys.get(k, 0) + 1
    dup = sum(1 for v in keys.values() if v > 1)
    dets = {r["detector"] for r in rows}
    pairs = {(r["destination"], r["window_start_ms"]) for r in rows}
    both = all((p[0], p[1], det) in keys for p in pairs for det in ("VOLUME_SPIKE", "SUSTAINED_INCREASE"))
    check("replay --scores: one row per destination, window and volume detector",
          dup == 0 and dets == {"VOLUME_SPIKE", "SUSTAINED_INCREASE"} and both,
          "no duplicate (destination, window, detector); both detectors for every (destination, window)",
          f"{len(rows)} rows, {dup} duplicates, detectors {sorted(dets)}, both everywhere: {both}")
    bad = [r for r in rows if r["alerted"] not in ("true", "false")
           or int(r["window_end_ms"]) - int(r["window_start_ms"]) != 60000 or int(r["window_start_ms"]) % 60000]
    check("replay --scores: alerted true/false, 1m windows aligned (windows.size 1m)", not bad,
          "no row off", f"{len(bad)} rows off: {bad[:1]}")
    # destinations: every external destination with traffic in the flows has rows
    dests = set()
    for line in open(flows):
        f = json.loads(line)
        if any(ipaddress.ip_address(f["dst_ip"]) in n for n in INTERNAL if n.version == ipaddress.ip_address(f["dst_ip"]).version):
            continue
        dests.add(f["dst_host"] or f["dst_ip"])
    sd = {r["destination"] for r in rows}
    check("replay --scores: every external destination has rows", dests <= sd,
          f"{len(dests)} destinations of the flows", f"{len(sd)} in scores, missing {sorted(dests - sd)[:3]}")
    # windows with no traffic: does a destination get rows for them? (contract: 'every closed window')
    per = {}
    for r in rows:
        if r["detector"] == "VOLUME_SPIKE":
            per.setdefault(r["destination"], []).append(int(r["window_start_ms"]))
    gaps = sum(((max(v) - min(v)) // 60000 + 1) - len(v) for v in per.values())
    check("replay --scores: rows for every closed window between a destination's first and last (zero-traffic windows too)",
          gaps == 0, "0 windows missing (if 'every closed window' includes quiet ones)",
          f"{gaps} quiet windows without a row over {len(per)} destinations")
    alerts = [json.loads(x) for x in open(os.path.join(d, "g.alerts"))]
    vol = [a for a in alerts if a["type"] in ("VOLUME_SPIKE", "SUSTAINED_INCREASE") and a["incident_state"] == "OPEN"]
    miss = [a for a in vol if keys.get((a["destination"], str(a["window_start_ms"]), a["type"])) is None or not any(
        r["alerted"] == "true" for r in rows if r["destination"] == a["destination"] and
        r["window_start_ms"] == str(a["window_start_ms"]) and r["detector"] == a["type"])]
    check("replay --scores: every opening volume alert's window is a row with alerted=true", vol and not miss,
          f"{len(vol)} of {len(vol)}", f"{len(vol) - len(miss)} of {len(vol)}")
    # determinism
    for extra in ([], ["--scores", os.path.join(d, "scores2.csv")]):
        a1 = os.path.join(d, "det1.alerts")
        a2 = os.path.join(d, "det2.alerts")
        run(["replay", "--config", CONFIG, "--input", flows, "-o", a1] + extra)
        run(["replay", "--config", CONFIG, "--input", flows, "-o", a2] + extra)
        same = open(a1, "rb").read() == open(a2, "rb").read()
        check(f"determinism: two replays give byte-identical alerts {'with' if extra else 'without'} --scores", same,
              "identical", "identical" if same else "differ")
    same = open(os.path.join(d, "det1.alerts"), "rb").read() == open(os.path.join(d, "g.alerts"), "rb").read()
    check("determinism: alerts with and without --scores identical", same, "identical", same)
    s2 = open(os.path.join(d, "scores2.csv"), "rb").read() == open(scores, "rb").read()
    check("determinism: scores CSV identical across runs", s2, "identical", s2)
    # same flows as Avro and as .jsonl.gz give the same alerts
    for ext in ("avro", "jsonl.gz"):
        p = os.path.join(d, f"g.{ext}")
        run(gen[:gen.index("-o") + 1] + [p] + gen[gen.index("-o") + 2:gen.index("--truth")])
        a = os.path.join(d, f"g-{ext}.alerts")
        run(["replay", "--config", CONFIG, "--input", p, "-o", a])
        same = open(a, "rb").read() == open(os.path.join(d, "g.alerts"), "rb").read()
        check(f"determinism: the same flows as .{ext} give byte-identical alerts", same, "identical", same)


def probe_truth(d):
    t0 = T_BASE + 3600000

    def viol(i, t, host):
        return rec(i, t=t, dst_ip=f"203.0.113.{i}", dst_host=host, dst_country="US", bytes_out=1000,
                   data_class="eu_user_data", principal="svc-eu-app")
    flows = [viol(1, t0 + 5 * 60000, "x.example"), viol(2, t0 + 2 * 3600000, "x.example")]
    fp = os.path.join(d, "truth-flows.jsonl")
    open(fp, "w").write("".join(json.dumps(r) + "\n" for r in flows))
    inc = [dict(incident_id="i1", type="RESIDENCY_VIOLATION", destination="x.example", data_class="eu_user_data",
                principal="svc-eu-app", start_ms=t0, end_ms=t0 + 10 * 60000),
           dict(incident_id="i2", type="RESIDENCY_VIOLATION", destination="z.example", data_class="eu_user_data",
                principal="svc-eu-app", start_ms=t0, end_ms=t0 + 10 * 60000)]
    tp = os.path.join(d, "truth.jsonl")
    open(tp, "w").write("".join(json.dumps(r) + "\n" for r in inc))
    args = ["replay", "--config", CONFIG, "--input", fp, "--truth", tp, "-o", os.path.join(d, "truth.alerts")]
    rc, out, err = run(args)
    text = out + err
    m = re.search(r"^RESIDENCY_VIOLATION\s+(.*)$", text, re.M)
    cols = m.group(1).split() if m else []
    # incidents detected alerts matched excess unmatched precision recall delay
    want = ["2", "1", "2", "1", "0", "1", "0.500", "0.500", "5m"]
    check("replay --truth: 1 alert inside i1, 1 outside its interval, i2 never seen -> P 1/2, R 1/2, delay 5m",
          cols[:9] == want, "incidents 2 detected 1 alerts 2 matched 1 excess 0 unmatched 1 precision 0.500 "
          "recall 0.500 median delay 5m", " ".join(cols[:9]) or text[-400:], show(args))
    # truth file problems: a bad type, a missing file
    bt = os.path.join(d, "badtruth.jsonl")
    open(bt, "w").write(json.dumps(dict(inc[0], type="FOO")) + "\n")
    args = ["replay", "--config", CONFIG, "--input", fp, "--truth", bt, "-o", os.path.join(d, "bt.alerts")]
    rc, out, err = run(args)
    check("replay --truth with an unknown type: file:line message, exit 2",
          "badtruth.jsonl:1:" in err and rc == 2, "'badtruth.jsonl:1: type ...', exit 2",
          f"{err.strip()[:160]!r}, exit {rc}", show(args))
    args = ["replay", "--config", CONFIG, "--input", fp, "--truth", os.path.join(d, "nope-truth.jsonl"), "-o",
            os.path.join(d, "nt.alerts")]
    rc, out, err = run(args)
    check("replay --truth missing file: one message, exit 2", "nope-truth.jsonl" in err and rc == 2,
          "message naming nope-truth.jsonl, exit 2 (design.md: a missing file exits 2)",
          f"{err.strip()[:160]!r}, exit {rc}", show(args))


def probe_config(d):
    src = open(CONFIG).read()
    cases = [
        ("unknown", "  size: 1m", "  size: 1m\n  sise: 2m", "windows.sise"),
        ("wrongtype", "    threshold: 6.0", "    threshold: high", "detectors.volume_spike.threshold"),
        ("duration", "  size: 1m", "  size: 5 minutes", "windows.size"),
        ("size", "    min_bytes: 1MB", "    min_bytes: 1 megabyte", "detectors.volume_spike.min_bytes"),
        ("detector", "  gateway_bypass: {enabled: true, severity: HIGH}",
         "  gateway_bypass: {enabled: true, severity: HIGH}\n  port_scan: {enabled: true}", "detectors.port_scan"),
        ("ovclass", '    - match: {destination: "backup.example.com"}',
         '    - match: {data_class: "nosuch_class"}\n      residency_violation: {severity: LOW}\n'
         '    - match: {destination: "backup.example.com"}', "detectors.overrides[0].match.data_class"),
        ("syntax", "  size: 1m", "  size: [1m", None),
    ]
    for name, old, new, keypath in cases:
        assert old in src, name
        text = src.replace(old, new, 1)
        path = os.path.join(d, f"cfg-{name}.yaml")
        open(path, "w").write(text)
        line = text[: text.index(new)].count("\n") + 1 + (1 if name in ("unknown", "detector") else 0)
        for cmd in (["check-config", path], ["replay", "--config", path, "--input", os.path.join(d, "truth-flows.jsonl")]):
            rc, out, err = run(cmd)
            msg = err.strip()
            want = f"{os.path.basename(path)}:{line}: {keypath or ''}"
            ok = rc == 2 and want in msg and len(msg.splitlines()) == 1
            check(f"{cmd[0]}: config {name}: one message file:line: key.path, exit 2", ok,
                  f"'...{want}...', exit 2", f"{msg[:200]!r}, exit {rc}", show(cmd))
    rc, out, err = run(["check-config", os.path.join(d, "no-such.yaml")])
    check("check-config: missing file", rc == 2 and "no-such.yaml" in err, "message naming no-such.yaml, exit 2",
          f"{err.strip()!r}, exit {rc}")


def probe_usage(d):
    fp = os.path.join(d, "truth-flows.jsonl")
    base = ["replay", "--config", CONFIG]
    cases = [
        ("missing --input file", base + ["--input", os.path.join(d, "none.jsonl")], "none.jsonl"),
        ("--input a directory", base + ["--input", d], os.path.basename(d)),
        ("--input with an unknown extension", base + ["--input", os.path.join(d, "x.txt")], "x.txt"),
        ("--output in a missing directory", base + ["--input", fp, "-o", os.path.join(d, "nodir", "a.jsonl")], "nodir"),
        ("--output is a directory", base + ["--input", fp, "-o", d], os.path.basename(d)),
        ("--output under a regular file (ENOTDIR)", base + ["--input", fp, "-o", fp + "/a.jsonl"], "a.jsonl"),
        ("--scores in a missing directory", base + ["--input", fp, "-o", os.path.join(d, "u.alerts"), "--scores",
                                                    os.path.join(d, "nodir", "s.csv")], "s.csv"),
        ("unknown option", base + ["--input", fp, "--bogus"], "--bogus"),
        ("unknown --input-format", base + ["--input", fp, "--input-format", "netflow"], "netflow"),
        ("unknown --format", base + ["--input", fp, "--format", "xml"], "xml"),
        ("no --config", ["replay", "--input", fp], "--config"),
        ("unknown command", ["frobnicate"], "frobnicate"),
        ("generate without --seed", ["generate", "--duration", "1h", "-o", os.path.join(d, "ns.jsonl")], "seed"),
        ("generate --duration garbage", ["generate", "--seed", "1", "--duration", "5 minutes", "-o",
                                         os.path.join(d, "nd.jsonl")], "duration"),
        ("report without --out", ["report", "--config", CONFIG, "--input", fp], "out"),
        ("verify missing file", ["verify", "--input", os.path.join(d, "none-alerts.jsonl")], "none-alerts.jsonl"),
    ]
    open(os.path.join(d, "x.txt"), "w").write(json.dumps(rec(1)) + "\n")
    for name, args, needle in cases:
        rc, out, err = run(args)
        first = next((l for l in err.splitlines() if l.strip()), "")
        ok = rc == 2 and needle in err and bool(first)
        check(f"usage: {name}: one message naming it, exit 2", ok, f"message naming {needle!r}, exit 2",
              f"{first[:200]!r}, exit {rc}", show(args))


def probe_help():
    rc, out, err = run(["replay", "--help"])
    opts = ["--config", "--input", "--output", "--format", "--scores", "--truth", "--rejects", "--suppressed",
            "--now", "--no-progress", "--baseline-config", "--diff-json", "--topic", "--input-format"]
    missing = [o for o in opts if o not in out]
    check("replay --help lists every option of design.md's replay synopsis", not missing, "none missing", missing)
    rc, out, err = run(["generate", "--help"])
    opts = ["--seed", "--output", "--truth", "--start", "--duration", "--rate", "--destinations", "--incidents",
            "--types", "--learning", "--topic", "--config", "--format", "--send-rate", "--schema-id"]
    missing = [o for o in opts if o not in out]
    check("generate --help lists every option of design.md's generate table", not missing, "none missing", missing)
    rc, out, err = run(["--help"])
    cmds = ["run", "replay", "generate", "check-config", "alerts", "console", "report", "verify", "suppress", "local",
            "demo"]
    missing = [c for c in cmds if not re.search(rf"^\s+{c}\b", out, re.M)]
    check("top-level --help lists every command of design.md's table", not missing, "none missing", missing)
    rc, out, err = run(["replay", "--help"])
    check("replay --help: --output mentions .gz compression and --format avro (design.md)",
          ".gz" in out.split("--output")[1].split("--format")[0], "'.gz compresses' in --output help",
          out.split("--output")[1].split("--format")[0].strip()[:160])


def probe_more_records(d):
    """Edge records the contract names elsewhere (design.md flow record, reliability.md bounds)."""
    L = [json.dumps(rec(1)),                                   # 1 ok
         json.dumps(rec(1)),                                   # 2 same flow_id: a duplicate, counted
         "   \t ",                                             # 3 whitespace only: no record
         json.dumps(rec(4, flow_id=None)),                     # 4 null required string
         json.dumps(rec(5, bytes_out=2 ** 53 + 8)),            # 5 count beyond 2^53
         json.dumps(rec(6, extra_field="x")),                  # 6 unknown field: ignored, processed
         json.dumps(rec(7, flow_id="a\udfffb")),               # 7 lone surrogate
         json.dumps(rec(8, t=T_BASE + 400 * 86400000)),        # 8 far ahead of --now
         json.dumps(rec(9, dst_country="de")),                 # 9 lower-case country: read as DE
         json.dumps(rec(10, protocol=None)),                   # 10 null int
         json.dumps(rec(11, start_ms=1.5e12 + 0.5)),           # 11 fractional ms
         json.dumps(rec(12))]                                  # 12 ok, no newline after it
    path = os.path.join(d, "more.jsonl")
    open(path, "w").write("\n".join(L))
    args = ["replay", "--config", CONFIG, "--input", path, "-o", os.path.join(d, "more.alerts"), "--now",
            "2026-01-05T01:00:00Z"]
    rc, out, err = run(args)
    got = sorted(int(m) for m in re.findall(r"more\.jsonl:(\d+):", err))
    check("replay: null flow_id, > 2^53, lone surrogate, too far ahead, null protocol, fractional ms reported",
          got == [4, 5, 7, 8, 10, 11], "lines [4, 5, 7, 8, 10, 11]", got, show(args))
    c = summary_counts(out + err)
    want = {"records": 11, "processed": 5, "malformed": 5, "ahead": 1, "duplicates": 1}
    check("replay: counts (duplicate counted, whitespace line no record, last line without newline read)",
          all(c.get(k) == v for k, v in want.items()), want, c)
    # invalid UTF-8 in a string field: JSON text must be UTF-8 (RFC 8259); lone surrogates are refused,
    # so bytes that are no UTF-8 at all should be too, not read as U+FFFD
    t = T_BASE + 3600000
    r = rec(1, t=t, dst_host="HOSTMARK", dst_country="US", data_class="eu_user_data", principal="PRINCMARK")
    raw = json.dumps(r).encode().replace(b"HOSTMARK", b"bad\xff\xfehost").replace(b"PRINCMARK", b"svc-eu-\xc3")
    path = os.path.join(d, "utf8.jsonl")
    open(path, "wb").write(raw + b"\n")
    # the same in Avro (an Avro string is UTF-8)
    avro_path = os.path.join(d, "utf8.avro")
    open(avro_path, "wb").write(avro_raw_strings(dict(r), {"dst_host": b"bad\xff\xfehost", "principal": b"svc-eu-\xc3"}))
    for kind, path, alerts_name, located, where in [
        ("jsonl", path, "utf8.alerts", "utf8.jsonl:1:", "'utf8.jsonl:1: ... not UTF-8 ...', malformed 1"),
        ("avro", avro_path, "utf8-avro.alerts", "utf8.avro:", "'utf8.avro:block 1 record 1 (#1): ...', malformed 1"),
    ]:
        out_alerts = os.path.join(d, alerts_name)
        args = ["replay", "--config", CONFIG, "--input", path, "-o", out_alerts]
        rc, out, err = run(args)
        alerts = [json.loads(x) for x in open(out_alerts)] if os.path.exists(out_alerts) else []
        check(f"replay .{kind}: invalid UTF-8 in dst_host/principal reported, not read as U+FFFD",
              located in err and not any("\ufffd" in (a.get("destination") or "") for a in alerts),
              where, f"{summary_counts(out + err)}; alerts on destinations {[a['destination'] for a in alerts]}", show(args))


def avro_raw_strings(r, raw):
    """One-record Avro file whose named optional string fields hold the given raw bytes."""
    marks = {k: f"@@{k}@@" for k in raw}
    body = dict(r)
    body.update(marks)
    data = avro_flow(body)
    for k, b in raw.items():
        m = marks[k].encode()
        data = data.replace(zz(len(m)) + m, zz(len(b)) + b)
    schema = open(os.path.join(REPO, "schemas", "flow-record.avsc"), "rb").read()
    sync = bytes(range(16))
    meta = zz(2) + avro_str("avro.schema") + zz(len(schema)) + schema + \
        avro_str("avro.codec") + zz(4) + b"null" + zz(0)
    return b"Obj\x01" + meta + sync + zz(1) + zz(len(data)) + data + sync


def probe_outputs(d):
    fp = os.path.join(d, "truth-flows.jsonl")
    base = ["replay", "--config", CONFIG, "--input", fp]
    rc, out, err = run(base + ["--format", "avro"])
    check("replay --format avro to stdout refused, exit 2", rc == 2 and "avro" in err,
          "one message, exit 2", f"{err.strip()[:150]!r}, exit {rc}", show(base + ["--format", "avro"]))
    rc, out, err = run(base + ["--now", "yesterday", "-o", os.path.join(d, "now.alerts")])
    check("replay --now not ISO: one message, exit 2", rc == 2 and "--now" in err, "message naming --now, exit 2",
          f"{err.strip()[:150]!r}, exit {rc}")
    gz = os.path.join(d, "out.jsonl.gz")
    rc, out, err = run(base + ["-o", gz])
    try:
        n = len(gzip.open(gz).read().splitlines())
    except Exception as e:  # noqa: BLE001
        n = f"not gzip: {e}"
    check("replay -o F.jsonl.gz compresses (design.md replay)", n == 2, "2 alerts in a gzip file", n)
    # verify the replay's output, then an edited, a cut and a garbled copy
    alerts = os.path.join(d, "truth.alerts")
    rc, out, err = run(["verify", "--input", alerts])
    check("verify of a replay output: intact, exit 0", rc == 0 and "intact" in out + err, "intact, exit 0",
          f"exit {rc}: {(out + err).strip().splitlines()[-1:]}")
    lines = open(alerts).read().splitlines()
    a = json.loads(lines[0])
    a["bytes"] += 1
    ed = os.path.join(d, "edited.alerts")
    open(ed, "w").write("\n".join([json.dumps(a)] + lines[1:]) + "\n")
    rc, out, err = run(["verify", "--input", ed])
    check("verify: an edited alert named with file:line, exit 1", rc == 1 and "edited.alerts:1:" in out + err,
          "'edited.alerts:1: ... altered', exit 1", f"exit {rc}: {[l for l in (out + err).splitlines() if 'edited.alerts:' in l][:2]}")
    gb = os.path.join(d, "garbled.alerts")
    open(gb, "w").write(lines[0] + "\n" + '{"alert_id": ' + "\n" + "\n".join(lines[1:]) + "\n")
    rc, out, err = run(["verify", "--input", gb])
    check("verify: a garbled line named with file:line, exit 1", rc == 1 and "garbled.alerts:2:" in out + err,
          "'garbled.alerts:2: not an alert ...', exit 1", f"exit {rc}")
    # report over a file with malformed records: exit 0, malformed counted in the JSON twin
    html = os.path.join(d, "report.html")
    args = ["report", "--config", CONFIG, "--input", os.path.join(d, "bad.jsonl"), "--out", html]
    rc, out, err = run(args)
    try:
        text = open(os.path.join(d, "report.json")).read()
        m = re.search(r'"malformed":\s*(\d+)', text)
        mal = int(m.group(1)) if m else None
    except OSError:
        mal = None
    check("report over bad.jsonl: the 9 malformed records reported on stderr and counted in the JSON twin",
          rc == 0 and mal == 9 and "bad.jsonl:2:" in err, "exit 0, malformed 9", f"exit {rc}, malformed {mal}",
          show(args))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    d = os.path.abspath(sys.argv[1])
    os.makedirs(d, exist_ok=True)
    probe_help()
    probe_jsonl_bad(d)
    probe_text_traps(d)
    probe_gz_truncated(d)
    probe_avro(d)
    probe_dialects(d)
    probe_truth(d)
    probe_config(d)
    probe_usage(d)
    probe_more_records(d)
    probe_outputs(d)
    probe_scores(d)
    passed = sum(1 for _, ok in RESULTS if ok)
    print(f"\n{passed} PASS, {len(RESULTS) - passed} DIFF of {len(RESULTS)} probes")
    for name, ok in RESULTS:
        if not ok:
            print(f"  DIFF {name}")


if __name__ == "__main__":
    main()
