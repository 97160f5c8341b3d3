#!/usr/bin/env python3
"""An adapter that misbehaves on purpose, for the runner's own tests (cli_test.cc, Runner*).

It answers through a real adapter (the reference: `--ref "sioconf adapter"`), except for the
request ids named in RULES, each `BEHAVIOUR:ID` (ID may end with * to match a prefix):

  wrong        accept with no items (a wrong answer)      crash      exit 3 without answering
  segv         die of SIGSEGV                             hang       never answer
  garbage      answer a line that is not JSON             wrongid    answer another id
  flood        write bytes without a newline, forever     stderr     write to stderr, then answer
  malformed    answer {"id":..} with no "ok"              unsupported  answer unsupported
  splitdiffer  answer split requests (ID@N) with no items
  nonext       answer right but leave out the follow-up's answer ("next")
  stucknext    answer right but refuse the follow-up, as a decoder left stuck would
  deep         accept with one item nested 10,000 arrays deep
  slow         answer right, after 0.6 s

and `badhello` (no ID) answers hello with ok:false.
"""
import os
import shlex
import signal
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--ref":
        sys.exit("usage: misbehaving_adapter.py --ref 'CMD' [BEHAVIOUR:ID ...]")
    ref = subprocess.Popen(shlex.split(args[1]), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    rules = []
    for rule in args[2:]:
        behaviour, _, pattern = rule.partition(":")
        rules.append((behaviour, pattern))

    def matches(pattern, rid):
        if pattern.endswith("*"):
            return rid.startswith(pattern[:-1])
        return rid == pattern

    def forward(line):
        ref.stdin.write(line)
        ref.stdin.flush()
        return ref.stdout.readline()

    import json
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        op, rid = request.get("op"), str(request.get("id", ""))
        if op == "bye":
            break
        if op == "hello" and any(b == "badhello" for b, _ in rules):
            print(json.dumps({"ok": False, "error": "not today"}), flush=True)
            continue
        base = rid.split("@")[0]
        behaviour = next((b for b, p in rules if p and matches(p, base)), None)
        if behaviour == "splitdiffer" and "@" not in rid:
            behaviour = None
        if behaviour == "slow":
            time.sleep(0.6)
            behaviour = None
        if behaviour == "wrong" or behaviour == "splitdiffer":
            print(json.dumps({"id": request.get("id"), "ok": True, "items": []}), flush=True)
        elif behaviour == "crash":
            os._exit(3)
        elif behaviour == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif behaviour == "hang":
            time.sleep(3600)
        elif behaviour == "garbage":
            print("<html>this is not json</html>", flush=True)
        elif behaviour == "wrongid":
            print(json.dumps({"id": "someone-else", "ok": True, "items": []}), flush=True)
        elif behaviour == "flood":
            chunk = "x" * 65536
            while True:
                sys.stdout.write(chunk)
        elif behaviour == "deep":
            sys.stdout.write('{"id": %s, "ok": true, "items": [%s%s]}\n' % (json.dumps(request.get("id")), "[" * 10000, "]" * 10000))
            sys.stdout.flush()
        elif behaviour == "malformed":
            print(json.dumps({"id": request.get("id")}), flush=True)
        elif behaviour == "unsupported":
            print(json.dumps({"id": request.get("id"), "unsupported": "not here"}), flush=True)
        elif behaviour in ("nonext", "stucknext"):
            answer = json.loads(forward(line))
            if behaviour == "nonext":
                answer.pop("next", None)
            else:
                answer["next"] = {"ok": False, "error": "sio_expected_binary", "condition": "state", "items": []}
            print(json.dumps(answer), flush=True)
        else:
            if behaviour == "stderr":
                print("a complaint on stderr about " + rid, file=sys.stderr, flush=True)
            sys.stdout.write(forward(line))
            sys.stdout.flush()
    ref.stdin.close()
    ref.wait()


if __name__ == "__main__":
    main()
