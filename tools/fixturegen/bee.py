#!/usr/bin/python3
"""Generate the shipped Bee API cassettes (fixtures/bee/*.json).

Stdlib only. Run from anywhere:  /usr/bin/python3 tools/fixturegen/bee.py
It rewrites every file it owns in fixtures/bee/ deterministically (same ids,
same timestamps), so a diff of the output shows exactly what changed.

The wire shapes follow i-am-bee/bee-api@7f04eca (the last commit; archived):
DTOs from src/*/…service.ts toDto, the SSE framing from src/streaming/sse.ts,
the event order from src/runs/execution/execute.ts + event-handlers/streaming.ts,
errors from src/errors/plugin.ts. See /work/shared/protocols/bee-openai.md §1.
Decisions where the source leaves room are marked "decided:" below.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "fixtures", "bee"))

CREATED = "2026-11-23T02:00:00Z"
T0 = 1732290000  # unix seconds of the synthesized session
MODEL = "meta-llama/llama-3-1-70b-instruct"
REF = "i-am-bee/bee-api@7f04eca"
REFS_COMMON = [
    REF + " src/server.ts",
    REF + " src/errors/plugin.ts",
    REF + " src/utils/pagination.ts",
    "i-am-bee/bee-python-sdk@ee7fefa README.md",
]

JSON_HEADERS = {
    "content-type": "application/json; charset=utf-8",
    # @fastify/rate-limit with enableDraftSpec adds these to every reply.
    "ratelimit-limit": "25",
    "ratelimit-remaining": "24",
    "ratelimit-reset": "1",
}
SSE_HEADERS = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache,no-transform",
    "x-no-compression": "1",
}
REQ_JSON = {"content-type": "application/json"}

# ---- ids ------------------------------------------------------------------
# <prefix>_<24 hex> like a Mongo ObjectId: 4 bytes time, 5 bytes process, 3
# bytes counter. One counter for the whole set so no two ids collide.
_counter = [0x123450]


def oid(prefix):
    _counter[0] += 1
    return "%s_%08x%s%06x" % (prefix, T0 + 0x1000, "a1b2c3d4e5", _counter[0])


UNKNOWN = "ffffffffffffffffffffffff"

# ---- DTOs (key order as bee-api emits them) --------------------------------


def tool_resources():
    # toToolResourcesDto: the filters return arrays (always truthy), so both
    # keys are present even when empty.
    return {"code_interpreter": {"file_ids": []}, "file_search": {"vector_store_ids": []}}


def assistant(aid, tools, t, name=None):
    return {"id": aid, "object": "assistant", "tools": tools, "tool_resources": tool_resources(),
            "instructions": None, "name": name, "description": None, "metadata": {},
            "created_at": t, "model": MODEL, "agent": "bee"}


def thread(tid, t):
    return {"id": tid, "object": "thread", "metadata": {}, "created_at": t,
            "tool_resources": tool_resources()}


def message(mid, role, text, t, run_id=None):
    m = {"id": mid, "object": "thread.message", "role": role,
         "content": [{"type": "text", "text": {"value": text}}]}
    if run_id:  # undefined (dropped) for user messages
        m["run_id"] = run_id
    m.update({"metadata": {}, "created_at": t, "attachments": None})
    return m


def run(rid, tid, aid, tools, t, status, started=None, completed=None, failed=None,
        cancelled=None, last_error=None, required_action=None):
    return {"id": rid, "object": "thread.run", "thread_id": tid, "assistant_id": aid,
            "status": status, "last_error": last_error, "required_action": required_action,
            "tools": tools, "instructions": None, "additional_instructions": None,
            "metadata": {}, "created_at": t, "started_at": started, "expires_at": t + 600,
            "cancelled_at": cancelled, "completed_at": completed, "failed_at": failed,
            "model": MODEL}


def step(sid, r, status, details, t, last_error=None):
    return {"id": sid, "object": "thread.run.step", "assistant_id": r["assistant_id"],
            "thread_id": r["thread_id"], "run_id": r["id"], "status": status,
            "type": details["type"], "step_details": details, "last_error": last_error,
            "metadata": {}, "created_at": t}


def thought(content):
    return {"type": "thought", "thought": {"content": content}}


def msg_creation(mid):
    return {"type": "message_creation", "message_creation": {"message_id": mid}}


def page(items, has_more=False, total=None):
    # Bee's list envelope: no "object":"list", adds total_count; empty → nulls.
    return {"data": items,
            "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None,
            "has_more": has_more,
            "total_count": len(items) if total is None else total}


def error(code, msg):
    return {"error": {"code": code, "message": msg}}


# ---- cassette building -----------------------------------------------------


class Cassette:
    def __init__(self, name, description, refs):
        self.name = name
        self.doc = {"mockkit_cassette": 1,
                    "meta": {"service": "bee", "name": name, "description": description,
                             "created": CREATED,
                             "source": {"kind": "synthesized", "refs": REFS_COMMON + refs}},
                    "interactions": []}
        self.t = 0

    def http(self, ident, method, path, body=None, query=None, status=200, resp=None,
             latency=40, match=None, resp_headers=None, note=None, gap=200, req_text=None,
             req_headers=None, resp_text=None):
        self.t += gap
        req = {"method": method, "path": path}
        if query:
            req["query"] = query
        if body is not None:
            req["headers"] = dict(REQ_JSON)
            req["json"] = body
        if req_text is not None:
            req["headers"] = req_headers
            req["text"] = req_text
        ix = {"id": ident, "at_ms": self.t, "request": req}
        if match:
            ix["match"] = match
        r = {"status": status, "at_ms": self.t + latency,
             "headers": dict(resp_headers or JSON_HEADERS)}
        if resp_text is not None:
            r["text"] = resp_text
        elif resp is not None:
            r["json"] = resp
        ix["response"] = r
        if note:
            ix["note"] = note
        self.doc["interactions"].append(ix)
        self.t += latency
        return ix

    def stream(self, ident, path, body, events, note=None, gap=200):
        """events: [(gap_ms, name, data)]; ends with done. Chunk text is
        `event: X\\ndata: JSON.stringify(data)\\n\\n` exactly as sse.ts writes it."""
        self.t += gap
        start = self.t
        ix = {"id": ident, "at_ms": start,
              "request": {"method": "POST", "path": path, "headers": dict(REQ_JSON), "json": body},
              "response": {"status": 200, "at_ms": start + 25, "headers": dict(SSE_HEADERS),
                           "chunks": []}}
        if note:
            ix["note"] = note
        t = start + 25
        for g, name, data in events + [(15, "done", "[DONE]")]:
            t += g
            ix["response"]["chunks"].append({"at_ms": t, "text": sse(name, data)})
        self.doc["interactions"].append(ix)
        self.t = t
        return ix

    def write(self):
        path = os.path.join(OUT, self.name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.doc, f, indent=2, ensure_ascii=False)
            f.write("\n")
        return path


def sse(name, data):
    # JSON.stringify: compact separators, non-ASCII kept as UTF-8.
    return "event: %s\ndata: %s\n\n" % (name, json.dumps(data, separators=(",", ":"),
                                                          ensure_ascii=False))


def split_words(text, n=3):
    """Split text into fragments of about n words, keeping every byte."""
    words = text.split(" ")
    out = []
    for i in range(0, len(words), n):
        frag = " ".join(words[i:i + n])
        if i + n < len(words):
            frag += " "
        out.append(frag)
    return out


def answer_events(r, msg_id, step_id, text, t, with_step_created=True):
    """The message_creation part of a Bee run stream."""
    ev = []
    st = step(step_id, r, "in_progress", msg_creation(msg_id), t)
    if with_step_created:
        ev.append((30, "thread.run.step.created", st))
        ev.append((5, "thread.run.step.in_progress", st))
    empty = message(msg_id, "assistant", "", t, r["id"])
    ev.append((20, "thread.message.created", empty))
    ev.append((5, "thread.message.in_progress", empty))
    for frag in split_words(text):
        ev.append((45, "thread.message.delta",
                   {"id": msg_id, "object": "thread.message.delta",
                    "delta": {"role": "assistant",
                              "content": [{"index": 0, "type": "text", "text": {"value": frag}}]}}))
    ev.append((20, "thread.message.completed", message(msg_id, "assistant", text, t + 3, r["id"])))
    ev.append((5, "thread.run.step.completed",
               step(step_id, r, "completed", msg_creation(msg_id), t)))
    return ev


def thought_events(r, step_id, text, t, status="completed"):
    ev = []
    st = step(step_id, r, "in_progress", thought(None), t)
    ev.append((60, "thread.run.step.created", st))
    ev.append((5, "thread.run.step.in_progress", st))
    for frag in split_words(text, 4):
        ev.append((40, "thread.run.step.delta",
                   {"id": step_id, "object": "thread.run.step.delta",
                    "delta": {"step_details": {"type": "thought", "thought": {"content": frag}}}}))
    if status == "completed":
        ev.append((10, "thread.run.step.completed",
                   step(step_id, r, "completed", thought(text), t)))
    return ev


# ---- the sessions ----------------------------------------------------------

QUESTION = "What is the unicode character U+1F41D? Create a haiku about it."
ANSWER = ("U+1F41D is the HONEYBEE emoji \U0001F41D.\n\n"
          "Tiny striped courier,\nhumming gold from bloom to bloom,\nsummer in her wings.")
THOUGHT = ("The user asks what U+1F41D is and wants a haiku about it. "
           "U+1F41D is the honeybee emoji, so I can answer directly without tools.")
CODE_INTERPRETER = [{"type": "code_interpreter"}]

ASST = oid("asst")
THREAD = oid("thread")
MSG_Q = oid("msg")


def basic():
    c = Cassette("basic-usage",
                 "The bee-python-sdk basic usage: assistant with code_interpreter, thread with a "
                 "user message, run polled queued -> in_progress -> completed, answer read from "
                 "the desc message list; steps, trace and the observe proxy for that run.",
                 [REF + " src/assistants/assistants.service.ts",
                  REF + " src/threads/threads.service.ts",
                  REF + " src/messages/messages.service.ts",
                  REF + " src/runs/runs.service.ts",
                  REF + " src/run-steps/run-steps.service.ts",
                  REF + " src/observe/observe.module.ts",
                  "i-am-bee/bee-python-sdk@ee7fefa examples/basic_usage.py",
                  "i-am-bee/bee-python-sdk@ee7fefa examples/download_trace.py"])
    a = assistant(ASST, CODE_INTERPRETER, T0)
    c.http("create-assistant", "POST", "/v1/assistants",
           {"model": MODEL, "tools": CODE_INTERPRETER}, resp=a, gap=0)
    c.http("retrieve-assistant", "GET", "/v1/assistants/" + ASST, resp=a)
    th = thread(THREAD, T0 + 1)
    c.http("create-thread", "POST", "/v1/threads",
           {"messages": [{"role": "user", "content": QUESTION}]}, resp=th)
    c.http("retrieve-thread", "GET", "/v1/threads/" + THREAD, resp=th)

    rid = RUN_BASIC
    runs_path = "/v1/threads/%s/runs" % THREAD
    q = run(rid, THREAD, ASST, CODE_INTERPRETER, T0 + 2, "queued")
    c.http("create-run", "POST", runs_path, {"assistant_id": ASST}, resp=q,
           note="non-streamed: no stream key; the streamed twin in run-stream.json wins on "
                "{\"stream\":true} because it matches more JSON leaves")
    path = runs_path + "/" + rid
    c.http("poll-run-1", "GET", path, resp=q, gap=1000)
    c.http("poll-run-2", "GET", path,
           resp=run(rid, THREAD, ASST, CODE_INTERPRETER, T0 + 2, "in_progress", started=T0 + 3),
           gap=1000)
    done = run(rid, THREAD, ASST, CODE_INTERPRETER, T0 + 2, "completed", started=T0 + 3,
               completed=T0 + 7)
    c.http("poll-run-3", "GET", path, resp=done, gap=1000,
           note="equal GETs form a sequence: queued, in_progress, then completed (repeats)")

    q_msg = message(MSG_Q, "user", QUESTION, T0 + 1)
    a_msg = message(MSG_BASIC_ANSWER, "assistant", ANSWER, T0 + 6, rid)
    mpath = "/v1/threads/%s/messages" % THREAD
    c.http("list-messages", "GET", mpath, resp=page([a_msg, q_msg]),
           note="default order desc: the answer comes first")
    c.http("list-messages-trailing", "GET", mpath, query={"after": MSG_Q}, resp=page([]),
           note="the page SDKs that ignore has_more ask for after the last item")

    s1 = step(STEP_BASIC_THOUGHT, done, "completed", thought(THOUGHT), T0 + 3)
    s2 = step(STEP_BASIC_MSG, done, "completed", msg_creation(MSG_BASIC_ANSWER), T0 + 5)
    spath = path + "/steps"
    c.http("list-steps", "GET", spath, resp=page([s2, s1]))
    c.http("list-steps-trailing", "GET", spath, query={"after": STEP_BASIC_THOUGHT}, resp=page([]))

    c.http("run-trace", "GET", path + "/trace",
           resp={"id": TRACE_ID, "iterations": [
               {"id": STEP_BASIC_THOUGHT, "event": {"group_id": "2024-11-22T15:40:03.000Z"}},
               {"id": STEP_BASIC_MSG, "event": {"group_id": "2024-11-22T15:40:05.000Z"}}]})
    c.http("observe-trace", "GET", "/observe/v1/traces/" + TRACE_ID,
           query={"include_tree": "true"},
           resp={"result": {"id": TRACE_ID, "start_at": "2024-11-22T15:40:03.120Z",
                            "finish_at": "2024-11-22T15:40:07.480Z",
                            "request": {"message": QUESTION, "history": [],
                                        "framework": {"version": "0.0.34"}},
                            "response": {"text": ANSWER}}},
           note="the observe proxy lives outside /v1 (src/observe/observe.module.ts)")
    c.http("list-assistants", "GET", "/v1/assistants",
           resp=page([assistant(ASST_FN, FN_TOOLS, T0 + 100), a]))
    c.http("list-assistants-trailing", "GET", "/v1/assistants", query={"after": ASST},
           resp=page([]))
    return c


RUN_BASIC = oid("run")
MSG_BASIC_ANSWER = oid("msg")
STEP_BASIC_THOUGHT = oid("step")
STEP_BASIC_MSG = oid("step")
TRACE_ID = "6740a1b2-c3d4-4e5f-8012-3456789abcde"  # decided: bee-observe trace ids are UUID-like

RUN_STREAM = oid("run")
MSG_STREAM = oid("msg")
STEP_STREAM_THOUGHT = oid("step")
STEP_STREAM_MSG = oid("step")


def run_stream():
    c = Cassette("run-stream",
                 "The basic-usage run again, streamed: the full Bee event order with a thought "
                 "step and message deltas, ending with event done / data \"[DONE]\".",
                 [REF + " src/streaming/sse.ts", REF + " src/streaming/dtos/event.ts",
                  REF + " src/runs/execution/execute.ts",
                  REF + " src/runs/execution/event-handlers/streaming.ts"])
    t = T0 + 20
    r_q = run(RUN_STREAM, THREAD, ASST, CODE_INTERPRETER, t, "queued")
    r_p = run(RUN_STREAM, THREAD, ASST, CODE_INTERPRETER, t, "in_progress", started=t + 1)
    ev = [(10, "thread.run.created", r_q), (15, "thread.run.queued", r_q),
          (180, "thread.run.in_progress", r_p)]
    ev += thought_events(r_p, STEP_STREAM_THOUGHT, THOUGHT, t + 1)
    ev += answer_events(r_p, MSG_STREAM, STEP_STREAM_MSG, ANSWER, t + 3)
    ev.append((20, "thread.run.completed",
               run(RUN_STREAM, THREAD, ASST, CODE_INTERPRETER, t, "completed", started=t + 1,
                   completed=t + 6)))
    c.stream("create-run-stream", "/v1/threads/%s/runs" % THREAD,
             {"assistant_id": ASST, "stream": True}, ev, gap=0)
    return c


FN_TOOLS = [{"type": "function", "function": {
    "name": "get_current_location",
    "description": "Returns the city the user is in right now.",
    "parameters": {"type": "object", "properties": {}, "required": []}}}]
ASST_FN = oid("asst")
THREAD_FN = oid("thread")
RUN_FN = oid("run")
CALL_FN = oid("call")
FN_QUESTION = "Where am I right now? Answer with the city name only."
FN_OUTPUT = "Prague, Czech Republic"
FN_ANSWER = "You are in Prague."


def function_tool():
    c = Cassette("function-tool",
                 "A function tool run: the stream stops at thread.run.requires_action + done; "
                 "submit_tool_outputs with stream:true opens a new stream that completes.",
                 [REF + " src/runs/execution/tools/function.ts",
                  REF + " src/runs/runs.module.ts", REF + " src/streaming/sse.ts",
                  "openai/openai-node@v4.73.0 src/lib/AssistantStream.ts"])
    a = assistant(ASST_FN, FN_TOOLS, T0 + 100)
    c.http("create-assistant-fn", "POST", "/v1/assistants", {"model": MODEL, "tools": FN_TOOLS},
           resp=a, gap=0)
    c.http("create-thread-fn", "POST", "/v1/threads",
           {"messages": [{"role": "user", "content": FN_QUESTION}]},
           resp=thread(THREAD_FN, T0 + 101))
    t = T0 + 102
    r_q = run(RUN_FN, THREAD_FN, ASST_FN, FN_TOOLS, t, "queued")
    r_p = run(RUN_FN, THREAD_FN, ASST_FN, FN_TOOLS, t, "in_progress", started=t + 1)
    s_th = oid("step")
    s_tool = oid("step")
    call_pending = {"id": CALL_FN, "type": "function",
                    "function": {"name": "get_current_location", "arguments": "{}", "output": None}}
    tool_details = {"type": "tool_calls", "tool_calls": [call_pending]}
    ra = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": [call_pending]}}
    r_ra = run(RUN_FN, THREAD_FN, ASST_FN, FN_TOOLS, t, "requires_action", started=t + 1,
               required_action=ra)
    ev = [(10, "thread.run.created", r_q), (15, "thread.run.queued", r_q),
          (150, "thread.run.in_progress", r_p)]
    ev += thought_events(r_p, s_th, "I need the user's location, so I call get_current_location.",
                         t + 1)
    st = step(s_tool, r_p, "in_progress", tool_details, t + 2)
    ev += [(40, "thread.run.step.created", st), (5, "thread.run.step.in_progress", st),
           (20, "thread.run.requires_action", r_ra)]
    path = "/v1/threads/%s/runs" % THREAD_FN
    c.stream("create-run-fn-stream", path, {"assistant_id": ASST_FN, "stream": True}, ev)
    c.http("poll-run-fn", "GET", path + "/" + RUN_FN, resp=r_ra, gap=100)

    call_done = {"id": CALL_FN, "type": "function",
                 "function": {"name": "get_current_location", "arguments": "{}",
                              "output": FN_OUTPUT}}
    ev2 = [(30, "thread.run.step.completed",
            step(s_tool, r_p, "completed", {"type": "tool_calls", "tool_calls": [call_done]},
                 t + 2))]
    ev2 += answer_events(r_p, oid("msg"), oid("step"), FN_ANSWER, t + 5)
    ev2.append((20, "thread.run.completed",
                run(RUN_FN, THREAD_FN, ASST_FN, FN_TOOLS, t, "completed", started=t + 1,
                    completed=t + 6)))
    ix = c.stream("submit-tool-outputs-stream", path + "/" + RUN_FN + "/submit_tool_outputs",
                  {"tool_outputs": [{"tool_call_id": CALL_FN, "output": FN_OUTPUT}],
                   "stream": True}, ev2, gap=400,
                  note="no thread.run.in_progress is re-emitted after a submit (bee-api "
                       "execute.ts); any output string matches")
    ix["match"] = {"json": {"tool_outputs": [{"tool_call_id": CALL_FN}], "stream": True}}
    return c


def failed_cancelled():
    c = Cassette("failed-cancelled",
                 "A run that fails (thread.run.step.failed, thread.run.failed with last_error, "
                 "done) and a run cancelled while in progress (cancelling -> cancelled).",
                 [REF + " src/runs/entities/run.entity.ts", REF + " src/runs/runs.service.ts",
                  REF + " src/runs/execution/execute.ts", REF + " src/streaming/pubsub.ts"])
    th_f = oid("thread")
    q = "Summarize the attached quarterly report."
    c.http("create-thread-failed", "POST", "/v1/threads",
           {"messages": [{"role": "user", "content": q}]}, resp=thread(th_f, T0 + 200), gap=0)
    rid = oid("run")
    t = T0 + 201
    r_q = run(rid, th_f, ASST, CODE_INTERPRETER, t, "queued")
    r_p = run(rid, th_f, ASST, CODE_INTERPRETER, t, "in_progress", started=t + 1)
    err = {"code": "agent_error", "message": "LLM generation failed: upstream model timed out"}
    s = oid("step")
    ev = [(10, "thread.run.created", r_q), (15, "thread.run.queued", r_q),
          (160, "thread.run.in_progress", r_p)]
    ev += thought_events(r_p, s, "The user mentions an attached report, but no file is attached",
                         t + 1, status="failed")
    ev.append((900, "thread.run.step.failed",
               step(s, r_p, "failed", thought("The user mentions an attached report"), t + 1,
                    last_error=err)))
    r_f = run(rid, th_f, ASST, CODE_INTERPRETER, t, "failed", started=t + 1, failed=t + 3,
              last_error=err)
    ev.append((10, "thread.run.failed", r_f))
    path = "/v1/threads/%s/runs" % th_f
    c.stream("create-run-failed-stream", path, {"assistant_id": ASST, "stream": True}, ev)
    c.http("retrieve-run-failed", "GET", path + "/" + rid, resp=r_f)

    th_c = oid("thread")
    qc = "Write a 2000 word essay about the history of beekeeping."
    c.http("create-thread-cancel", "POST", "/v1/threads",
           {"messages": [{"role": "user", "content": qc}]}, resp=thread(th_c, T0 + 300), gap=500)
    rc = oid("run")
    t = T0 + 301
    path = "/v1/threads/%s/runs" % th_c
    c.http("create-run-cancel", "POST", path, {"assistant_id": ASST},
           resp=run(rc, th_c, ASST, CODE_INTERPRETER, t, "queued"))
    c.http("poll-run-cancel-1", "GET", path + "/" + rc,
           resp=run(rc, th_c, ASST, CODE_INTERPRETER, t, "in_progress", started=t + 1), gap=1000,
           note="Bee refuses to cancel a queued run (400), so clients wait for in_progress")
    c.http("cancel-run", "POST", path + "/" + rc + "/cancel",
           resp=run(rc, th_c, ASST, CODE_INTERPRETER, t, "cancelling", started=t + 1))
    c.http("poll-run-cancel-2", "GET", path + "/" + rc,
           resp=run(rc, th_c, ASST, CODE_INTERPRETER, t, "cancelled", started=t + 1,
                    cancelled=t + 2), gap=1000)
    return c


def pagination():
    c = Cassette("pagination",
                 "Messages on one thread paged with limit/after/before/order, including the "
                 "trailing empty page an SDK asks for after the last item.",
                 [REF + " src/schema.ts", REF + " src/messages/messages.module.ts",
                  "openai/openai-node@v4.73.0 src/pagination.ts"])
    th = oid("thread")
    m1 = oid("msg")
    m2 = oid("msg")
    c.http("create-thread-pages", "POST", "/v1/threads",
           {"messages": [{"role": "user", "content": "First message for paging."}]},
           resp=thread(th, T0 + 400), gap=0)
    mpath = "/v1/threads/%s/messages" % th
    msg1 = message(m1, "user", "First message for paging.", T0 + 400)
    msg2 = message(m2, "user", "Second message for paging.", T0 + 401)
    c.http("create-message", "POST", mpath,
           {"role": "user", "content": "Second message for paging."}, resp=msg2)
    c.http("list-all", "GET", mpath, resp=page([msg2, msg1]))
    c.http("list-limit-1", "GET", mpath, query={"limit": "1"}, resp=page([msg2], True, 2))
    c.http("list-limit-1-after-m2", "GET", mpath, query={"limit": "1", "after": m2},
           resp=page([msg1], False, 2))
    c.http("list-limit-1-after-m1", "GET", mpath, query={"limit": "1", "after": m1},
           resp=page([], False, 2))
    c.http("list-after-m1", "GET", mpath, query={"after": m1}, resp=page([], False, 2),
           note="the trailing page: empty data, null first_id/last_id")
    c.http("list-limit-1-before-m1", "GET", mpath, query={"limit": "1", "before": m1},
           resp=page([msg2], False, 2))
    c.http("list-asc", "GET", mpath, query={"order": "asc"}, resp=page([msg1, msg2]))
    c.http("list-asc-after-m2", "GET", mpath, query={"order": "asc", "after": m2},
           resp=page([], False, 2))
    return c


FILE_TEXT = "Bees have five eyes.\nA honey bee visits 50 to 100 flowers per trip.\n"


def files():
    c = Cassette("files-vector-stores",
                 "Upload a file (multipart), read it back, put it in a vector store.",
                 [REF + " src/files/files.module.ts", REF + " src/files/files.service.ts",
                  REF + " src/vector-stores/vector-stores.service.ts",
                  REF + " src/vector-store-files/vector-store-files.service.ts"])
    fid = oid("file")
    n = len(FILE_TEXT.encode("utf-8"))
    f = {"id": fid, "created_at": T0 + 500, "purpose": "assistants", "bytes": n,
         "object": "file", "filename": "bee-facts.txt"}
    boundary = "------------------------mockkitbee0001"
    body = ("--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bee-facts.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n%s\r\n--%s--\r\n") % (boundary, boundary, FILE_TEXT,
                                                                 boundary)
    c.http("upload-file", "POST", "/v1/files", req_text=body,
           req_headers={"content-type": "multipart/form-data; boundary=" + boundary},
           resp=f, match={"body": "ignore"}, gap=0,
           note="multipart boundaries differ per client: matched on method and path only")
    c.http("retrieve-file", "GET", "/v1/files/" + fid, resp=f)
    c.http("file-content", "GET", "/v1/files/%s/content" % fid,
           resp_headers={"content-type": "text/plain"}, resp_text=FILE_TEXT)
    vs = oid("vs")

    def store(counts, usage, t):
        return {"id": vs, "object": "vector_store", "metadata": {}, "status": "completed",
                "file_counts": counts, "name": "bee-facts", "usage_bytes": usage,
                "expires_at": None, "last_active_at": t, "created_at": T0 + 501}

    zero = {"cancelled": 0, "in_progress": 0, "completed": 0, "failed": 0, "total": 0}
    one = {"cancelled": 0, "in_progress": 0, "completed": 1, "failed": 0, "total": 1}
    c.http("create-vector-store", "POST", "/v1/vector_stores", {"name": "bee-facts"},
           resp=store(zero, 0, T0 + 501))
    c.http("add-vector-store-file", "POST", "/v1/vector_stores/%s/files" % vs, {"file_id": fid},
           resp={"id": fid, "object": "vector_store.file", "usage_bytes": 0,
                 "status": "in_progress", "vector_store_id": vs, "last_error": None,
                 "created_at": T0 + 502},
           note="a vector-store file's DTO id is the file id, not the internal vsf_ id")
    c.http("retrieve-vector-store", "GET", "/v1/vector_stores/" + vs,
           resp=store(one, 1536, T0 + 503), gap=1500)
    return c


IP_INFO = ('import requests\n\ndef ip_info(ip: str) -> dict:\n'
           '  """\n  Get information about an IP address, such as location, company, and '
           'carrier name.\n\n  :param ip: IP address in the 255.255.255.255 format\n'
           '  :return: Information about the IP address\n  """\n'
           '  response = requests.get(f"https://ipinfo.io/{ip}/geo")\n'
           '  response.raise_for_status()\n  return response.json()\n')


