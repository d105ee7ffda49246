#!/usr/bin/env python3
"""Figures of the placement benchmark from one lab run's scenario directory
(bench/placement/placement.sh), as the JSON of bench/results/placement.json
(the format is in bench/README.md).

usage: summarize.py SCENARIO_DIR > placement.json
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import emit, lab_environment, read_json, read_kv  # noqa: E402

WAYS = [("a", "vmm-agent"), ("b", "kernel"), ("c", "none")]


def delta(before, after, key):
    if key in before and key in after:
        return after[key] - before[key]
    return None


def way_figures(d):
    s = read_json(os.path.join(d, "sampler.json"))
    if s is None:
        return None
    before = read_kv(os.path.join(d, "before.txt"))
    after = read_kv(os.path.join(d, "after.txt"))
    tck = after.get("clk_tck", 100)
    w = {"sampler": s, "window_s": delta(before, after, "uptime")}
    for k in ("kthreads", "kswapd0", "kcompactd0", "qemu_sys", "qemu_user",
              "agent", "cpu_busy"):
        v = delta(before, after, k)
        w[k + "_s"] = v / tck if v is not None else None
    w["vmstat"] = {k: delta(before, after, k) for k in after
                   if k.startswith(("numa_", "pgpromote", "pgdemote",
                                    "pgmigrate", "thp_migration"))}
    st = read_json(os.path.join(d, "status.json"))
    if st:
        c = st.get("counters", {})
        w["agent_counters"] = c
        w["own_migrations"] = c.get("promoted_pages", 0) + c.get("demoted_pages", 0)
        hwm = read_kv(os.path.join(d, "agent-hwm.txt")).get("VmHWM:")
        w["agent_hwm_kib"] = float(str(hwm).split()[0]) if hwm else None
    else:
        vm = w["vmstat"]
        w["own_migrations"] = sum(vm.get(k) or 0 for k in vm
                                  if k.startswith(("pgpromote_success",
                                                   "pgdemote_"))) if vm else None
    return w


def pingpong_where(*ways):
    """Where the ping-pong pages are, for the target's detail."""
    parts = []
    for name, w in zip(("vmm-agent", "kernel"), ways):
        for rg in w["sampler"].get("pingpong_ranges", []):
            parts.append("%s: GPA %s, %d pages, up to %d migrations each"
                         % (name, rg["gpa"], rg["pages"], rg["most_migrations"]))
    return " (%s)" % "; ".join(parts) if parts else ""


def per_brought(w):
    """Migrations per hot-window page brought into DRAM: what the moves
    bought. The least for following the hot set under a fixed limit is
    about 2 (each window promoted, the one before demoted)."""
    b = w["sampler"]["hot_pages_brought_to_dram"]
    return round(w["sampler"]["page_migrations"] / b, 2) if b else None


