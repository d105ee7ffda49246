"""Shared by the benchmarks' summarize.py scripts: reading the files a lab
scenario leaves, and writing a result in the form of bench/README.md."""
import datetime
import json
import os
import subprocess
import sys


def read_kv(path):
    """'key value' lines; values that are numbers become numbers."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split(None, 1)
                if len(parts) != 2:
                    continue
                v = parts[1].strip()
                try:
                    out[parts[0]] = float(v)
                except ValueError:
                    out[parts[0]] = v
    except OSError:
        pass
    return out


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def tree_version():
    """The commit measured, "-dirty" if the working tree had changes."""
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    try:
        return subprocess.run(["git", "-C", top, "describe", "--always", "--dirty"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def lab_environment(rest):
    """The "environment" of a lab benchmark: TCG as the lab runs it (the
    QEMU version and L1's CPUs as bench/lib.sh read them from the lab
    runner's output), then REST."""
    qemu = os.environ.get("BENCH_LAB_QEMU") or "QEMU (version not recorded)"
    cpus = os.environ.get("BENCH_LAB_CPUS") or "vCPUs not recorded"
    return "tcg: L1 under %s multi-threaded TCG, %s; %s" % (qemu, cpus, rest)


def emit_result(name, title, environment, setup, figures, targets, raw, **extra):
    """Prints the result JSON of benchmark NAME (the form of bench/README.md)."""
    out = {
        "benchmark": name,
        "title": title,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": os.environ.get("BENCH_COMMAND", "bench/%s/run" % name),
        "tree": tree_version(),
        **extra,
        "environment": environment,
        "setup": setup,
        "figures": figures,
        "targets": targets,
        "raw": raw,
    }
    json.dump(out, sys.stdout, indent=1)
    print()


def emit(name, title, environment, scenario_dir, figures, targets, raw, notes=None):
    """Prints the result JSON of lab benchmark NAME made from SCENARIO_DIR;
    NOTES: what the run left unmeasured, in words."""
    extra = {"notes": notes} if notes else {}
    emit_result(name, title, environment,
                read_kv(os.path.join(scenario_dir, "setup.txt")), figures, targets, raw,
                lab_run=os.path.dirname(os.path.abspath(scenario_dir)),
                # The host's load around the lab run: other work on the
                # host's cores slows L1 down, unevenly across a run.
                host_loadavg=os.environ.get("BENCH_HOST_LOAD"), **extra)
