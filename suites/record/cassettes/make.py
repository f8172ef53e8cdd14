#!/usr/bin/python3
"""Generate the crafted cassette pairs of suite-record-diff (stdlib only).

base.json is one session; every other file is base with one kind of change,
so each test knows exactly which finding `mockkit diff base.json X.json`
must report. volatile.json changes only what diff must ignore (ids,
timestamps, generated text, small timing shifts). Run from anywhere:
    /usr/bin/python3 suites/record/cassettes/make.py
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
REFS = [
    "openai/openai-openapi@f85dbe2 openapi.yaml (Assistants threads, runs, run stream events)",
    "pieces-app/pieces-os-client-sdk-for-typescript (QGPT stream websocket messages)",
]


def sse(events):
    return "".join("event: %s\ndata: %s\n\n" % (n, json.dumps(d, separators=(",", ":")))
                   for n, d in events)


def base(thread="thread_6740a1b2c3d4e5f601234560", created=1732000000, words=("Hel", "lo", "!"),
         first=30, total=300, answer="Hi there"):
    deltas = [("thread.message.delta",
               {"id": "msg_1", "object": "thread.message.delta",
                "delta": {"content": [{"index": 0, "type": "text", "text": {"value": w}}]}})
              for w in words]
    events = ([("thread.run.created", {"id": "run_1", "object": "thread.run", "status": "queued",
                                       "created_at": created})] + deltas +
              [("thread.run.completed", {"id": "run_1", "object": "thread.run",
                                         "status": "completed", "created_at": created}),
               ("done", "[DONE]")])
    step = (total - first) // max(1, len(events) - 1)
    chunks = [{"at_ms": 1000 + first + i * step, "text": sse([e])} for i, e in enumerate(events)]
    chunks[-1]["at_ms"] = 1000 + total
    return {
        "mockkit_cassette": 1,
        "meta": {"service": "generic", "name": "base", "created": "2026-11-23T00:00:00Z",
                 "description": "crafted for suite-record-diff",
                 "source": {"kind": "synthesized", "refs": REFS}},
        "interactions": [
            {"id": "get-thread", "at_ms": 0,
             "request": {"method": "GET", "path": "/v1/threads/" + thread},
             "response": {"status": 200, "at_ms": 40,
                          "headers": {"content-type": "application/json"},
                          "json": {"id": thread, "object": "thread", "created_at": created,
                                   "metadata": {}}}},
            {"id": "list-models", "at_ms": 100,
             "request": {"method": "GET", "path": "/v1/models"},
             "response": {"status": 200, "at_ms": 130,
                          "json": {"object": "list",
                                   "data": [{"id": "gpt-4o-mini", "object": "model",
                                             "created": created}]}}},
            {"id": "create-run", "at_ms": 1000,
             "request": {"method": "POST", "path": "/v1/threads/" + thread + "/runs",
                         "json": {"assistant_id": "asst_1", "stream": True}},
             "response": {"status": 200, "at_ms": 1010,
                          "headers": {"content-type": "text/event-stream"},
                          "chunks": chunks}},
            {"id": "ask", "at_ms": 2000,
             "request": {"method": "GET", "path": "/qgpt/stream"},
             "websocket": {"frames": [
                 {"at_ms": 2010, "from": "client", "type": "text",
                  "json": {"question": {"query": "hi"}}},
                 {"at_ms": 2100, "from": "server", "type": "text",
                  "json": {"status": "IN-PROGRESS", "answer": answer[:2]}},
                 {"at_ms": 2200, "from": "server", "type": "text",
                  "json": {"status": "COMPLETED", "answer": answer}}]}},
            {"id": "get-file", "at_ms": 3000,
             "request": {"method": "GET", "path": "/v1/files/file-abc12345"},
             "response": {"status": 404, "at_ms": 3010,
                          "json": {"error": {"code": "not_found", "message": "File not found"}}}},
        ],
    }


def ix(doc, id_):
    return next(i for i in doc["interactions"] if i["id"] == id_)


def write(name, doc):
    doc["meta"]["name"] = name
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main():
    write("base", base())
    # Only volatile things change: ids in paths and bodies, timestamps,
    # generated text (and how many deltas carry it), timing within 50%.
    write("volatile", base(thread="thread_99ff00aa11bb22cc33dd44ee", created=1732999999,
                           words=("Good", " day", " to", " you"), first=35, total=360,
                           answer="Hello, friend"))
    d = base()
    d["interactions"] = [i for i in d["interactions"] if i["id"] != "list-models"]
    d["interactions"].insert(1, {"id": "list-assistants", "at_ms": 100,
                                 "request": {"method": "GET", "path": "/v1/assistants"},
                                 "response": {"status": 200, "at_ms": 120,
                                              "json": {"object": "list", "data": []}}})
    write("drift-endpoint", d)
    d = base()
    ix(d, "get-file")["response"]["status"] = 410
    write("drift-status", d)
    d = base()
    t = ix(d, "get-thread")["response"]["json"]
    del t["metadata"]
    t["tool_resources"] = {}
    t["created_at"] = "2026-11-23T00:00:00Z"
    t["object"] = "thread.v2"
    write("drift-fields", d)
    d = base()
    ch = ix(d, "create-run")["response"]["chunks"]
    ch[0]["text"] = sse([("thread.run.step.created", {"id": "step_1", "object": "thread.run.step"})])
    write("drift-sse", d)
    d = base()
    ix(d, "ask")["websocket"]["frames"][2]["json"]["conversation"] = "conv_1"
    write("drift-ws", d)
    d = base(first=400, total=900)
    write("drift-timing", d)
    d = base()
    ix(d, "get-file")["response"]["status"] = 99
    write("invalid", d)


if __name__ == "__main__":
    main()
