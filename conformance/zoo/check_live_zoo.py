#!/usr/bin/env python3
"""The live bug zoo's check: historical server versions with known input-triggered bugs must be
flagged by the live scenarios that cover them.

    check_live_zoo.py SIOCONF [--table] [--jobs N]

For each entry of zoo.json's "live" section (a package, the vulnerable and the fixed version, the
live_server.js arguments that run each, the scenario cases), one run of

    SIOCONF live --shaping whole --server vulnerable="node live_server.js ARGS" \\
                 --server fixed="node live_server.js ARGS" --case ID ... --json F corpus/live

Every listed case must have the entry's expected verdict on each side ("expected": a verdict for
every case, or case id -> verdict; FAIL on the vulnerable side, PASS on the fixed one unless the
entry documents otherwise) and, where the entry gives one, a reason ("why") matching its regular
expression: for a bug the verdict alone cannot tell (both sides FAIL, for different reasons).
Before the run, `live_server.js ARGS --versions` must report the versions the entry's "stack"
lists for each side, so a reinstall that slid a dependency is caught rather than tested.

Only the written-whole shaping runs (--shaping whole): the bugs need their bytes in one write, and
the other shapings would triple the time. Entries run --jobs at a time (default 2; one entry spends
most of its 20 s waiting for a server that the runner's probe rejects, see zoo.json).

Prints a line per case (the verdict on each side, ok or MISMATCH) and per entry the stacks, the
server restarts and the time; --table prints the README's Markdown rows instead. Exit 0 when every
expectation holds, 1 otherwise, 77 when node, the zoo's node_modules (npm ci here; ci/setup does
it), an alias an entry names, or the Node peer's node_modules (the default socket.io) are missing.
"""
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PEER = ROOT / "conformance" / "adapters" / "node"
SERVER = HERE / "live_server.js"
SIDES = ("vulnerable", "fixed")
ALIAS_OPTIONS = ("--socketio", "--engineio", "--ws")


def server_command(args):
    return " ".join(["node", shlex.quote(str(SERVER))] + [shlex.quote(a) for a in args])


def aliases(entry):
    """The node_modules aliases an entry's server arguments name."""
    found = []
    for side in SIDES:
        args = entry["server"][side]
        found += [args[i + 1] for i in range(len(args) - 1) if args[i] in ALIAS_OPTIONS and "/" not in args[i + 1]]
    return found


