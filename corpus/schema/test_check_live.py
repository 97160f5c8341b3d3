#!/usr/bin/env python3
"""Shows check_live.py passes the real corpus and can fail: runs it over the corpus (exit status 0
expected), then over each folder of the test-bad folder (one deliberate mistake each; a folder with
a COVERAGE.md checks that file against its scenarios) and expects exit status 1 and the problem
named in that folder's expect.txt.

    test_check_live.py [TEST_BAD_FOLDER [CORPUS]]

TEST_BAD_FOLDER is test-bad-live/ by default (server scenarios, corpus/live); for
test-bad-live-client/ the corpus is corpus/live-client (client scenarios). CORPUS overrides it.
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKER = HERE / "check_live.py"
CORPORA = {"test-bad-live": HERE.parent / "live", "test-bad-live-client": HERE.parent / "live-client"}


def run(args):
    done = subprocess.run([sys.executable, str(CHECKER), "--quiet", *map(str, args)],
                          capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def main():
    cases_root = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "test-bad-live"
    if len(sys.argv) > 2:
        corpus = Path(sys.argv[2])
    else:
        corpus = CORPORA.get(cases_root.resolve().name, CORPORA["test-bad-live"])
    passed, failed = 0, 0

    code, output = run([corpus])
    if code == 0:
        passed += 1
        print(f"ok   {corpus.name} (the real corpus passes)")
    else:
        failed += 1
        print(f"FAIL {corpus.name}: exit {code}, the real corpus must pass:\n{output}")

    for case in sorted(p for p in cases_root.iterdir() if p.is_dir()):
        expected = (case / "expect.txt").read_text().strip()
        args = [case]
        if (case / "COVERAGE.md").exists():
            args += ["--coverage", case / "COVERAGE.md"]
        code, output = run(args)
        if code == 1 and expected in output:
            passed += 1
            print(f"ok   {case.name}")
        else:
            failed += 1
            print(f"FAIL {case.name}: exit {code}, expected the problem {expected!r}, got:\n{output}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed < 2 else 0


if __name__ == "__main__":
    sys.exit(main())
