#!/usr/bin/env python3
"""Prints benchmark results (bench/results/*.json) as one table.

A file in the format of bench/README.md ("figures", "targets") is printed
figure by figure, one column per system compared; any other JSON object
as its short fields and its lists of records as tables, so every
benchmark shows up.

usage: table.py RESULT.json...
"""
import json
import sys


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return "%d" % v
        return "%.4g" % v if abs(v) < 1e6 else "%.0f" % v
    return str(v)


def is_scalar(v):
    return v is None or isinstance(v, (str, int, float, bool))


def print_other(res):
    """A result in another form: its short scalar fields, each list of
    records as a table of their scalar fields, and a "targets" list."""
    for k, v in res.items():
        if k in ("benchmark", "title", "targets"):
            continue
        if is_scalar(v) and not (isinstance(v, str) and len(v) > 100):
            print("   %s: %s" % (k, fmt(v)))
        elif isinstance(v, str):
            print("   %s: %s..." % (k, v[:100]))
        elif isinstance(v, dict) and all(is_scalar(x) for x in v.values()):
            print("   %s: %s" % (k, ", ".join("%s=%s" % (a, fmt(b)) for a, b in v.items())))
    for k, v in res.items():
        if k == "targets" or not isinstance(v, list) or not v or \
                not all(isinstance(x, dict) for x in v):
            continue
        cols = [c for c in v[0] if all(is_scalar(x.get(c)) for x in v)]
        print("   %s:" % k)
        print_rows([tuple(cols)] + [tuple(fmt(x.get(c)) for c in cols) for x in v])
    for t in res.get("targets", []):
        if isinstance(t, dict):
            met = t.get("met")
            state = "MET" if met is True else "NOT MET" if met is False else "n/a"
            rest = ", ".join("%s=%s" % (a, fmt(b)) for a, b in t.items()
                             if a not in ("met", "name", "target") and is_scalar(b))
            print("   target %s: %s -- %s" % (state, t.get("name") or t.get("target", ""), rest))


def print_rows(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  " + "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                               for i, c in enumerate(r)).rstrip())


def print_result(path, res):
    name = res.get("benchmark") or path
    print("== %s" % (res.get("title") or name))
    meta = [res.get(k) for k in ("date", "command") if res.get(k)]
    if res.get("tree"):
        meta.append("tree " + res["tree"])
    if res.get("host_loadavg"):
        meta.append("host load " + res["host_loadavg"])
    if meta:
        print("   %s" % "; ".join(meta))
    if res.get("environment"):
        print("   %s" % res["environment"])
    for note in res.get("notes") or []:
        print("   NOTE: %s" % note)
    figs = res.get("figures")
    if not isinstance(figs, list):
        print_other(res)
        return
    # Figures with one value per system share a header; single values follow.
    cols = []
    for f in figs:
        for k in (f.get("values") or {}):
            if k not in cols:
                cols.append(k)
    multi = [f for f in figs if "values" in f]
    if multi:
        rows = [("figure", "unit", "env", *cols)]
        rows += [(f["name"], f.get("unit", ""), f.get("env", ""),
                  *(fmt(f["values"].get(c)) for c in cols)) for f in multi]
        print_rows(rows)
    single = [f for f in figs if "values" not in f]
    if single:
        rows = [("figure", "unit", "env", "value")]
        rows += [(f["name"], f.get("unit", ""), f.get("env", ""), fmt(f.get("value")))
                 for f in single]
        print_rows(rows)
    for t in res.get("targets", []):
        met = t.get("met")
        state = "MET" if met is True else "NOT MET" if met is False else "n/a"
        print("   target %s: %s -- %s" % (state, t.get("target", ""), t.get("detail", "")))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: table.py RESULT.json...")
    status = 0
    for i, path in enumerate(sys.argv[1:]):
        if i:
            print()
        try:
            with open(path) as f:
                res = json.load(f)
        except (OSError, ValueError) as e:
            print("== %s: unreadable (%s)" % (path, e))
            status = 1
            continue
        print_result(path, res if isinstance(res, dict) else {"value": res})
    return status


if __name__ == "__main__":
    sys.exit(main())