def stack_problems(entry):
    """Differences between the versions live_server.js reports and the entry's "stack"."""
    problems, seen = [], {}
    for side in SIDES:
        out = subprocess.run(["node", str(SERVER)] + entry["server"][side] + ["--versions"],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            problems.append(f"{side}: live_server.js --versions failed: {out.stderr.strip()[:300]}")
            continue
        running = json.loads(out.stdout)
        seen[side] = running
        for name, version in entry.get("stack", {}).get(side, {}).items():
            got = running.get(name, {}).get("version")
            if got != version:
                problems.append(f"{side}: {name} is {got} ({running.get(name, {}).get('path')}), expected {version} "
                                f"(npm ci in {HERE}; package.json's overrides pin it)")
    return problems, seen


def expected(entry, side, case):
    want = entry["expected"][side]
    return want if isinstance(want, str) else want.get(case, "(not listed)")


def run_entry(sioconf, entry, work):
    """One sioconf live run for the entry: {"results": {side: {case: result}}, ...}."""
    label = f"{entry['package']}-{entry['vulnerable']}-{entry['fixed']}"
    report = work / f"{label}.json"
    command = [sioconf, "live", "--shaping", "whole", "--json", str(report)]
    for side in SIDES:
        command += ["--server", f"{side}={server_command(entry['server'][side])}"]
    for case in entry["cases"]:
        command += ["--case", case]
    command.append(str(ROOT / "corpus" / "live"))
    start = time.monotonic()
    try:
        out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
        tail = out.stdout[-600:] + out.stderr[-600:]
    except subprocess.TimeoutExpired:
        tail = "sioconf live did not finish within 240 s"
    elapsed = time.monotonic() - start
    if not report.is_file():
        return {"error": f"no report from sioconf live: {tail.strip()}", "seconds": elapsed}
    doc = json.loads(report.read_text())
    missing = {"verdict": "(no such case)", "why": ""}
    found = {c["id"]: c["results"] for c in doc["cases"]}
    return {
        "results": {side: {case: found.get(case, {}).get(side, missing) for case in entry["cases"]} for side in SIDES},
        "restarts": {impl["key"]: impl.get("restarts", 0) for impl in doc["implementations"]},
        "seconds": elapsed,
    }


def versions_label(entry):
    return f"{entry['package']} {entry['vulnerable']} → {entry['fixed']}"


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    sioconf, table, jobs = args[0], "--table" in args[1:], 2
    if "--jobs" in args[1:]:
        jobs = max(1, int(args[args.index("--jobs") + 1]))
    if shutil.which("node") is None:
        print("SKIP: node is not installed")
        return 77
    if not (HERE / "node_modules").is_dir() or not (PEER / "node_modules").is_dir():
        print(f"SKIP: npm ci in {HERE} and {PEER} first (ci/setup)")
        return 77
    zoo = json.loads((HERE / "zoo.json").read_text())["live"]
    absent = sorted({a for e in zoo for a in aliases(e) if not (HERE / "node_modules" / a / "package.json").is_file()})
    if absent:
        print(f"SKIP: {', '.join(absent)} not installed: npm ci in {HERE} (ci/setup)")
        return 77

    problems = []
    stacks = []
    for entry in zoo:
        p, seen = stack_problems(entry)
        problems += [f"{versions_label(entry)}: {x}" for x in p]
        stacks.append(seen)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = list(pool.map(lambda e: run_entry(sioconf, e, Path(tmp)), zoo))
    total = time.monotonic() - started

    if table:
        print("| versions | CVE | bug | scenario cases | vulnerable | fixed |")
        print("|---|---|---|---|---|---|")
    for entry, run, seen in zip(zoo, runs, stacks):
        label = versions_label(entry)
        if "error" in run:
            problems.append(f"{label}: {run['error']}")
            continue
        verdicts = {side: [] for side in SIDES}
        for case in entry["cases"]:
            row = []
            for side in SIDES:
                result = run["results"][side][case]
                want = expected(entry, side, case)
                pattern = entry.get("why", {}).get(side)
                verdicts[side].append(result["verdict"])
                ok = result["verdict"] == want and (pattern is None or re.search(pattern, result.get("why", "")))
                if not ok:
                    problems.append(f"{label}: {case} on the {side} server ({' '.join(entry['server'][side])}) is "
                                    f"{result['verdict']}, expected {want}"
                                    f"{f' with a reason matching {pattern!r}' if pattern else ''}: "
                                    f"{result.get('why', '')[:400]}")
                row.append((result["verdict"], ok))
            if not table:
                status = "ok" if all(ok for _, ok in row) else "MISMATCH"
                print(f"{label:28} {case:48} {row[0][0]:>10} -> {row[1][0]:10} {status}")
        if table:
            cases = " ".join(f"`{c}`" for c in entry["cases"])
            shown = {side: "/".join(sorted(set(verdicts[side]))) +
                     (f" ({entry['why_label'][side]})" if side in entry.get("why_label", {}) else "") for side in SIDES}
            print(f"| {label} | {entry.get('cve') or '—'} | {entry['bug']} | {cases} | "
                  f"{shown['vulnerable']} | {shown['fixed']} |")
        else:
            for side in SIDES:
                running = seen.get(side, {})
                print(f"{'':28}   {side}: " + ", ".join(f"{n} {r['version']}" for n, r in running.items()) +
                      f"; {run['restarts'].get(side, 0)} restart(s)")
            print(f"{'':28}   {run['seconds']:.1f} s")
    for p in problems:
        print("FAIL: " + p)
    cases = sum(len(e["cases"]) for e in zoo)
    print(f"live bug zoo: {len(zoo)} entries, {cases} cases x 2 versions, {len(problems)} unexpected results, "
          f"{total:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
