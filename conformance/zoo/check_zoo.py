#!/usr/bin/env python3
"""The bug zoo's check: historical npm versions with known input-triggered bugs must be flagged.

    check_zoo.py SIOCONF [--table]

For each entry of zoo.json (a package, the vulnerable version, the version that fixed it and the
vector ids that must flag the bug), the Node adapter is run with the vulnerable and then the fixed
version loaded (--modules: a folder of links to this folder's node_modules), over the listed
vectors of corpus/spec, in two adapter styles:

  pending  the adapter protocol's answer for input that ends inside an item ("pending": true)
  error    the answer adapters wrote before the protocol had one: the error "truncated"

Every listed vector must be FAIL (not NON-STRICT, not ERROR) on the vulnerable version and PASS
(or the verdict the entry documents in "fixed_verdicts") on the fixed one, in both styles: the
verdict must not depend on how an adapter says that the input ended early. The packages an entry
does not name are the Node peer's pinned copies (conformance/adapters/node). An entry's
"node_options" go to node for both versions: a bug that only costs memory (CVE-2020-36049) shows
as a crash (FAIL) of the vulnerable version in a small heap that the fixed one fits in.

--table prints the results as a Markdown table, a row per entry (README.md holds it). Exit 0 when every
expectation holds, 1 otherwise, 77 when node or the zoo's node_modules are missing (npm ci here;
ci/setup does it).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PEER = ROOT / "conformance" / "adapters" / "node"
PACKAGES = ("socket.io-parser", "engine.io-parser", "ws")
STYLES = ("pending", "error")


def modules_folder(work, entry, version):
    """A node_modules folder holding `version` of the entry's package and the peer's others."""
    folder = work / f"{entry['package']}-{version}"
    if folder.exists():
        return folder
    folder.mkdir()
    for name in PACKAGES:
        target = HERE / "node_modules" / f"{name}-{version}" if name == entry["package"] else PEER / "node_modules" / name
        if not (target / "package.json").is_file():
            raise SystemExit(f"check_zoo: {target} is missing (npm ci in {HERE})")
        os.symlink(target, folder / name)
    return folder


def verdicts(sioconf, modules, node_options, ids):
    """{style: {id: result}}: the runner's verdicts with the Node adapter over `modules`, once
    per style (one run, an --adapter per style)."""
    report = modules / "report.json"
    command = [sioconf, "vectors", "--json", str(report)]
    for style in STYLES:
        command += ["--adapter", f"node {' '.join(node_options)} '{PEER / 'adapter.js'}' --modules '{modules}' "
                                 f"--end-of-input {style}"]
    for i in ids:
        command += ["--case", i]
    command.append(str(ROOT / "corpus" / "spec"))
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    doc = json.loads(report.read_text())
    keys = [impl["key"] for impl in doc["implementations"]]  # in --adapter order
    found = {c["id"]: c["results"] for c in doc["cases"]}
    missing = {"verdict": "(no such vector)", "why": ""}
    return {style: {i: found.get(i, {}).get(key, missing) for i in ids} for style, key in zip(STYLES, keys)}


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    sioconf, table = args[0], "--table" in args[1:]
    if shutil.which("node") is None:
        print("SKIP: node is not installed")
        return 77
    if not (HERE / "node_modules").is_dir() or not (PEER / "node_modules").is_dir():
        print(f"SKIP: npm ci in {HERE} and {PEER} first (ci/setup)")
        return 77
    zoo = json.loads((HERE / "zoo.json").read_text())["entries"]
    if table:
        print("| versions | CVE | bug | vectors | vulnerable | fixed |")
        print("|---|---|---|---|---|---|")
    problems, rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for entry in zoo:
            ids = entry["vectors"]
            wanted = {"vulnerable": {i: "FAIL" for i in ids},
                      "fixed": {i: entry.get("fixed_verdicts", {}).get(i, "PASS") for i in ids}}
            seen = {}
            for which in ("vulnerable", "fixed"):
                version = entry[which]
                modules = modules_folder(work, entry, version)
                for style, results in verdicts(sioconf, modules, entry.get("node_options", []), ids).items():
                    for i, result in results.items():
                        seen[(which, style, i)] = result["verdict"]
                        if result["verdict"] != wanted[which][i]:
                            problems.append(f"{entry['package']}@{version} ({style} style): {i} is "
                                            f"{result['verdict']}, expected {wanted[which][i]}: {result.get('why', '')[:300]}")
            versions = f"{entry['package']} {entry['vulnerable']} → {entry['fixed']}"
            for i in ids:
                before = "/".join(sorted({seen[("vulnerable", s, i)] for s in STYLES}))
                after = "/".join(sorted({seen[("fixed", s, i)] for s in STYLES}))
                rows.append((versions, i, before, after))
            if table:
                def verdicts_of(which):
                    return "/".join(sorted({seen[(which, s, i)] for s in STYLES for i in ids}))
                print(f"| {versions} | {entry.get('cve') or '—'} | {entry['bug']} | "
                      f"{' '.join(f'`{i}`' for i in ids)} | {verdicts_of('vulnerable')} | {verdicts_of('fixed')} |")
    if not table:
        for r in rows:
            print(f"{r[0]:40} {r[1]:44} {r[2]:>10} -> {r[3]}")
    for p in problems:
        print("FAIL: " + p)
    print(f"bug zoo: {len(zoo)} entries, {len(rows)} vectors x 2 versions x {len(STYLES)} adapter styles, "
          f"{len(problems)} unexpected verdicts")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
