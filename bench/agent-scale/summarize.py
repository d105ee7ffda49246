#!/usr/bin/env python3
"""Figures of the agent-scale benchmark from agent-scale's own JSON (every
size, pattern and placement), as the JSON of bench/results/agent-scale.json
(the format is in bench/README.md): per pattern and placement, the time
per interval by stage, the kernel calls' projected cost, per page, per
TiB, the share of a core, the heap and the floor, one column per size;
the targets of the benchmark issue; everything under "raw".

usage: summarize.py AGENT_SCALE.json > agent-scale.json
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import emit_result  # noqa: E402

TIB = 1 << 40
TARGET_4K_S_PER_TIB = 0.3       # CPU per interval per TiB, syscalls included
TARGET_2M_S_PER_TIB = 0.05
TARGET_BYTES_PER_PAGE = 1.5
TARGET_LINEAR = 1.25            # ns per page over the lowest of smaller guests
PATTERNS = ("4k-scattered", "4k-groups", "2m-mapped")
PLACEMENTS = ("converged", "all-pmem")


def size_name(b):
    for unit, shift in (("T", 40), ("G", 30)):
        if b >= 1 << shift and b % (1 << shift) == 0:
            return "%d%s" % (b >> shift, unit)
    return str(b)


def heap_per_page(c):
    return c["heap"]["peak_bytes_per_page"]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py AGENT_SCALE.json")
    with open(sys.argv[1]) as f:
        raw = json.load(f)
    cases = raw["cases"]
    sizes = sorted({c["guest_bytes"] for c in cases})
    cols = [size_name(s) for s in sizes]
    pats = [p for p in PATTERNS if any(c["pattern"] == p for c in cases)]

    def case(p, pl, size):
        for c in cases:
            if (c["pattern"], c["placement"], c["guest_bytes"]) == (p, pl, size):
                return c
        return None

    def fig(name, unit, p, pl, f, nd):
        vals = {}
        for s, col in zip(sizes, cols):
            c = case(p, pl, s)
            vals[col] = None if c is None else round(f(c), nd)
        return {"name": name, "unit": unit, "env": "native", "values": vals}

    rows = [
        ("agent: scan", "ms", lambda c: c["agent_cpu_s"]["scan"] * 1e3, 2),
        ("agent: locate", "ms", lambda c: c["agent_cpu_s"]["locate"] * 1e3, 2),
        ("agent: plan", "ms", lambda c: c["agent_cpu_s"]["plan"] * 1e3, 2),
        ("agent: move", "ms", lambda c: c["agent_cpu_s"]["move"] * 1e3, 2),
        ("agent: all", "ms", lambda c: c["agent_cpu_s"]["total"] * 1e3, 2),
        ("agent: ns per page", "ns", lambda c: c["agent_ns_per_page"], 2),
        ("agent: page faults", "", lambda c: c["per_interval"]["minor_page_faults"], 0),
        ("kernel calls, projected", "ms", lambda c: c["kernel_projection_s"]["total"] * 1e3, 2),
        ("  of which the module's walk", "ms",
         lambda c: c["kernel_projection_s"]["idle_pages_walk"] * 1e3, 2),
        ("  of which move_pages (locate, moves)", "ms",
         lambda c: (c["kernel_projection_s"]["move_pages_locate"] +
                    c["kernel_projection_s"]["move_pages_move"]) * 1e3, 2),
        ("all: s per TiB", "s", lambda c: c["total_s_per_tib"], 3),
        ("all but the walk: s per TiB", "s", lambda c: c["total_s_per_tib_without_walk"], 3),
        ("share of a core at a 5 s interval", "%", lambda c: c["core_share_at_5s"] * 100, 2),
        ("heap: peak bytes per 4 KiB page", "B", heap_per_page, 3),
        ("agent / floor (reading the stream once)", "x", lambda c: c["ratio_to_floor"], 0),
        ("attach: agent + kernel calls", "s",
         lambda c: c["attach"]["total_cpu_s"], 3),
        ("attach: the interval after it, agent + kernel calls", "s",
         lambda c: c["first_interval"]["total_cpu_s"], 3),
    ]
    figs = []
    for p in pats:
        for pl in PLACEMENTS:
            for label, unit, f, nd in rows:
                figs.append(fig("%s %s, per interval: %s" % (p, pl, label) if not
                                label.startswith(("heap", "attach", "agent /")) else
                                "%s %s: %s" % (p, pl, label), unit, p, pl, f, nd))

    big = sizes[-1]
    bigname = size_name(big)
    targets = []

    def split(c):
        a, k = c["agent_cpu_s"], c["kernel_projection_s"]
        return ("agent %.3f s (scan %.3f, locate %.3f, plan %.3f, move %.3f) + kernel "
                "%.3f s (module's walk %.3f, move_pages locate %.3f, pagemap %.3f, "
                "moves %.3f, other %.4f) = %.3f s per interval for %s, %.3f s per TiB; "
                "without the walk %.3f s per TiB" % (
                    a["total"], a["scan"], a["locate"], a["plan"], a["move"],
                    k["total"], k["idle_pages_walk"], k["move_pages_locate"],
                    k["pagemap_kpageflags"], k["move_pages_move"],
                    k["other_idle_pages_calls"], c["total_cpu_s"], bigname,
                    c["total_s_per_tib"], c["total_s_per_tib_without_walk"]))

    for p, limit in (("4k-scattered", TARGET_4K_S_PER_TIB), ("2m-mapped", TARGET_2M_S_PER_TIB)):
        for pl in PLACEMENTS:
            c = case(p, pl, big)
            if c is None:
                continue
            targets.append({
                "target": "%s %s: at most %g s of CPU per interval per TiB, syscalls included"
                          % (p, pl, limit),
                "met": c["total_s_per_tib"] <= limit,
                "detail": split(c)})
    for p in pats:
        cs = [case(p, pl, big) for pl in PLACEMENTS if case(p, pl, big)]
        worst = max(cs, key=heap_per_page)
        targets.append({
            "target": "%s: at most %g bytes of heap per 4 KiB page" % (p, TARGET_BYTES_PER_PAGE),
            "met": heap_per_page(worst) <= TARGET_BYTES_PER_PAGE,
            "detail": "%s at %s: peak %.3f bytes per page (%.1f MiB, attach %.1f MiB), "
                      "%.3f retained between intervals; the history and placement "
                      "arrays alone are 1.25" % (
                          worst["placement"], bigname, heap_per_page(worst),
                          max(worst["heap"]["interval_peak_bytes"],
                              worst["heap"]["attach_peak_bytes"]) / 2**20,
                          worst["heap"]["attach_peak_bytes"] / 2**20,
                          worst["heap"]["retained_bytes_per_page"])})
    for p in pats:
        worst, detail = 0.0, []
        for pl in PLACEMENTS:
            ns = [(size_name(s), case(p, pl, s)["agent_ns_per_page"]) for s in sizes
                  if case(p, pl, s)]
            for i, (name, v) in enumerate(ns):
                lowest = min(x for _, x in ns[:i + 1])
                worst = max(worst, v / lowest)
            detail.append("%s: %s ns per page" % (pl, ", ".join(
                "%s %.2f" % (name, v) for name, v in ns)))
        targets.append({
            "target": "%s: cost linear from %s to %s (the agent's time per page never "
                      "more than %gx the lowest of any smaller guest)"
                      % (p, cols[0], bigname, TARGET_LINEAR),
            "met": worst <= TARGET_LINEAR,
            "detail": "worst %.2fx; %s" % (worst, "; ".join(detail))})

    m = raw.get("machine", {})
    sc = raw.get("syscalls", {})
    setup = dict(raw.get("setup", {}))
    setup["sizes"] = cols
    emit_result(
        "agent-scale",
        "Benchmark 5: the agent's pipeline at scale, on synthetic guests",
        "native: vmm-agent's own objects (agent_attach, agent_interval: reader, decoder, "
        "hotness, locate, planner, mover) on %s (%s CPUs, kernel %s, 1-min load %s at the "
        "start, %s at the end: other lab VMs were running), one thread, times by the "
        "monotonic clock (the thread never sleeps), best of %s; the kernel faked "
        "(/proc/idle_pages from the module's own encoder, move_pages on a bitmap) and its "
        "real cost, measured here, added: the module's walk (the walker core on synthetic "
        "NPT tables, as benchmark 1: no mmu_lock, copy_to_user or per-accessed-page hook), "
        "move_pages queries and same-node moves (%s NUMA node: no page is copied, so a real "
        "migration's copy is not in it), pagemap and kpageflags reads" % (
            m.get("cpu"), m.get("cpus"), m.get("kernel"), m.get("loadavg_1min_at_start"),
            m.get("loadavg_1min_at_end"), setup.get("tries"), sc.get("numa_nodes")),
        setup, figs, targets, raw)


if __name__ == "__main__":
    main()