def tools():
    c = Cassette("tools",
                 "Bee's /tools extension: the list (system tools with bare ids and user tools) "
                 "and creating a Python source-code tool.",
                 [REF + " src/tools/tools.service.ts", REF + " src/tools/tools.module.ts",
                  "i-am-bee/bee-python-sdk@ee7fefa examples/custom_tool.py"])
    tid = oid("tool")
    schema = {"type": "object", "properties": {"ip": {"type": "string",
                                                       "description": "IP address in the 255.255.255.255 format"}},
              "required": ["ip"], "additionalProperties": False}
    user_tool = {"id": tid, "object": "tool", "type": "user", "name": "ip_info",
                 "is_external": True, "created_at": T0 + 600, "user_description": None,
                 "metadata": {}, "source_code": IP_INFO, "json_schema": json.dumps(schema),
                 "open_api_schema": None,
                 "description": "Get information about an IP address, such as location, "
                                "company, and carrier name."}

    def system(sid, name, desc, schema_, external):
        return {"id": sid, "object": "tool", "type": "system", "name": name,
                "is_external": external, "created_at": T0 - 86400 * 30,
                "user_description": None, "metadata": {},
                "json_schema": json.dumps(schema_), "source_code": "", "description": desc,
                "open_api_schema": None}

    q = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"],
         "additionalProperties": False}
    sys_tools = [
        system("web_search", "WebSearch", "Search for online trends, news, current events, "
               "real-time information, or any information not in the model's knowledge.", q, True),
        system("wikipedia", "Wikipedia", "Search factual and historical information, including "
               "biography, history, politics, geography, society, culture, science.", q, True),
        system("weather", "OpenMeteo", "Retrieve current, past, or future weather forecasts for "
               "a location.", {"type": "object", "properties": {"location": {"type": "string"}},
                               "required": ["location"]}, True),
        system("calculator", "Calculator", "A calculator tool that performs basic arithmetic "
               "operations.", {"type": "object", "properties": {"expression": {"type": "string"}},
                               "required": ["expression"]}, False),
    ]
    c.http("create-tool", "POST", "/v1/tools", {"source_code": IP_INFO}, resp=user_tool, gap=0)
    c.http("list-tools", "GET", "/v1/tools", resp=page([user_tool] + sys_tools))
    return c


