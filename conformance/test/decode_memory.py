#!/usr/bin/env python3
"""`sioconf decode` holds neither its whole input nor its whole answer: inputs far larger than the
limits, generated here and piped in, must cost a bounded peak RSS and give the expected items or
the limit's error. One case per input mode (raw, lines, jsonl) and a stream of many small items.

usage: decode_memory.py SIOCONF

The bound is on the peak RSS above that of decoding a few bytes (so that a sanitizer's fixed cost
does not count): 32 MiB, where holding the input costs several times the input's size.
"""
import base64
import os
import pickle
import resource
import subprocess
import sys
import tempfile

MIB = 1024 * 1024
BOUND_KIB = 32 * 1024
CHUNK = 1 << 20


def run(sioconf, args, chunks):
    """Runs `sioconf decode ARGS` with the chunks on its stdin; returns (exit, stdout, peak RSS KiB).

    One child per call, measured from a fresh helper process, so that ru_maxrss is this child's."""
    # The helper writes the input, [(bytes, times), ...], as the child reads it.
    script = r"""
import pickle, resource, subprocess, sys
args, chunks_spec = pickle.loads(sys.stdin.buffer.read())
with open(sys.argv[1], "wb") as out:
    child = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=out)
    try:
        for piece, times in chunks_spec:
            for _ in range(times):
                child.stdin.write(piece)
        child.stdin.close()
    except BrokenPipeError:
        pass  # it stopped reading at the error, as it should
    code = child.wait()
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
    with tempfile.NamedTemporaryFile() as out:
        env = dict(os.environ)
        # Under AddressSanitizer freed blocks wait in a quarantine (256 MiB by default): keep it small
        # so that the RSS measures what the program holds.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4").lstrip(":")
        helper = subprocess.run([sys.executable, "-c", script, out.name],
                                input=pickle.dumps(([sioconf, "decode"] + args, chunks)),
                                stdout=subprocess.PIPE, env=env, check=True)
        code, rss = (int(x) for x in helper.stdout.split())
        with open(out.name, "rb") as f:
            return code, f.read(), rss


def main():
    sioconf = sys.argv[1]
    failures = []

    def check(name, ok, detail):
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
        if not ok:
            failures.append(name)

    code, out, base = run(sioconf, ["--layer", "ws"], [(b"\x89\x80\x37\xfa\x21\x3d", 1)])
    check("one ping", code == 0 and out == b'{"opcode":"ping"}\n', f"exit {code}, {out[:200]!r}")
    print(f"     peak RSS decoding one ping: {base} KiB")

    line_47 = [(b'{"a":"', 1), (b"x" * CHUNK, 47)]
    cases = [
        # name, args, input, expected exit, expected output (or a check of it)
        ("ndjson raw: a 47 MiB line without newline", ["--layer", "ndjson"], line_47, 1,
         b'{"condition":"limit","error":"limit_ndjson_line_bytes","offset":1000000}\n'),
        ("ws raw: 300,000 pings", ["--layer", "ws"], [(b"\x89\x80\x37\xfa\x21\x3d", 300_000)], 0,
         b'{"opcode":"ping"}\n' * 300_000),
        ("sio lines: a 47 MiB message", ["--layer", "sio"], [(b'2["', 1), (b"x" * CHUNK, 47)], 1,
         b'{"condition":"limit","error":"limit_payload_bytes","offset":1000000}\n'),
        ("sio lines: 300,000 small messages", ["--layer", "sio"], [(b'2["a"]\n', 300_000)], 0,
         b'{"data":["a"],"nsp":"/","type":2}\n' * 300_000),
        ("eio-payload raw: a 47 MiB body", ["--layer", "eio-payload"], [(b"4", 1), (b"x" * CHUNK, 47)], 1,
         b'{"condition":"limit","error":"limit_eio_payload_bytes","offset":1000000}\n'),
        ("sio jsonl: a 47 MiB text element", ["--layer", "sio", "--input", "jsonl"],
         [(b'{"text":"2[\\"', 1), (b"\\u00e9" * (CHUNK // 6), 47), (b'\\"]"}\n', 1)], 1,
         b'{"condition":"limit","error":"limit_payload_bytes","offset":1000000}\n'),
        ("ws jsonl: 300,000 pings in one base64 element", ["--layer", "ws", "--input", "jsonl"],
         [(b'{"base64":"', 1), (base64.b64encode(b"\x89\x80\x37\xfa\x21\x3d" * 100_000), 3), (b'"}\n', 1)], 0,
         b'{"opcode":"ping"}\n' * 300_000),
    ]
    for name, args, chunks, want_code, want_out in cases:
        code, out, rss = run(sioconf, args, chunks)
        check(name + ": output", code == want_code and out == want_out,
              f"exit {code} (want {want_code}), {len(out)} bytes: {out[:200]!r}")
        check(name + f": peak RSS {rss} KiB <= {base} + {BOUND_KIB} KiB", rss <= base + BOUND_KIB,
              "the input or the answer is held in memory")
    if failures:
        print(f"{len(failures)} failed")
        return 1
    print("decode memory: all as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
