#!/usr/bin/python3
"""Debian's python3-websockets, unmodified, against `mockkit serve` for Pieces:
the workshop's websocket flow (health stream, identifier snapshot, ask over
/qgpt/stream in the newer relevance form until COMPLETED). Needs
MOCKKIT_PIECES_URL; prints PASS/FAIL per step; exit 0 only if all pass."""
import asyncio
import json
import os
import sys

import websockets

BASE = os.environ["MOCKKIT_PIECES_URL"].replace("http://", "ws://", 1)
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name}{(': ' + detail) if detail and not ok else ''}")


async def recv_json(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


async def main():
    async with websockets.connect(BASE + "/.well-known/stream/health") as ws:
        frame = await asyncio.wait_for(ws.recv(), 10)
        check("health stream sends OK as text", frame == "OK", repr(frame))

    async with websockets.connect(BASE + "/assets/stream/identifiers") as ws:
        first = await recv_json(ws)
        items = first.get("iterable")
        ok = isinstance(items, list) and all(len(i["asset"]["id"]) == 36 for i in items)
        check("asset identifiers: the first frame is the full snapshot", ok, str(first)[:200])

    async with websockets.connect(BASE + "/qgpt/stream") as ws:
        await ws.send(json.dumps({"relevance": {"query": "Hi how are you",
                                                "options": {"question": True}}}))
        text, status, conversation = "", None, None
        while status not in ("COMPLETED", "FAILED"):
            frame = await recv_json(ws)
            status = frame.get("status")
            conversation = frame.get("conversation")
            for answer in ((frame.get("question") or {}).get("answers") or {}).get("iterable", []):
                text += answer["text"]
            if status == "COMPLETED" and frame.get("question"):
                check("COMPLETED carries no answer text", False, str(frame)[:200])
        check("ask (relevance form) streams text then COMPLETED",
              status == "COMPLETED" and text and conversation and len(conversation) == 36,
              f"status={status} text={text!r}")


asyncio.run(main())
print(f"pieces_ws: {sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
