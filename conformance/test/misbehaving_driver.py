#!/usr/bin/env python3
"""A client driver (conformance/DRIVER.md) that misbehaves on purpose, one way per run, so that the
runner's handling of each is tested: `misbehaving_driver.py MODE`.

    crash        answers hello, then exits with status 3 on connect (a client that crashed)
    signal       answers hello, then kills itself with SIGSEGV on connect
    garbage      answers hello, then writes a line that is not JSON on connect
    unknown      answers hello, then an unknown report on connect
    unsupported  answers hello, then {"report":"unsupported","what":"op connect"} on connect
    no-hello     answers hello with another report
"""
import json
import os
import signal
import sys

mode = sys.argv[1]


def say(obj):
    sys.stdout.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    command = json.loads(line)
    op = command.get("op")
    if op == "hello":
        say({"report": "connected", "sid": "x"} if mode == "no-hello" else
            {"report": "hello", "name": "misbehaving", "version": mode})
    elif op == "connect":
        if mode == "crash":
            sys.exit(3)
        if mode == "signal":
            os.kill(os.getpid(), signal.SIGSEGV)
        if mode == "garbage":
            say("this is not JSON")
        if mode == "unknown":
            say({"report": "teleported"})
        if mode == "unsupported":
            say({"report": "unsupported", "what": "op connect"})
    elif op == "bye":
        sys.exit(0)
