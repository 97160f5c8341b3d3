#!/usr/bin/env python3
"""`sioconf serve` as a user runs it: --port 0 prints the port, a polling session echoes, a raw
WebSocket session echoes, another path is 404, a taken port exits 1, Ctrl-C (SIGINT) stops it
with exit status 0.

    serve.py SIOCONF
"""
import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

failures = []


def check(name, expected, actual):
    if expected != actual:
        failures.append(f"{name}: expected {expected!r}, got {actual!r}")


def start(sioconf, *args):
    proc = subprocess.Popen([sioconf, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, line


def request(port, method, target, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, target, body=body)
    r = conn.getresponse()
    out = (r.status, r.read().decode())
    conn.close()
    return out


def ws_frame(opcode, payload):
    """A masked client frame (payloads under 126 bytes)."""
    mask = b"\x01\x02\x03\x04"
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_read(sock):
    """One unmasked server frame: (opcode, payload)."""
    head = sock.recv(2, socket.MSG_WAITALL)
    length = head[1] & 0x7F
    if length == 126:
        length = int.from_bytes(sock.recv(2, socket.MSG_WAITALL), "big")
    return head[0] & 0x0F, sock.recv(length, socket.MSG_WAITALL) if length else b""


def main():
    sioconf = sys.argv[1]
    proc, line = start(sioconf, "--port", "0", "--ping-interval", "10000", "--ping-timeout", "5000")
    try:
        check("listening line", True, line.startswith("sioconf serve: listening on http://127.0.0.1:"))
        port = int(line.rsplit(":", 1)[1])

        status, body = request(port, "GET", "/engine.io/?EIO=4&transport=polling")
        check("handshake status", 200, status)
        check("handshake packet", "0", body[:1])
        hs = json.loads(body[1:])
        check("handshake keys", ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"], list(hs))
        check("handshake values", (["websocket"], 10000, 5000, 1000000),
              (hs["upgrades"], hs["pingInterval"], hs["pingTimeout"], hs["maxPayload"]))
        sid = hs["sid"]
        check("post", (200, "ok"), request(port, "POST", f"/engine.io/?EIO=4&transport=polling&sid={sid}", "4hello\x1ebAQID"))
        check("echo", (200, "4hello\x1ebAQID"), request(port, "GET", f"/engine.io/?EIO=4&transport=polling&sid={sid}"))
        check("unknown sid", (400, '{"code":1,"message":"Session ID unknown"}'),
              request(port, "GET", "/engine.io/?EIO=4&transport=polling&sid=nope"))
        check("other path", 404, request(port, "GET", "/elsewhere")[0])

        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                      f"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)
        check("ws status", b"HTTP/1.1 101", head[:12])
        opcode, payload = ws_read(sock)
        check("ws open packet", (1, "0"), (opcode, payload.decode()[:1]))
        sock.sendall(ws_frame(1, b"4hi") + ws_frame(2, b"\x01\x02"))
        check("ws text echo", (1, b"4hi"), ws_read(sock))
        check("ws binary echo", (2, b"\x01\x02"), ws_read(sock))
        sock.close()

        taken, taken_line = start(sioconf, "--port", str(port))
        check("taken port: exit status", 1, taken.wait(timeout=10))
        check("taken port: message", True, "cannot listen" in taken.stderr.read())
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = "still running 10 s after SIGINT"
    check("SIGINT exit status", 0, code)
    check("stopped line", "sioconf serve: stopped\n", proc.stdout.read())
    for f in failures:
        print("FAIL " + f)
    if not failures:
        print("sioconf serve: all as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
