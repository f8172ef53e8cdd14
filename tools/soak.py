#!/usr/bin/python3
"""tools/soak.py: abuse `mockkit serve` the way issue 11's table did and
print one row per probe: what happened, whether the process died, whether a
port stopped answering, and its descriptors and RSS before and after.

It starts `mockkit serve` itself (every service, on free loopback ports, the
default options unless a probe says otherwise), talks only to 127.0.0.1,
and every probe is bounded in count and time; the whole run stops by itself
(about three minutes with the defaults). Standard library only.

    tools/soak.py                       # every probe, build/bin/mockkit
    tools/soak.py --mockkit build-asan/bin/mockkit --slow-seconds 30
    tools/soak.py --only deep-json-http,ws-2gb-frame

Columns: "as issue 11 wants?" is the issue's target for that probe (a 400
or a close 1007/1009 for deep JSON, every request answered, 1,000 streams
served or a 503, a flat rate-limit table, RSS flat over 100k requests (under
8 MiB of growth), close 1009 for a huge frame, a
well-formed status line; "-" where the issue sets none). Exit status: 0 when
no probe crashed or wedged the server, left descriptors behind or missed
the issue's target; 1 otherwise; 2 when the server could not be started.
"""
import argparse
import json
import re
import os
import resource
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = "sk-proj-testkey"
WS_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
HOST = "127.0.0.1"
IO_TIMEOUT = 5.0          # one read or connect
WEDGE_TIMEOUT = 3.0       # an admin request must be answered within this
SETTLE_SECONDS = 5.0      # how long fds may take to come back after a probe


# ---- the server ----------------------------------------------------------

