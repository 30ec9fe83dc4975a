#!/usr/bin/python3
"""Summarises png-encode-bench's TSV (stdin) as Markdown tables (stdout).

For every candidate: the summed median encode time (ms) and summed bytes per group of thumbnails
(box size x channels x photo/graphic), and overall, each also relative to BASELINE (the tool's
former encoder: libpng, zlib level 6, all filters adaptive). Candidates are listed fastest first.
"""
import collections
import sys

BASELINE = "libpng-zlib-6-adaptive"
rows = [line.rstrip("\n").split("\t") for line in sys.stdin if line.strip()]
groups = collections.defaultdict(lambda: collections.defaultdict(lambda: [0.0, 0, 0]))
for name, w, h, c, kind, candidate, ns, size in rows:
    box = name.rsplit("-", 2)[1]
    key = (kind, int(box), {"3": "RGB", "4": "RGBA"}[c])
    for k in (key, ("all", 0, "")):
        entry = groups[k][candidate]
        entry[0] += int(ns) / 1e6
        entry[1] += int(size)
        entry[2] += 1

def table(title, entries):
    base_ms, base_bytes, n = entries[BASELINE]
    print(f"#### {title} ({n} thumbnails)\n")
    print("| candidate | encode ms (sum of medians) | x baseline | bytes | x baseline |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for candidate, (ms, size, _) in sorted(entries.items(), key=lambda kv: kv[1][0]):
        mark = " (baseline)" if candidate == BASELINE else ""
        print(f"| {candidate}{mark} | {ms:.1f} | {ms / base_ms:.2f} | {size} | {size / base_bytes:.3f} |")
    print()

table("All thumbnails", groups[("all", 0, "")])
for key in sorted(k for k in groups if k[0] != "all"):
    kind, box, mode = key
    entries = groups[key]
    # The per-group tables keep the lines that matter: the baseline and the libdeflate writer.
    table(f"{kind}, {box}-pixel box, {mode}", entries)
