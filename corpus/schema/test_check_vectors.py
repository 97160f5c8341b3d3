#!/usr/bin/env python3
"""Shows check_vectors.py can fail: runs it over each folder of test-bad/ (one deliberate mistake
each; a folder with a COVERAGE.md checks that file against its vectors) and expects exit status 1
and the problem named in that folder's expect.txt.

    test_check_vectors.py [TEST_BAD_FOLDER]
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    cases_root = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "test-bad"
    passed, failed = 0, 0
    for case in sorted(p for p in cases_root.iterdir() if p.is_dir()):
        expected = (case / "expect.txt").read_text().strip()
        command = [sys.executable, str(HERE / "check_vectors.py"), "--quiet", str(case)]
        if (case / "COVERAGE.md").exists():
            command += ["--coverage", str(case / "COVERAGE.md")]
        run = subprocess.run(command, capture_output=True, text=True)
        output = run.stdout + run.stderr
        if run.returncode == 1 and expected in output:
            passed += 1
            print(f"ok   {case.name}")
        else:
            failed += 1
            print(f"FAIL {case.name}: exit {run.returncode}, expected the problem {expected!r}, got:\n{output}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
