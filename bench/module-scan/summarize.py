#!/usr/bin/env python3
"""Figures of the module-scan benchmark from one lab run's scenario
directory (bench/module-scan/module-scan.sh, whose scan-bench wrote
results.jsonl), as the JSON of bench/results/module-scan.json (the format
is in bench/README.md).

usage: summarize.py SCENARIO_DIR > module-scan.json
"""
import json
import os
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import emit, lab_environment  # noqa: E402

GIB = 1 << 30
CASES = ["accessed", "idle", "idle-skim"]


def case_figures(line, floor_wall):
    rs = line["rounds"]
    # The first accessed round also holds the guest's start-up.
    steady = rs[1:] if line["label"] == "accessed" and len(rs) > 1 else rs
    pages = steady[0]["pages_scanned"]
    # The best round's wall time: the scanning thread runs alone in L1
    # (the guest stopped), and L1's CPU-time clocks are coarse (its TSC is
    # unstable under TCG: a 0.8 ms read can show 0 s of CPU).
    wall = min(r["wall_s"] for r in steady)
    return {
        "mode": line["mode"],
        "rounds_measured": len(steady),
        "pages_scanned": pages,
        "accessed_fraction_min": min(r["pages_accessed"] / max(r["pages_scanned"], 1)
                                     for r in steady),
        "page_sizes_seen": steady[0]["page_sizes_seen"],
        "scan_wall_s": wall,
        "scan_wall_s_median": statistics.median(r["wall_s"] for r in steady),
        "scan_cpu_s_median": statistics.median(r["cpu_s"] for r in steady),
        "wall_s_per_gib": wall / (pages * 4096 / GIB),
        "ratio_to_floor": wall / floor_wall,
        "close_s": max(r["close_s"] for r in steady),
        "max_lock_hold_ns": max(r["max_lock_hold_ns"] for r in rs),
        "median_round_max_lock_hold_ns": statistics.median(r["max_lock_hold_ns"] for r in rs),
        "rounds": rs,
    }


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py SCENARIO_DIR")
    top = sys.argv[1]
    try:
        with open(os.path.join(top, "results.jsonl")) as f:
            lines = [json.loads(x) for x in f if x.strip()]
        guest = next(x for x in lines if x["kind"] == "guest")
        floor = next(x for x in lines if x["kind"] == "floor")
    except (OSError, ValueError, StopIteration) as e:
        sys.exit("summarize: no complete results.jsonl in %s (%s)" % (top, e))
    floor_wall = min(r["wall_s"] for r in floor["rounds"])
    cases = {x["label"]: case_figures(x, floor_wall) for x in lines
             if x["kind"] == "scan" and x["label"] in CASES}
    missing = [c for c in CASES if c not in cases]
    if missing:
        sys.exit("summarize: no scan case %s in %s" % (", ".join(missing), top))

    def vals(f, nd=3):
        return {c: round(f(cases[c]), nd) for c in CASES}

    figs = [
        {"name": "pages scanned (4 KiB, the whole guest)", "unit": "pages", "env": "tcg",
         "values": vals(lambda c: c["pages_scanned"], 0)},
        {"name": "share of pages found accessed (lowest round)", "unit": "%", "env": "tcg",
         "values": vals(lambda c: 100 * c["accessed_fraction_min"], 1)},
        {"name": "full scan, best round (wall time: open, SET_PID, reads)", "unit": "ms",
         "env": "tcg", "values": vals(lambda c: 1e3 * c["scan_wall_s"])},
        {"name": "full scan, median round", "unit": "ms",
         "env": "tcg", "values": vals(lambda c: 1e3 * c["scan_wall_s_median"])},
        {"name": "time per GiB of guest memory (best round)", "unit": "ms/GiB", "env": "tcg",
         "values": vals(lambda c: 1e3 * c["wall_s_per_gib"], 2)},
        {"name": "ratio to reading the same page-table bytes in the same VM",
         "unit": "ratio", "env": "tcg", "values": vals(lambda c: c["ratio_to_floor"], 2)},
        {"name": "longest mmu_lock hold, all rounds", "unit": "us", "env": "tcg",
         "values": vals(lambda c: c["max_lock_hold_ns"] / 1e3, 1)},
        {"name": "longest mmu_lock hold, median round", "unit": "us", "env": "tcg",
         "values": vals(lambda c: c["median_round_max_lock_hold_ns"] / 1e3, 1)},
        {"name": "TLB flush at close(2), longest", "unit": "ms", "env": "tcg",
         "values": vals(lambda c: 1e3 * c["close_s"])},
        {"name": "floor: sequential read of %d bytes of page tables" % floor["bytes"],
         "unit": "ms", "env": "tcg", "value": round(1e3 * floor_wall, 4)},
    ]
    emit("module-scan",
         "Benchmark 2: full scans of a nested guest through /proc/idle_pages",
         lab_environment(
             "the test guest (%d MiB, 4 KiB-backed, sweeping all of it between accessed "
             "scans, stopped during each scan) nested under KVM with AMD NPT; a scan = "
             "open, SET_PID, read to the end, close; under TCG a lock hold also lasts "
             "while the host deschedules L1's vCPU thread" % guest["area_mib"]),
         top, figs, [],
         {"guest": guest, "floor": floor, "cases": cases})


if __name__ == "__main__":
    main()
