#!/usr/bin/env python3
"""Figures of the overhead benchmark from one lab run's scenario directory
(bench/overhead/overhead.sh), as the JSON of bench/results/overhead.json
(the format is in bench/README.md).

usage: summarize.py SCENARIO_DIR > overhead.json
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import emit, lab_environment, read_kv  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py SCENARIO_DIR")
    top = sys.argv[1]
    sizes = []
    for d in sorted(os.listdir(top), key=lambda s: int(s) if s.isdigit() else -1):
        f = read_kv(os.path.join(top, d, "figures.txt"))
        if d.isdigit() and f.get("window_scans"):
            sizes.append(f)
    if not sizes:
        sys.exit("summarize: no figures.txt with a scan window in %s" % top)
    for f in sizes:
        f["gib"] = f["guest_mib"] / 1024
        f["hwm_mib"] = f["agent_hwm_kib"] / 1024
        f["cpu_per_scan_ms"] = 1000 * f["window_agent_ticks"] / f["clk_tck"] / f["window_scans"]
    figs = []
    for f in sizes:
        tag = "%d MiB guest" % f["guest_mib"]
        figs += [
            {"name": "agent peak memory (VmHWM), %s" % tag, "unit": "MiB", "env": "tcg",
             "value": round(f["hwm_mib"], 2)},
            {"name": "agent peak memory per GiB of guest, %s" % tag, "unit": "MiB/GiB",
             "env": "tcg", "value": round(f["hwm_mib"] / f["gib"], 2)},
            {"name": "agent CPU per scan interval, %s" % tag, "unit": "ms", "env": "tcg",
             "value": round(f["cpu_per_scan_ms"], 2)},
            {"name": "agent CPU per scan per GiB, %s" % tag, "unit": "ms/GiB", "env": "tcg",
             "value": round(f["cpu_per_scan_ms"] / f["gib"], 2)},
        ]
    if len(sizes) >= 2:
        s, l = sizes[0], sizes[-1]
        dg = l["gib"] - s["gib"]
        figs += [
            {"name": "agent memory growth per GiB of guest (slope between the sizes)",
             "unit": "MiB/GiB", "env": "tcg", "value": round((l["hwm_mib"] - s["hwm_mib"]) / dg, 2)},
            {"name": "agent CPU per scan, growth per GiB (slope between the sizes)",
             "unit": "ms/GiB", "env": "tcg",
             "value": round((l["cpu_per_scan_ms"] - s["cpu_per_scan_ms"]) / dg, 2)},
        ]
    for f in sizes:
        if "on_accesses_per_s" not in f:
            continue
        offs = [f[k] for k in ("off1_accesses_per_s", "off2_accesses_per_s") if f.get(k)]
        off = sum(offs) / len(offs) if offs else None
        figs += [
            {"name": "guest throughput without the agent (mean of before and after), %d MiB"
             % f["guest_mib"], "unit": "accesses/s", "env": "tcg",
             "value": round(off) if off else None},
            {"name": "guest throughput with the agent, %d MiB" % f["guest_mib"],
             "unit": "accesses/s", "env": "tcg", "value": f["on_accesses_per_s"]},
            {"name": "guest throughput with / without the agent, %d MiB" % f["guest_mib"],
             "unit": "ratio", "env": "tcg",
             "value": round(f["on_accesses_per_s"] / off, 3) if off else None},
        ]
    emit("overhead", "Benchmark 4: vmm-agent's overhead",
         lab_environment("the test guest a nested KVM domain in it; "
                         "CPU times are L1's emulated CPU seconds"), top, figs, [], sizes)


if __name__ == "__main__":
    main()