class Serve:
    """One `mockkit serve` process on free ports, read from --ready-file."""

    def __init__(self, mockkit, fixtures, extra=(), only=None):
        self.tmp = tempfile.mkdtemp(prefix="mockkit-soak-")
        ready = os.path.join(self.tmp, "ready")
        args = [mockkit, "serve", "--fixtures", fixtures, "--ready-file", ready, "--free-ports"]
        for svc in only or []:
            args += ["--only", svc]
        args += list(extra)
        self.log = open(os.path.join(self.tmp, "serve.log"), "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log)
        self.ports = {}
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with open(ready) as f:
                    for line in f:
                        name, url = line.split()
                        self.ports[name] = int(url.split(":")[2].split("/")[0])
                if self.ports:
                    return
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"mockkit serve did not start: {self.tail_log()}")

    def tail_log(self, n=5):
        try:
            with open(self.log.name) as f:
                return " | ".join(f.read().strip().splitlines()[-n:])
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None

    def death(self):
        rc = self.proc.poll()
        if rc is None:
            return ""
        return f"signal {-rc}" if rc < 0 else f"exit {rc}"

    def fds(self):
        try:
            return len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        except OSError:
            return -1

    def rss_kb(self, field="VmRSS:"):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(field):
                        return int(line.split()[1])
        except OSError:
            pass
        return -1

    def stop(self):
        """Stop it; its log is kept (path on stderr) only when it died, or
        when it wrote a sanitizer report."""
        died = not self.alive()
        if not died:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        with open(self.log.name, errors="replace") as f:
            report = any(k in f.read() for k in ("Sanitizer", "runtime error"))
        if died or report:
            print(f"soak.py: serve log kept: {self.log.name}", file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ---- wire helpers --------------------------------------------------------

def connect(port, timeout=IO_TIMEOUT):
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_head(s, limit=65536):
    """Bytes up to the end of a response head, or what came before EOF."""
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < limit:
        try:
            chunk = s.recv(4096)
        except (socket.timeout, ConnectionError, OSError):
            break
        if not chunk:
            break
        buf += chunk
    return buf


def status_of(head):
    try:
        return int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def request(port, raw, timeout=IO_TIMEOUT):
    """Send raw bytes, return (status, head+body bytes read until close)."""
    try:
        s = connect(port, timeout)
    except OSError as e:
        return 0, str(e).encode()
    try:
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > 1 << 20:
                break
    except (socket.timeout, ConnectionError, OSError):
        pass
    finally:
        s.close()
    return status_of(data), data


# The Cairos mock answers FastAPI's 422 without the cookies the generated
# client sends (the token and the session), so the probes send both.
CAIROS_COOKIE = "Cookie: Outseta.nocode.accessToken=soak; cairos_session=soak"


def http(method, path, headers=(), body=b""):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: close"]
    lines += list(headers)
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def answers(port, timeout=WEDGE_TIMEOUT):
    """Does the admin path answer within timeout?"""
    status, _ = request(port, http("GET", "/__mockkit/requests"), timeout)
    return status == 200


def ws_open(port, path, timeout=IO_TIMEOUT):
    s = connect(port, timeout)
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {WS_KEY}\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        b = s.recv(1)
        if not b:
            break
        head += b
    return s, status_of(head)


def ws_frame(payload, opcode=1, length=None, fin=True):
    mask = b"\x11\x22\x33\x44"
    n = len(payload) if length is None else length
    first = (0x80 if fin else 0) | opcode
    if n < 126:
        head = struct.pack("!BB", first, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", first, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", first, 0x80 | 127, n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_close_code(s, timeout=IO_TIMEOUT):
    """Read frames until a close (its code) or EOF/timeout (None)."""
    s.settimeout(timeout)
    buf = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        while len(buf) >= 2:
            op, n = buf[0] & 0x0F, buf[1] & 0x7F
            at = 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, at = struct.unpack("!H", buf[2:4])[0], 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, at = struct.unpack("!Q", buf[2:10])[0], 10
            if len(buf) < at + n:
                break
            payload, buf = buf[at:at + n], buf[at + n:]
            if op == 8:
                return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionError, OSError):
            return None
        if not chunk:
            return None
        buf += chunk
    return None


def drive(ports, raws, wait, to_end=False):
    """Open len(raws) connections at once (non-blocking connects; ports[i]
    for raws[i]), send each its bytes, and read each response's head, or
    with to_end until its chunked end or EOF, for at most `wait` seconds.
    Returns (sockets, statuses, marks): a status is 0 for no head yet, -1 for
    a connection that failed or closed without one; marks are (time, +1 head
    read / -1 end read, index)."""
    sel = selectors.DefaultSelector()
    socks, statuses, bufs, sent, marks = [], [], [], [], []
    for i, raw in enumerate(raws):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        err = s.connect_ex((HOST, ports[i]))
        socks.append(s)
        bufs.append(b"")
        sent.append(False)
        if err not in (0, 115):  # EINPROGRESS
            statuses.append(-1)
            continue
        statuses.append(0)
        sel.register(s, selectors.EVENT_WRITE, i)
    end = time.monotonic() + wait
    pending = sum(1 for st in statuses if st == 0)
    while pending and time.monotonic() < end:
        for key, _ in sel.select(timeout=max(0.0, min(0.5, end - time.monotonic()))):
            i = key.data
            if not sent[i]:
                try:
                    socks[i].send(raws[i])  # small: one send fits the buffer
                    sent[i] = True
                    sel.modify(socks[i], selectors.EVENT_READ, i)
                except OSError:
                    statuses[i] = -1
                    sel.unregister(socks[i])
                    pending -= 1
                continue
            try:
                chunk = socks[i].recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                chunk = b""
            now = time.monotonic()
            if statuses[i] == 0 and b"\r\n\r\n" in bufs[i] + chunk:
                statuses[i] = status_of(bufs[i] + chunk)
                marks.append((now, 1, i))
            bufs[i] += chunk
            if to_end and statuses[i] > 0:
                bufs[i] = bufs[i][-8:]  # only the tail matters from here
            if not chunk or statuses[i] != 0 and not to_end or bufs[i].endswith(b"0\r\n\r\n"):
                if statuses[i] > 0 and to_end:
                    marks.append((now, -1, i))
                elif statuses[i] == 0:
                    statuses[i] = -1
                sel.unregister(socks[i])
                pending -= 1
    sel.close()
    return socks, statuses, marks


def open_many(port, raws, head_wait):
    """drive() to the heads on one port; the sockets stay open."""
    socks, statuses, _ = drive([port] * len(raws), raws, head_wait)
    return socks, statuses


def close_all(socks, reset=False):
    for s in socks:
        if s is None:
            continue
        if reset:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


def all_served(statuses, n, ok=200):
    """Issue 11: up to 1,000 at once are served; past the limit, a 503."""
    served = sum(1 for st in statuses if st == ok)
    return served >= min(n, 1000) and all(st in (ok, 503) for st in statuses)


def tally(statuses):
    out = {}
    for st in statuses:
        key = {0: "no answer", -1: "closed"}.get(st, str(st))
        out[key] = out.get(key, 0) + 1
    return ", ".join(f"{v}× {k}" for k, v in sorted(out.items(), key=lambda kv: -kv[1]))


# ---- probes --------------------------------------------------------------
# Each takes (serve, args) and returns a one-line result.

def deep_json_http(sv, a):
    body = b"[" * 800
    st, data = request(sv.ports["pieces"], http("POST", "/connect",
                                                ["Content-Type: application/json"], body))
    return f"POST /connect with 800 × '[': status {st or 'none (connection closed)'}", st == 400


def deep_json_ws(sv, a):
    s, st = ws_open(sv.ports["pieces"], "/qgpt/stream")
    if st != 101:
        s.close()
        return f"upgrade refused: {st}", False
    s.sendall(ws_frame(b"[" * 800))
    code = ws_close_code(s)
    s.close()
    return f"text frame of 800 × '[' on /qgpt/stream: close {code or 'none'}", code in (1007, 1009)


def gated_abandoned(sv, a):
    port = sv.ports["cairos"]
    raw = http("GET", "/api/event_log", ["Accept: text/event-stream", "X-Mockkit-Scenario: errors",
                                         CAIROS_COOKIE])
    raw = raw.replace(b"Connection: close\r\n", b"")
    socks, sts = open_many(port, [raw] * a.gated, 5)
    close_all(socks)
    t0 = time.monotonic()
    ok = answers(port)
    took = time.monotonic() - t0
    st, _ = request(port, http("GET", "/api/session_id", [CAIROS_COOKIE]))
    return (f"{a.gated} gated streams ({tally(sts)}) closed; then admin "
            f"{'answered in %.2f s' % took if ok else 'NO ANSWER'}, GET /api/session_id {st}"), ok and st == 200


def slow_headers(sv, a):
    port = sv.ports["pieces"]
    stop = threading.Event()
    slow = []
    for _ in range(a.slow_conns):
        try:
            slow.append(connect(port))
        except OSError:
            pass

    def dribble():
        msg = b"GET /.well-known/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
        for i in range(len(msg)):
            if stop.wait(1.0):
                return
            for s in slow:
                try:
                    s.send(msg[i:i + 1])
                except OSError:
                    pass

    th = threading.Thread(target=dribble)
    th.start()
    tried = ok = 0
    worst = 0.0
    end = time.monotonic() + a.slow_seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        st, _ = request(port, http("GET", "/.well-known/health"), timeout=2.0)
        took = time.monotonic() - t0
        tried += 1
        ok += st == 200
        worst = max(worst, took)
        time.sleep(max(0.0, 1.0 - took))
    stop.set()
    th.join()
    close_all(slow)
    return (f"{len(slow)} conns at 1 byte/s for {a.slow_seconds} s: {ok}/{tried} health "
            f"requests answered (slowest {worst:.2f} s)"), ok == tried


def many_sse(sv, a):
    # Cairos' recorded cut stream lasts 15.9 s: every head that arrives in
    # the first 3 s is a stream being served at the same time as the others.
    port = sv.ports["cairos"]
    raw = http("GET", "/api/event_log", ["Accept: text/event-stream", "X-Mockkit-Scenario: cut",
                                         CAIROS_COOKIE])
    socks, sts = open_many(port, [raw] * a.streams, 3)
    close_all(socks)
    return (f"{a.streams} SSE streams at once (Cairos event_log, 16 s long), heads within 3 s: "
            f"{tally(sts)}"), all_served(sts, a.streams)


def many_ws(sv, a):
    port = sv.ports["pieces"]
    raw = (f"GET /.well-known/stream/health HTTP/1.1\r\nHost: {HOST}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {WS_KEY}\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n").encode()
    socks, sts = open_many(port, [raw] * a.streams, 3)
    close_all(socks)
    return (f"{a.streams} websockets at once (Pieces health), upgrades within 3 s: {tally(sts)}",
            all_served(sts, a.streams, 101))


def fixture_request(a, service, name, ix_id):
    """The raw bytes of a recorded request, with the soak's key."""
    with open(os.path.join(a.fixtures, service, name)) as f:
        doc = json.load(f)
    req = next(ix["request"] for ix in doc["interactions"] if ix["id"] == ix_id)
    body = json.dumps(req["json"]).encode()
    return http(req["method"], req["path"], ["Content-Type: application/json",
                                             "Accept: text/event-stream",
                                             f"Authorization: Bearer {KEY}"], body)


def most_open(marks, keep):
    """The most responses open at one moment among indexes keep() accepts."""
    held = most = 0
    for _, d, i in sorted(marks):
        if keep(i):
            held += d
            most = max(most, held)
    return most


def streams_per_service(sv, a):
    # Every service at once, a.streams streams each, default options: Pieces
    # websockets (health), Cairos event_log (16 s), and the longest recorded
    # OpenAI (1.45 s) and Bee (1.3 s) run streams, read to their end. "Held"
    # counts the streams of a service open at one moment, head to end.
    n = a.streams
    kinds = [
        ("pieces", (f"GET /.well-known/stream/health HTTP/1.1\r\nHost: {HOST}\r\n"
                    f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    f"{WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode(), 101),
        ("cairos", http("GET", "/api/event_log", ["Accept: text/event-stream",
                                                  "X-Mockkit-Scenario: cut", CAIROS_COOKIE]), 200),
        ("openai", fixture_request(a, "openai", "chat-hello.json", "hello-stream"), 200),
        ("bee", fixture_request(a, "bee", "failed-cancelled.json", "create-run-failed-stream"),
         200),
    ]
    ports, raws = [], []
    for svc, raw, _ in kinds:
        ports += [sv.ports[svc]] * n
        raws += [raw] * n
    # interleaved, so no service gets its streams first
    order = sorted(range(len(raws)), key=lambda i: (i % n, i // n))
    socks, sts, marks = drive([ports[i] for i in order], [raws[i] for i in order], 5, True)
    close_all(socks)
    parts, ok = [], True
    for k, (svc, _, want) in enumerate(kinds):
        mine = [sts[j] for j, i in enumerate(order) if i // n == k]
        most = most_open(marks, lambda j, k=k: order[j] // n == k)
        ok &= all(st == want for st in mine) and most == n
        parts.append(f"{svc} {tally(mine)}, {most} held at once")
    return (f"{n} streams per service, all four services at once, read to their end or 5 s: "
            + "; ".join(parts)), ok


def rate_limit_keys(sv, a):
    # its own serve: bee only, with a rate limit
    rl = Serve(a.mockkit, a.fixtures, ["--rate-limit", "25"], only=["bee"])
    try:
        port = rl.ports["bee"]
        rss0 = rl.rss_kb()
        s = connect(port)
        rates = []
        n = 0
        for batch in range(a.keys // 1000):
            t0 = time.monotonic()
            for i in range(1000):
                n += 1
                s.sendall((f"GET /v1/assistants HTTP/1.1\r\nHost: {HOST}\r\n"
                           f"Authorization: Bearer {KEY}-{n}\r\n\r\n").encode())
                head = read_head(s)
                if not head:
                    s.close()
                    s = connect(port)
                    continue
                m = head.lower().split(b"content-length:")
                length = int(m[1].split(b"\r\n")[0]) if len(m) > 1 else 0
                rest = head.split(b"\r\n\r\n", 1)[1]
                while len(rest) < length:
                    rest += s.recv(65536)
            rates.append(1000 / (time.monotonic() - t0))
        s.close()
        rss1 = rl.rss_kb()
        crash = "" if rl.alive() else f" (rate-limit serve died: {rl.death()})"
        return (f"{n} requests, a new key each (own serve, --rate-limit 25): "
                f"{rates[0]:.0f} req/s first 1000, {rates[-1]:.0f} last 1000; "
                f"its RSS {rss0 // 1024} -> {rss1 // 1024} MiB{crash}"), \
            rates[-1] >= rates[0] / 2 and rss1 - rss0 < 16 * 1024 and not crash
    finally:
        rl.stop()


def ws_2gb_frame(sv, a):
    # Just under 2 GiB: CivetWeb 1.15 itself drops a connection whose frame
    # claims 0x7FFF0000 bytes or more (no close frame), and reserves the
    # whole length of anything below that before a byte of it arrives.
    s, st = ws_open(sv.ports["pieces"], "/qgpt/stream")
    if st != 101:
        s.close()
        return f"upgrade refused: {st}", False
    vm0 = sv.rss_kb("VmSize:")
    s.sendall(ws_frame(b"", 1, length=0x7FF00000) + b"abcd" * 1000)
    code = ws_close_code(s, 2.0)
    vm1 = sv.rss_kb("VmSize:")
    s.close()
    return (f"frame header claiming 2 GiB - 1 MiB: close {code or 'none'}; address space "
            f"{vm0 // 1024} -> {vm1 // 1024} MiB while open"), code == 1009 and vm1 - vm0 < 65536


def rss_100k(sv, a):
    # Keep-alive GETs of a shipped REST answer over 16 connections (each
    # answer waits its recorded 2 ms): memory must stay flat.
    port = sv.ports["pieces"]
    raw = f"GET /.well-known/health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    conns = 16
    oks = [0] * conns

    def worker(k):
        s = connect(port)
        for _ in range(a.requests // conns):
            s.sendall(raw)
            head = read_head(s)
            if not head:
                s.close()
                s = connect(port)
                continue
            oks[k] += status_of(head) == 200
            lower = head.lower()
            length = int(lower.split(b"content-length:")[1].split(b"\r\n")[0]) \
                if b"content-length:" in lower else 0
            rest = head.split(b"\r\n\r\n", 1)[1]
            while len(rest) < length:
                rest += s.recv(65536)
        s.close()

    rss0 = sv.rss_kb()
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    rss1 = sv.rss_kb()
    n = a.requests // conns * conns
    return (f"{n} keep-alive GETs on {conns} conns ({sum(oks)} × 200, {n / took:.0f}/s): RSS "
            f"{rss0 // 1024} -> {rss1 // 1024} MiB"), sum(oks) == n and rss1 - rss0 < 8 * 1024


MALFORMED = [
    b"\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4611686018427387904\r\n\r\nab",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 20000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(200)) + b"\r\n",
    b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n",
    b"\x00\x01\x02\x03 / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab",
    b"GET /%zz%00 HTTP/1.1\r\nHost: x\r\n\r\n",
]


def malformed_http(sv, a):
    # In batches of 48 connections (below the 64 workers), each batch given
    # 3 s to be answered or closed; kinds and ports in turn.
    ports = list(sv.ports.values())
    raws = [MALFORMED[i % len(MALFORMED)] for i in range(a.malformed)]
    sts = []
    for b in range(0, len(raws), 48):
        socks, got = open_many(ports[(b // 48) % len(ports)], raws[b:b + 48], 3)
        close_all(socks)
        sts += got
    return (f"{len(raws)} malformed requests in {len(MALFORMED)} kinds, 48 at a time: "
            f"{tally(sts)}"), None  # incomplete requests may rightly wait


def cuts_mid_sse(sv, a):
    port = sv.ports["cairos"]
    raw = http("GET", "/api/event_log", ["Accept: text/event-stream", "X-Mockkit-Scenario: cut",
                                         CAIROS_COOKIE])
    cut = 0
    for i in range(a.cuts):
        try:
            s = connect(port)
            s.sendall(raw)
            if read_head(s):
                cut += 1
            close_all([s], reset=i % 2 == 0)
        except OSError:
            pass
    return f"{a.cuts} SSE streams cut after the head (half by RST): {cut} had started", cut == a.cuts


def ws_abuse(sv, a):
    port = sv.ports["pieces"]
    notes = []
    s, st = ws_open(port, "/qgpt/stream")
    if st == 101:
        s.sendall(ws_frame(b'{"question":{"query":"Hi how are you"}}')[:9])
        close_all([s], reset=True)
        notes.append("RST mid-frame")
    s, st = ws_open(port, "/qgpt/stream")
    if st == 101:
        s.sendall(struct.pack("!BBQ", 0x81, 0xFF, 1 << 62) + b"\x11\x22\x33\x44abc")
        notes.append(f"2^62 length: close {ws_close_code(s, 2.0) or 'none'}")
        s.close()
    s, st = ws_open(port, "/.well-known/stream/health")
    if st == 101:
        flood = ws_frame(b"p", 9) * a.pings
        try:
            s.sendall(flood)
        except OSError:
            pass
        notes.append(f"{a.pings} pings sent")
        close_all([s], reset=True)
    return "; ".join(notes), None


def crlf_version(sv, a):
    bad = []
    for version in (b"HTTP/1.1 X", b"HTTP/1.", b"HTTP/1.1\rInjected: yes"):
        st, data = request(sv.ports["pieces"],
                           b"GET /.well-known/health " + version + b"\r\nHost: x\r\n\r\n")
        line = data.split(b"\r\n", 1)[0]
        if not re.match(rb"HTTP/1\.[01] [1-5][0-9][0-9] [A-Za-z -]*$", line):
            bad.append(repr(line[:40]))
    return ("bad versions: every status line well-formed" if not bad else
            "bad versions: status line " + ", ".join(bad)), not bad


def upgrade_no_key(sv, a):
    st, data = request(sv.ports["pieces"], (
        f"GET /qgpt/stream HTTP/1.1\r\nHost: {HOST}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    line = data.split(b"\r\n", 1)[0]
    return (f"upgrade without a key: {line[:60]!r}"
            f"{'' if line.startswith(b'HTTP/1.1 ') else ' (NO status line)'}"), \
        line.startswith(b"HTTP/1.1 4")


PROBES = [
    ("deep-json-http", deep_json_http),
    ("deep-json-ws", deep_json_ws),
    ("gated-abandoned", gated_abandoned),
    ("slow-headers", slow_headers),
    ("many-sse", many_sse),
    ("many-ws", many_ws),
    ("streams-per-service", streams_per_service),
    ("rate-limit-keys", rate_limit_keys),
    ("rss-100k", rss_100k),
    ("ws-2gb-frame", ws_2gb_frame),
    ("malformed-http", malformed_http),
    ("cuts-mid-sse", cuts_mid_sse),
    ("ws-abuse", ws_abuse),
    ("crlf-version", crlf_version),
    ("upgrade-no-key", upgrade_no_key),
]


# ---- the run -------------------------------------------------------------

def settle(sv, fds0):
    """Wait (bounded) for descriptors to come back to the baseline."""
    end = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < end and sv.alive() and sv.fds() > fds0:
        time.sleep(0.1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mockkit", default=os.path.join(ROOT, "build", "bin", "mockkit"))
    p.add_argument("--fixtures", default=os.path.join(ROOT, "fixtures"))
    p.add_argument("--only", help="comma list of probes: " + ",".join(n for n, _ in PROBES))
    p.add_argument("--streams", type=int, default=1000, help="many-sse / many-ws / streams-per-service (default 1000)")
    p.add_argument("--gated", type=int, default=64)
    p.add_argument("--slow-conns", type=int, default=100)
    p.add_argument("--slow-seconds", type=int, default=10)
    p.add_argument("--keys", type=int, default=20000, help="rate-limit-keys requests")
    p.add_argument("--malformed", type=int, default=960)
    p.add_argument("--requests", type=int, default=100000, help="rss-100k requests")
    p.add_argument("--cuts", type=int, default=200)
    p.add_argument("--pings", type=int, default=10000)
    a = p.parse_args()
    a.streams = max(1, min(a.streams, 5000))
    a.keys = max(1000, min(a.keys, 200000))
    a.requests = max(1, min(a.requests, 1000000))
    a.slow_seconds = max(1, min(a.slow_seconds, 60))
    wanted = set(a.only.split(",")) if a.only else None

    # 1,000 streams need more than the usual 1,024 descriptors, here and in serve
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))

    print(f"mockkit: {a.mockkit}")
    rows = []
    failed = False
    sv = None
    restart = True  # each probe after a crash or wedge gets a fresh server
    try:
        for name, fn in PROBES:
            if wanted and name not in wanted:
                continue
            if sv is None or restart:
                if sv:
                    sv.stop()
                sv = Serve(a.mockkit, a.fixtures)
                time.sleep(0.2)
            fds0, rss0 = sv.fds(), sv.rss_kb()
            t0 = time.monotonic()
            try:
                result, want = fn(sv, a)
            except Exception as e:  # a probe's own failure is a row too
                result, want = f"probe error: {type(e).__name__}: {e}", False
            took = time.monotonic() - t0
            settle(sv, fds0)
            wedged = [svc for svc, port in sv.ports.items() if not answers(port)]
            crash = "" if sv.alive() else f"YES ({sv.death()})"  # after: a dying process
            if crash:                                              # may still be there before
                wedged = []
            else:
                settle(sv, fds0)  # the wedge check's own connections close gracefully
            fds1, rss1 = sv.fds(), sv.rss_kb()
            failed |= bool(crash or wedged)
            restart = bool(crash or wedged)
            back = not crash and fds1 <= fds0
            verdict = "-" if want is None else ("yes" if want and not crash else "NO")
            failed |= verdict == "NO" or not back
            rows.append((name, result, verdict, crash or "no", ", ".join(wedged) or "no",
                         f"{fds0} -> {fds1 if not crash else '-'}{'' if back or crash else ' (NOT back)'}",
                         f"{rss0 // 1024} -> {rss1 // 1024 if not crash else '-'} MiB",
                         f"{took:.1f} s"))
            print(f"  {name}: {result}", file=sys.stderr)
            if crash:
                print(f"  serve log: {sv.tail_log()}", file=sys.stderr)
    except RuntimeError as e:
        print(f"soak.py: {e}", file=sys.stderr)
        return 2
    finally:
        if sv:
            sv.stop()

    print("| probe | result | as issue 11 wants? | crash? | wedge? | fds before -> after | "
          "RSS before -> after | time |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(x.replace("|", "/") for x in r) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
