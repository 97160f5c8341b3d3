#!/usr/bin/env python3
"""The Node peer's client driver (conformance/adapters/node/client.js, client driver protocol v1 of
conformance/DRIVER.md) over real stdio, against the Node server of the live contract
(conformance/adapters/node/server.js):

    node_client_driver.py

hello; connect with auth over WebSocket; an ack with binary; an echoed binary event; the server's
own question with an ack; "/private" refused with data; an unknown option and a second connect
answered `unsupported`; an ack timeout; the server's disconnect; bye and end of stdin (exit 0); a
malformed command line (the driver goes on); a crash of the library (a hostile server's
CONNECT_ERROR without payload) ends the driver with a non-zero status, not hidden; the server killed
while connected (the reconnection reports up to reconnect_failed). Every step has 5 s, the whole test 30 s.

Exit 0 when everything holds, 1 otherwise (printing what failed), 77 when node or the Node peer's
node_modules are missing (ci/setup runs npm ci in conformance/adapters/node).
"""
import json
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PEER = ROOT / "conformance" / "adapters" / "node"
STEP = 5.0  # seconds for one step
DEADLINE = time.monotonic() + 30.0  # the whole test


class Failure(Exception):
    pass


def remaining(step=STEP):
    left = min(step, DEADLINE - time.monotonic())
    if left <= 0:
        raise Failure("the whole test took more than 30 s")
    return left


def reader(stream, sink):
    """Puts each line of `stream` in `sink`, then None at the end."""
    for line in stream:
        sink.put(line.rstrip("\n"))
    sink.put(None)


# A hostile Engine.IO server over WebSocket (ws from the peer's node_modules): it answers the
# client's CONNECT with a CONNECT_ERROR without payload, "44", on which socket.io-client 4.8.4
# throws a TypeError out of its packet handler (socket.js, `packet.data.message`).
HOSTILE_SERVER = r"""
const { WebSocketServer } = require(process.argv[1] + "/ws");
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/socket.io/" }, () =>
  console.log("listening on http://127.0.0.1:" + wss.address().port));
wss.on("connection", (ws) => {
  ws.send('0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
  ws.on("message", (m) => { if (String(m).startsWith("40")) ws.send("44"); });
});
process.on("SIGTERM", () => process.exit(0));
"""


