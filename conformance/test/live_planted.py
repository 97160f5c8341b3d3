#!/usr/bin/env python3
"""`sioconf live` against a broken server: SIOCONF is a twin of the `sioconf` command whose
`sioconf serve` has one planted defect (planted/README.md). Runs

    SIOCONF live --server "broken=SIOCONF serve --port {port} [SERVE_ARG...]" --case CASE... \\
                 --json JSON CORPUS

and reads the JSON report: every listed case (<scenario id>@<transport>) must be FAIL (with WHY in
its reason when given). Exit status 0 when they all are: the runner caught the defect; 1 when one
is not (PASS, ERROR, another reason, or missing from the report), printing what it saw.

With --control, SIOCONF is the unbroken `sioconf`: the same run and the same check, which must
find every case PASS and so exit 1; the control then exits 0 (and 1 otherwise). It shows that the
check can fail (conformance.live-planted.unbroken-control).
"""
import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time


def run_live(args):
    server = " ".join([shlex.quote(args.sioconf), "serve", "--port", "{port}"] +
                      [shlex.quote(arg) for arg in args.serve_arg])
    command = [args.sioconf, "live", "--server", "broken=" + server]
    for case in args.cases:
        command += ["--case", case]
    command += ["--json", args.json, args.corpus]
    print("$ " + shlex.join(command))

    def no_core_files():  # a defect may abort the server (inherited by the servers it starts)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    if os.path.exists(args.json):  # never judge an earlier run's report
        os.remove(args.json)
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout,
                              preexec_fn=no_core_files)
    except subprocess.TimeoutExpired:
        print(f"sioconf live did not finish within {args.timeout} s")
        return None
    print(f"sioconf live exited {done.returncode} after {time.monotonic() - started:.1f} s")
    print("\n".join(done.stdout.rstrip().splitlines()[-4:]))
    if done.stderr.strip():
        print("stderr: " + done.stderr.strip()[-2000:])
    try:
        with open(args.json, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"no report in {args.json}: {e}")
        return None


def verdicts(report, cases):
    """{case id: (verdict, why)} of the server "broken", for the listed cases found."""
    seen = {}
    for case in report.get("cases", []):
        if case.get("id") in cases:
            result = case.get("results", {}).get("broken", {})
            seen[case["id"]] = (result.get("verdict", "?"), result.get("why", ""))
    return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sioconf", required=True, help="the twin (or, with --control, the unbroken sioconf)")
    parser.add_argument("--corpus", required=True, help="corpus/live")
    parser.add_argument("--json", required=True, help="where the runner writes its report")
    parser.add_argument("--serve-arg", action="append", default=[], help="an argument of `sioconf serve`")
    parser.add_argument("--why", default="", help="what each case's reason must contain")
    parser.add_argument("--timeout", type=float, default=240, help="seconds the run may take")
    parser.add_argument("--control", action="store_true", help="the server is unbroken: the check must fail")
    parser.add_argument("cases", nargs="+", metavar="CASE", help="<scenario id>@<transport>")
    args = parser.parse_args()

    report = run_live(args)
    seen = verdicts(report, set(args.cases)) if report is not None else {}
    caught = []
    for case in args.cases:
        verdict, why = seen.get(case, ("MISSING", "not in the report"))
        ok = verdict == "FAIL" and args.why in why
        caught.append(ok)
        note = "" if ok or verdict != "FAIL" else f"  (the reason lacks '{args.why}')"
        print(f"{verdict:<10} {case}: {why[:300]}{note}")
    status = 0 if report is not None and all(caught) else 1
    if not args.control:
        print("OK: every listed case FAILs against the broken server" if status == 0 else
              "NOT CAUGHT: a listed case did not FAIL against the broken server")
        return status
    # The control: the check above must fail, and for the right reason (every case PASS).
    passed = report is not None and all(seen.get(case, ("MISSING",))[0] == "PASS" for case in args.cases)
    print(f"the check exits {status} against the unbroken server")
    if status == 1 and passed:
        print("OK (control): every listed case PASSes against the unbroken server, so the check fails there")
        return 0
    print("CONTROL FAILED: against the unbroken server every listed case must PASS and the check exit 1")
    return 1


if __name__ == "__main__":
    sys.exit(main())