def errors():
    c = Cassette("errors",
                 "Error envelopes: unknown ids (404 not_found with MikroORM's findOneFailed "
                 "text) and a run body missing assistant_id (400 invalid_input, Fastify/AJV).",
                 [REF + " src/errors/plugin.ts", REF + " src/errors/error.entity.ts",
                  REF + " src/ajv.ts", REF + " src/runs/dtos/run-create.ts"])
    tid = "thread_" + UNKNOWN
    c.http("unknown-thread", "GET", "/v1/threads/" + tid, status=404,
           resp=error("not_found", "Thread not found ({ id: '%s' })" % tid), gap=0)
    aid = "asst_" + UNKNOWN
    c.http("unknown-assistant", "GET", "/v1/assistants/" + aid, status=404,
           resp=error("not_found", "Assistant not found ({ id: '%s' })" % aid))
    rid = "run_" + UNKNOWN
    c.http("unknown-run", "GET", "/v1/threads/%s/runs/%s" % (THREAD, rid), status=404,
           resp=error("not_found", "Run not found ({ id: '%s', thread: '%s' })" % (rid, THREAD)),
           match={"path": "/v1/threads/{thread_id}/runs/" + rid},
           note="template: any (existing) thread, this unknown run")
    c.http("run-missing-assistant-id", "POST", "/v1/threads/%s/runs" % THREAD, {}, status=400,
           resp=error("invalid_input", "body must have required property 'assistant_id'"),
           match={"path": "/v1/threads/{thread_id}/runs", "body": "equal"},
           note="equal match: only the empty body gets this 400")
    return c


def main():
    os.makedirs(OUT, exist_ok=True)
    for build in (basic, run_stream, function_tool, failed_cancelled, pagination, files, tools,
                  errors):
        print(build().write())
    return 0


if __name__ == "__main__":
    sys.exit(main())