def t99(w, i):
    ph = w["sampler"]["phases"]
    return ph[i]["t99_s"] if i < len(ph) else None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py SCENARIO_DIR")
    top = sys.argv[1]
    ways = {}
    for key, name in WAYS:
        w = way_figures(os.path.join(top, key))
        if w is None:
            sys.exit("summarize: no sampler.json for way %s (%s) in %s" % (key, name, top))
        ways[name] = w
    names = [n for _, n in WAYS]
    base = ways["none"]

    # Tiering CPU: the system's own process (the agent), kswapd (the
    # kernel's demotion) and the QEMU process's system time beyond its rate
    # with no tiering (hint faults and the promotions in them,
    # task_numa_work's scans, refaults after moves). The sum over all
    # kernel threads is kept in "raw" only: kworkers come and go, so it is
    # not a reliable difference; kcompactd is shown apart, as it works
    # after the DRAM hold's reservation whatever the tiering does.
    # A way whose counters were not read after it (the scenario stopped
    # early) has no window: its CPU figures are null, not 0.
    for n in names:
        w = ways[n]
        if base["window_s"] and w["window_s"] and w["qemu_sys_s"] is not None:
            ex_q = w["qemu_sys_s"] - base["qemu_sys_s"] / base["window_s"] * w["window_s"]
        else:
            ex_q = None
        w["excess_qemu_sys_s"] = ex_q
        if n == "none":
            w["tiering_cpu_s"] = 0.0 if w["window_s"] else None
        elif ex_q is None:
            w["tiering_cpu_s"] = None
        else:
            w["tiering_cpu_s"] = (w["agent_s"] or 0) + (w["kswapd0_s"] or 0) + ex_q

    def vals(f):
        return {n: f(ways[n]) for n in names}

    def r(x, nd=2):
        return None if x is None else round(x, nd)

    nph = min(len(ways[n]["sampler"]["phases"]) for n in names)
    figs = []
    for i in range(nph):
        label = ("time to 99% of H in DRAM, phase 1 (switched on at its start)" if i == 0
                 else "time to 99%% of H in DRAM after hot-set move %d" % i)
        figs.append({"name": label, "unit": "s", "env": "tcg",
                     "values": vals(lambda w, i=i: t99(w, i))})
    figs += [
        {"name": "hot window in DRAM when phase 1 began (baseline)", "unit": "pages",
         "env": "tcg", "values": vals(lambda w: w["sampler"]["phases"][0]["hot_in_dram_at_start"])},
        {"name": "guest accesses that hit DRAM (hot window in DRAM, time average)",
         "unit": "%", "env": "tcg",
         "values": vals(lambda w: r(100 * w["sampler"]["dram_share"], 1))},
        {"name": "page migrations (sampled node changes)", "unit": "pages",
         "env": "tcg", "values": vals(lambda w: w["sampler"]["page_migrations"])},
        {"name": "hot-window pages brought into DRAM (sum over phases)", "unit": "pages",
         "env": "tcg", "values": vals(lambda w: w["sampler"]["hot_pages_brought_to_dram"])},
        {"name": "  migrations per hot-window page brought into DRAM", "unit": "ratio",
         "env": "tcg", "values": vals(per_brought)},
        {"name": "  of which migrations of ping-pong pages", "unit": "pages", "env": "tcg",
         "values": vals(lambda w: w["sampler"].get("page_migrations_of_pingpong_pages"))},
        {"name": "pages migrated more than twice (ping-pong)", "unit": "pages",
         "env": "tcg", "values": vals(lambda w: w["sampler"]["pages_pingpong"])},
        {"name": "migrations by the system's own count (kernel: system-wide)", "unit": "pages",
         "env": "tcg", "values": vals(lambda w: w["own_migrations"])},
        {"name": "NUMA hint faults", "unit": "faults", "env": "tcg",
         "values": vals(lambda w: w["vmstat"].get("numa_hint_faults"))},
        {"name": "tiering CPU time (agent + kswapd + QEMU system time beyond none)",
         "unit": "s", "env": "tcg", "values": vals(lambda w: r(w["tiering_cpu_s"]))},
        {"name": "  of which the agent process", "unit": "s", "env": "tcg",
         "values": vals(lambda w: r(w["agent_s"]))},
        {"name": "  of which kswapd (demotion)", "unit": "s", "env": "tcg",
         "values": vals(lambda w: r(w["kswapd0_s"]))},
        {"name": "  of which QEMU system time (faults, NUMA scan work)", "unit": "s",
         "env": "tcg", "values": vals(lambda w: r(w["excess_qemu_sys_s"]))},
        {"name": "QEMU system time in the window (absolute)", "unit": "s", "env": "tcg",
         "values": vals(lambda w: r(w["qemu_sys_s"]))},
        {"name": "tiering CPU, share of one CPU", "unit": "%", "env": "tcg",
         "values": vals(lambda w: None if w["tiering_cpu_s"] is None else
                        r(100 * w["tiering_cpu_s"] / w["sampler"]["secs"], 1))},
        {"name": "kcompactd CPU time (not counted above)", "unit": "s", "env": "tcg",
         "values": vals(lambda w: r(w["kcompactd0_s"]))},
        {"name": "time measured (tiering on)", "unit": "s", "env": "tcg",
         "values": vals(lambda w: r(w["sampler"]["secs"], 1))},
        {"name": "guest DRAM use, peak", "unit": "MiB", "env": "tcg",
         "values": vals(lambda w: r(w["sampler"]["dram_pages_max"] / 256, 1))},
        {"name": "cold-window pages in DRAM at the end", "unit": "pages", "env": "tcg",
         "values": vals(lambda w: w["sampler"]["cold_area_dram_pages_end"])},
        {"name": "guest throughput", "unit": "accesses/s", "env": "tcg",
         "values": vals(lambda w: r(w["sampler"]["guest_accesses_per_s"], 0))},
    ]
    bt = base["sampler"]["guest_accesses_per_s"]
    figs.append({"name": "guest throughput / throughput with no tiering",
                 "unit": "ratio", "env": "tcg",
                 "values": vals(lambda w: r(w["sampler"]["guest_accesses_per_s"] / bt, 3)
                                if bt and w["sampler"]["guest_accesses_per_s"] else None)})

    a, k = ways["vmm-agent"], ways["kernel"]
    inf = float("inf")
    ta = [t99(a, i) for i in range(nph)]
    tk = [t99(k, i) for i in range(nph)]
    sooner = all((x if x is not None else inf) < (y if y is not None else inf)
                 for x, y in zip(ta, tk))
    ma, mk = a["sampler"]["page_migrations"], k["sampler"]["page_migrations"]
    pa, pk = a["sampler"]["pages_pingpong"], k["sampler"]["pages_pingpong"]
    fmt = lambda ts: ", ".join("never" if t is None else "%.1f s" % t for t in ts)
    targets = [
        {"target": "vmm-agent reaches 99% of H in DRAM sooner than the kernel's tiering",
         "met": sooner,
         "detail": "per phase: vmm-agent %s; kernel %s (sampling every %g s)"
                   % (fmt(ta), fmt(tk), a["sampler"]["interval_s"])},
        {"target": "fewer migrations than the kernel's tiering", "met": ma < mk,
         "detail": "%d against %d page migrations (sampled), bringing %d against %d "
                   "hot-window pages into DRAM (%s against %s migrations per page brought)"
                   % (ma, mk, a["sampler"]["hot_pages_brought_to_dram"],
                      k["sampler"]["hot_pages_brought_to_dram"], per_brought(a), per_brought(k))},
        {"target": "less ping-pong than the kernel's tiering",
         "met": pa < pk or pa == pk == 0,
         "detail": "%d against %d pages migrated more than twice%s%s"
                   % (pa, pk, " (neither ping-ponged)" if pa == pk == 0 else "",
                      pingpong_where(a, k))},
    ]
    notes = ["way %s (%s): no counters after it (the scenario stopped early): "
             "its CPU and /proc/vmstat figures are null, and so is every way's QEMU "
             "system time beyond way c" % (key, name) if name == "none" else
             "way %s (%s): no counters after it: its CPU and /proc/vmstat figures are null"
             % (key, name) for key, name in WAYS if not ways[name]["window_s"]]
    emit("placement",
         "Benchmark 3: placement, vmm-agent against the kernel's tiering and nothing",
         lab_environment("the test guest a nested KVM domain in it; "
                         "DRAM and PMEM run at the same emulated speed"),
         top, figs, targets, ways, notes)


if __name__ == "__main__":
    main()
