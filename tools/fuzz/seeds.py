#!/usr/bin/python3
"""Regenerate the committed seed corpora in tools/fuzz/corpus/ from the
shipped fixtures (standard library only). Run from anywhere:

    tools/fuzz/seeds.py

Seeds are what each target's input format says (see the target's header
comment): real SSE streams, small cassettes, recorded requests and masked
client frames, so the fuzzer starts from inputs that reach deep paths.
The corpora stay small (a few dozen files each); what a long run finds
stays in its own work folder unless it is worth keeping."""
import base64
import glob
import hashlib
import json
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tools", "fuzz", "corpus")
SERVICES = ["pieces", "bee", "openai", "cairos"]  # fuzz_match byte 0, bits 0-1
PER_SERVICE = 12


def body_bytes(obj):
    if obj is None:
        return b""
    if "json" in obj:
        return json.dumps(obj["json"], separators=(",", ":")).encode()
    if "text" in obj:
        return obj["text"].encode()
    if "base64" in obj:
        return base64.b64decode(obj["base64"])
    return b""


def cassettes(service):
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", service, "*.json"))):
        with open(path, encoding="utf-8") as f:
            yield path, json.load(f)


def write(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def sse_seeds():
    n = 0
    for svc in SERVICES:
        for _, cas in cassettes(svc):
            for ix in cas["interactions"]:
                chunks = ix.get("response", {}).get("chunks") or []
                stream = b"".join(body_bytes(c) for c in chunks)
                if b"data:" not in stream or n >= 16:
                    continue
                # byte 0: slice size (low 6 bits), small limit, reset midway
                write("fuzz_sse", bytes([n * 7 % 64]) + stream[:4096])
                n += 1
    write("fuzz_sse", b"\x05\xef\xbb\xbfdata: a\r\ndata: b\r\rid: 1\nretry: 10\n:c\n\n")
    write("fuzz_sse", b"\x40event: x\ndata:" + b"y" * 100 + b"\n\n")


def cassette_seeds():
    files = [p for svc in SERVICES for p, _ in cassettes(svc)]
    for path in sorted(files, key=os.path.getsize)[:6]:
        with open(path, "rb") as f:
            write("fuzz_cassette", f.read())


def match_seeds():
    for i, svc in enumerate(SERVICES):
        n = 0
        for _, cas in cassettes(svc):
            for ix in cas["interactions"]:
                if n >= PER_SERVICE:
                    break
                req = ix["request"]
                ws = "websocket" in ix
                target = req["path"]
                q = req.get("query")
                if q:
                    target += "?" + "&".join(f"{k}={v}" for k, vs in q.items()
                                             for v in (vs if isinstance(vs, list) else [vs]))
                head = f"{req['method']} {target}\n"
                for k, v in (req.get("headers") or {}).items():
                    v = v.replace("<REDACTED:api_key>", "sk-proj-testkey")
                    head += f"{k}: {v}\n"
                write("fuzz_match", bytes([i | (4 if ws else 0)]) + head.encode() + b"\n"
                      + body_bytes(req))
                n += 1
    # nesting a mutation can deepen (copy-part, repeated bytes) towards cJSON's 1,000 levels
    write("fuzz_match", b"\x02POST /v1/chat/completions\nauthorization: Bearer sk-proj-testkey\n"
          b"content-type: application/json\n\n" + b"[" * 300 + b"]" * 300)


def ws_frame(payload, opcode=1):
    mask = b"\x11\x22\x33\x44"
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + mask + bytes(b ^ mask[k % 4] for k, b in enumerate(payload))


def ws_seeds():
    paths = []  # the order fuzz_ws finds them in: files sorted, then in-file order
    for _, cas in cassettes("pieces"):
        for ix in cas["interactions"]:
            if "websocket" in ix and ix["request"]["path"] not in paths:
                paths.append(ix["request"]["path"])
    for _, cas in cassettes("pieces"):
        for ix in cas["interactions"]:
            if "websocket" not in ix:
                continue
            idx = paths.index(ix["request"]["path"])
            frames = b""
            for fr in ix["websocket"]["frames"]:
                if fr["from"] == "client":
                    op = {"text": 1, "binary": 2, "ping": 9, "pong": 10, "close": 8}[fr["type"]]
                    frames += ws_frame(body_bytes(fr), op)
            write("fuzz_ws", bytes([idx]) + frames)
            write("fuzz_ws", bytes([idx]) + frames + ws_frame(b"\x03\xe8bye", 8))
    write("fuzz_ws", b"\x00" + ws_frame(b"ping", 9) + ws_frame(b"x" * 200, 2))
    write("fuzz_ws", b"\x00" + ws_frame(b'{"question":', 1)[:-3])  # cut mid-frame


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    sse_seeds()
    cassette_seeds()
    match_seeds()
    ws_seeds()
    for t in sorted(os.listdir(OUT)):
        files = os.listdir(os.path.join(OUT, t))
        size = sum(os.path.getsize(os.path.join(OUT, t, f)) for f in files)
        print(f"{t}: {len(files)} seeds, {size} bytes")


if __name__ == "__main__":
    main()
