#!/usr/bin/env python3
"""Figures of the walker benchmark from walker-bench's own JSON (every
case, every size), as the JSON of bench/results/walker.json (the format is
in bench/README.md): the key figures per size as columns, walker-bench's
targets, and all its rows under "raw".

usage: summarize.py WALKER_BENCH.json > walker.json
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import emit_result  # noqa: E402


def size_name(b):
    for unit, shift in (("T", 40), ("G", 30), ("M", 20)):
        if b >= 1 << shift and b % (1 << shift) == 0:
            return "%d%s" % (b >> shift, unit)
    return str(b)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py WALKER_BENCH.json")
    with open(sys.argv[1]) as f:
        raw = json.load(f)
    rows = raw["results"]
    sizes = sorted({r["guest_bytes"] for r in rows})
    cols = [size_name(s) for s in sizes]

    def row(vendor, size, mapping, state, skim=False):
        for r in rows:
            if (r["vendor"], r["guest_bytes"], r["mapping"], r["accessed"], r["skim"]) == \
                    (vendor, size, mapping, state, skim):
                return r
        return None

    def fig(name, unit, f, nd=3):
        vals = {}
        for s, c in zip(sizes, cols):
            try:
                v = f(s)
            except (TypeError, KeyError, ZeroDivisionError):
                v = None
            vals[c] = None if v is None else round(v, nd)
        return {"name": name, "unit": unit, "env": "native", "values": vals}

    # (figure, unit, mapping, case, field of walker-bench's row, digits)
    plain = [
        ("4K idle: ns per leaf", "ns", "4k", "idle", "ns_per_leaf", 3),
        ("4K idle: CPU s per TiB", "s", "4k", "idle", "cpu_s_per_tib", 3),
        ("4K idle: ratio to floor", "ratio", "4k", "idle", "ratio_to_floor", 2),
        ("4K all accessed: ns per leaf", "ns", "4k", "accessed", "ns_per_leaf", 2),
        ("4K all accessed: CPU s per TiB", "s", "4k", "accessed", "cpu_s_per_tib", 2),
        ("4K all accessed: ratio to floor", "ratio", "4k", "accessed", "ratio_to_floor", 1),
        ("  read + locked cmpxchg alone: ns per entry", "ns", "4k", "accessed",
         "cas_ns_per_leaf", 2),
        ("2M idle: CPU s per TiB", "s", "2m", "idle", "cpu_s_per_tib", 4),
        ("2M all accessed: CPU s per TiB", "s", "2m", "accessed", "cpu_s_per_tib", 4),
    ]
    sparse = [("sparse 1% (whole 2M regions): dense / skim", "sparse-1%"),
              ("sparse 1% (1 page per region): dense / skim", "sp-1%x1pg")]
    figs = []
    for v in ("npt", "ept"):
        for label, unit, mapping, case, field, nd in plain:
            figs.append(fig("%s %s" % (v.upper(), label), unit,
                            lambda s: row(v, s, mapping, case)[field], nd))
        for label, case in sparse:
            figs.append(fig("%s %s" % (v.upper(), label), "ratio",
                            lambda s: row(v, s, "4k", case)["ns_per_leaf"] /
                            row(v, s, "4k", case, True)["ns_per_leaf"], 1))
    targets = []
    for t in raw.get("targets", []):
        bound = ("at most %g" % t["at_most"]) if "at_most" in t else \
            ("at least %g" % t["at_least"])
        detail = "%s: %.3g (%s)" % (t["what"], t["measured"], bound)
        if t.get("what_holds_it_back"):
            detail += "; what holds it back: " + t["what_holds_it_back"]
        targets.append({"target": t["name"], "met": t["met"], "detail": detail})
    m = raw.get("machine", {})
    emit_result("walker",
                "Benchmark 1: the walker core on synthetic NPT/EPT tables",
                "native: user space, one thread, on %s (kernel %s, 1-min load %s at the end); "
                "best CPU time of repeated scans; floor = one sequential read of the same "
                "table bytes; not included: mmu_lock, copy_to_user, the kernel's "
                "per-accessed-page hook" % (m.get("cpu"), m.get("kernel"),
                                            m.get("loadavg_1min_at_end")),
                {"chunk_pages": raw.get("chunk_pages"), "sizes": cols,
                 "sparse_regions_touched_every": raw.get("sparse_regions_touched_every")},
                figs, targets, raw)


if __name__ == "__main__":
    main()