class Server:
    """A server printing "listening on URL" (by default node server.js --port 0), stopped by
    stop() (SIGTERM, then SIGKILL)."""

    def __init__(self, command=None):
        command = command or ["node", str(PEER / "server.js"), "--port", "0"]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines = queue.Queue()
        threading.Thread(target=reader, args=(self.proc.stdout, lines), daemon=True).start()
        try:
            line = lines.get(timeout=remaining()) or ""
        except queue.Empty:
            line = ""
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not match:
            self.stop()
            raise Failure(f"{command[1]} did not print its port (got {line!r})")
        self.url = match.group(1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STEP)  # not remaining(): a cleanup never raises
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Driver:
    """One client.js process: send() commands, next() / expect() reports, each within a step."""

    def __init__(self, name):
        self.name = name
        self.proc = subprocess.Popen(["node", str(PEER / "client.js")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.reports = queue.Queue()
        self.stderr = queue.Queue()
        self.seen = []  # every report, for the failure message
        threading.Thread(target=reader, args=(self.proc.stdout, self.reports), daemon=True).start()
        threading.Thread(target=reader, args=(self.proc.stderr, self.stderr), daemon=True).start()

    def send(self, command):
        line = command if isinstance(command, str) else json.dumps(command)
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise Failure(f"{self.name}: the driver is gone (exit {self.proc.poll()}) before {line}")

    def next(self, step=STEP):
        """The next report (a dict), or a Failure after the step's time or at the end of stdout."""
        try:
            line = self.reports.get(timeout=remaining(step))
        except queue.Empty:
            raise Failure(f"{self.name}: no report within {step} s; so far: {self.seen}")
        if line is None:
            self.reports.put(None)
            raise Failure(f"{self.name}: stdout ended (exit {self.proc.wait()}); so far: {self.seen}")
        try:
            report = json.loads(line)
        except ValueError:
            raise Failure(f"{self.name}: not a JSON line: {line!r}")
        if not isinstance(report, dict) or "report" not in report:
            raise Failure(f"{self.name}: not a report: {line!r}")
        self.seen.append(report)
        return report

    def expect(self, **fields):
        """The next report must have these fields (and values); returns it."""
        report = self.next()
        for key, value in fields.items():
            if key not in report or report[key] != value:
                raise Failure(f"{self.name}: expected a report with {fields}, got {report}")
        return report

    def exit_code(self, step=STEP):
        try:
            return self.proc.wait(timeout=remaining(step))
        except subprocess.TimeoutExpired:
            raise Failure(f"{self.name}: still running after {step} s")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def hello(driver):
    driver.send({"op": "hello", "protocol": 1})
    driver.expect(report="hello", name="socket.io-client", version="4.8.4")


# ---------------------------------------------------------------------------------------------
# The checks, in the order of one session on "/" (2-5, 7, 8) and separate drivers for the rest.

def check_connect(driver, url):
    driver.send({"op": "connect", "url": url + "/", "auth": {"a": 1}, "options": {"transports": ["websocket"]}})
    connected = driver.expect(report="connected")
    if not isinstance(connected.get("sid"), str) or not connected["sid"]:
        raise Failure(f"connected without a sid: {connected}")
    driver.expect(report="event", event="auth", args=[{"a": 1}])


def check_ack_with_binary(driver):
    args = [1, "two", {"$binary": "AQID"}]
    driver.send({"op": "emit", "id": 1, "event": "message-with-ack", "args": args, "ack": True})
    driver.expect(report="ack", id=1, args=args)


def check_binary_event(driver):
    driver.send({"op": "emit", "event": "message", "args": [{"$binary": "AQID"}]})
    report = driver.expect(report="event", event="message-back", args=[{"$binary": "AQID"}])
    if "ack" in report:
        raise Failure(f"message-back asked for an ack: {report}")


def check_server_ack(driver):
    # server.js: "ask" emits "question" with the same arguments and an ack, then "answer" with what
    # the client acknowledged (the driver acknowledges with the event's own arguments).
    driver.send({"op": "emit", "event": "ask", "args": ["q"]})
    driver.expect(report="event", event="question", args=["q"], ack=True)
    driver.expect(report="event", event="answer", args=["q"])


def check_ack_timeout(driver):
    driver.send({"op": "emit", "id": 2, "event": "no-such-ack", "args": [], "ack": True, "timeout": 200})
    driver.expect(report="ack_timeout", id=2, reason="operation has timed out")


def check_server_disconnect(driver):
    driver.send({"op": "emit", "event": "bye", "args": []})
    driver.expect(report="disconnected", reason="io server disconnect")


def check_bye(driver):
    driver.send({"op": "bye"})
    code = driver.exit_code()
    if code != 0:
        raise Failure(f"bye: exit {code}, expected 0")


def check_refused_namespace(url):
    driver = Driver("private")
    try:
        hello(driver)
        driver.send({"op": "connect", "url": url + "/private", "options": {"transports": ["websocket"], "foo": 1}})
        driver.expect(report="unsupported", what="option foo")
        driver.send({"op": "connect", "url": url + "/private", "options": {"transports": ["websocket"]}})
        driver.expect(report="connect_error", message="not authorized", data={"reason": "a token is needed"})
        driver.send({"op": "connect", "url": url + "/"})
        driver.expect(report="unsupported")
        check_bye(driver)
    finally:
        driver.kill()


def check_end_of_stdin(url):
    driver = Driver("end of stdin")
    try:
        hello(driver)
        driver.send({"op": "connect", "url": url + "/", "options": {"transports": ["websocket"]}})
        driver.expect(report="connected")
        driver.proc.stdin.close()
        code = driver.exit_code()
        if code != 0:
            raise Failure(f"end of stdin: exit {code}, expected 0")
    finally:
        driver.kill()


def check_malformed_command():
    driver = Driver("malformed")
    try:
        hello(driver)
        driver.send("this is not JSON")
        hello(driver)  # still running, still answering
        if driver.proc.poll() is not None:
            raise Failure(f"the driver exited {driver.proc.poll()} after a malformed line")
        try:
            complaint = driver.stderr.get(timeout=remaining())
        except queue.Empty:
            complaint = None
        if not complaint or "client.js" not in complaint:
            raise Failure(f"no complaint on stderr about the malformed line (got {complaint!r})")
        check_bye(driver)
    finally:
        driver.kill()


def check_library_crash_is_visible():
    """The driver catches nothing the library throws from its own callbacks: a crash of
    socket.io-client (here on a CONNECT_ERROR without payload) ends the process with a non-zero
    status before bye, and its stack trace is on stderr."""
    server = Server(["node", "-e", HOSTILE_SERVER, str(PEER / "node_modules")])
    driver = Driver("crash")
    try:
        hello(driver)
        driver.send({"op": "connect", "url": server.url + "/", "options": {"transports": ["websocket"], "reconnection": False}})
        try:
            report = driver.next()
            raise Failure(f"expected the driver to crash, got {report}")
        except Failure as e:
            if "stdout ended" not in str(e):
                raise
        code = driver.exit_code()
        if code == 0:
            raise Failure("the driver exited 0 after the library threw: the crash was hidden")
        trace = []
        while True:
            try:
                line = driver.stderr.get(timeout=remaining())
            except queue.Empty:
                break
            if line is None:
                break
            trace.append(line)
        if not any("TypeError" in line for line in trace):
            raise Failure(f"exit {code}, but no TypeError on stderr: {trace[:5]}")
    finally:
        driver.kill()
        server.stop()


def check_reconnection_gives_up():
    """The server goes away while connected: with reconnectionDelay = reconnectionDelayMax = 100,
    no jitter and 2 attempts, socket.io-client 4.8.4 reports exactly this (observed):
    disconnected "transport close"; then per attempt reconnect_attempt N followed by the failed
    attempt's connect_error "websocket error" (a Manager "error" while not connected reaches the
    socket as connect_error, so no separate `error`); after the last, reconnect_failed."""
    server = Server()
    driver = Driver("reconnection")
    try:
        hello(driver)
        options = {"transports": ["websocket"], "reconnectionDelay": 100, "reconnectionDelayMax": 100,
                   "randomizationFactor": 0, "reconnectionAttempts": 2}
        driver.send({"op": "connect", "url": server.url + "/", "options": options})
        driver.expect(report="connected")
        driver.expect(report="event", event="auth")
        server.stop()
        driver.expect(report="disconnected", reason="transport close")
        for attempt in (1, 2):
            driver.expect(report="reconnect_attempt", attempt=attempt)
            driver.expect(report="connect_error", message="websocket error")
        driver.expect(report="reconnect_failed")
        # Nothing more: the client gave up.
        try:
            extra = driver.next(step=0.5)
            raise Failure(f"reconnection: a report after reconnect_failed: {extra}")
        except Failure as e:
            if "no report within" not in str(e):
                raise
        check_bye(driver)
    finally:
        driver.kill()
        server.stop()


def main():
    if shutil.which("node") is None:
        print("SKIP: node is not installed")
        return 77
    if not (PEER / "node_modules" / "socket.io-client").is_dir() or not (PEER / "node_modules" / "socket.io").is_dir():
        print(f"SKIP: {PEER / 'node_modules'} is missing (ci/setup runs npm ci there)")
        return 77

    failures = []

    def run(name, check, *args):
        started = time.monotonic()
        try:
            check(*args)
            print(f"ok   {name} ({time.monotonic() - started:.2f} s)")
            return True
        except Failure as e:
            print(f"FAIL {name}: {e}")
            failures.append(name)
            return False

    try:
        server = Server()
    except Failure as e:
        print(f"FAIL server.js: {e}")
        return 1
    try:
        main_driver = Driver("main")
        try:
            steps = [("hello", hello, main_driver),
                     ("connect with auth over WebSocket", check_connect, main_driver, server.url),
                     ("emit with ack, binary round trip", check_ack_with_binary, main_driver),
                     ("binary event echoed", check_binary_event, main_driver),
                     ("the server's ack request answered", check_server_ack, main_driver),
                     ("ack timeout", check_ack_timeout, main_driver),
                     ("server disconnect", check_server_disconnect, main_driver),
                     ("bye exits 0", check_bye, main_driver)]
            for name, check, *args in steps:
                if not run(name, check, *args):
                    break  # the rest of the session depends on this step
        finally:
            main_driver.kill()
        run("/private refused with data; unsupported option, second connect", check_refused_namespace, server.url)
        run("end of stdin exits 0", check_end_of_stdin, server.url)
        run("a malformed command line is survived", check_malformed_command)
    except Failure as e:
        print(f"FAIL {e}")
        failures.append(str(e))
    finally:
        server.stop()
    run("a crash of the library is not hidden", check_library_crash_is_visible)
    run("server killed: reconnection attempts, then reconnect_failed", check_reconnection_gives_up)

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
