#!/usr/bin/python3
"""Generate the shipped Pieces OS cassettes (fixtures/pieces).

Stdlib only. Run from anywhere:  /usr/bin/python3 tools/fixturegen/pieces.py
It rewrites fixtures/pieces/*.json deterministically (same bytes every run).

The sessions are synthesized, not recorded. Shapes follow the Python SDK 5.0.0
models (required fields, camelCase/snake_case spellings, enum values, unset
fields omitted as its exclude_none does), the websocket wrappers of that SDK
and of the CLI, and the workshop flow (connect as OPEN_SOURCE on LINUX,
health, version, models, ask "Hi how are you" over /qgpt/stream).

Files (one session each):
  rest.json        discovery, connect, models, user, applications, assets,
                   conversations, messages (plain REST)
  qgpt-stream.json one /qgpt/stream socket carrying every recorded exchange:
                   legacy `question` and newer `relevance` input, a follow-up
                   in the same conversation, stop -> STOPPED, FAILED
  streams.json     identifier streams (snapshot first, then deltas gated with
                   `after` on the REST create/delete that causes them), and
                   /user/stream (profile, then `null` after POST /os/sign_out)
  health-stream.json  /.well-known/stream/health (`OK` frames) and a variant
                   selected by ?drop=1 that the server closes, for reconnect
                   tests only

Decisions where the wire is unknown (see the report and docs):
  * the logout frame on /user/stream is the text `null` (JSON null); the
    Python AuthWS maps both `null` and non-JSON to "logged out";
  * the answer to `stop` is one text-free STOPPED frame;
  * health repeats `OK` once a second (10 frames), never closing;
  * identifier snapshots are newest-first.
"""
import json
import os
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "fixtures", "pieces"))
CREATED = "2026-11-23T00:00:00Z"

PY = "pieces-app/pieces-os-client-sdk-for-python@19a2910"
CLI = "pieces-app/cli-agent@d621f13"
TS = "pieces-app/pieces-os-client-sdk-for-typescript@c272578"
REFS_REST = [
    PY + " src/pieces_os_client/models/context.py, application.py, model.py, "
    "models.py, user_profile.py, asset.py, flattened_format.py, conversation.py, "
    "conversation_message.py",
    PY + " src/pieces_os_client/wrapper/client.py (connect, models, port scan)",
    CLI + " src/pieces/_vendor/pieces_os_client/wrapper/version_compatibility.py",
    CLI + " src/pieces/config/schemas/model.py (gemini-2.0-flash-lite-001)",
    TS + " src/core/apis/WellKnownApi.ts, ConnectorApi.ts, ModelsApi.ts",
]
REFS_QGPT = [
    PY + " src/pieces_os_client/models/qgpt_stream_input.py, qgpt_stream_output.py, "
    "qgpt_stream_enum.py",
    PY + " src/pieces_os_client/wrapper/websockets/ask_ws.py",
    CLI + " src/pieces/_vendor/pieces_os_client/wrapper/copilot.py (stream_question)",
    CLI + " src/pieces/copilot/ask_command.py, src/pieces/tui/controllers/copilot_controller.py",
    "pieces-app/pieces-copilot-vanilla-typescript-example README.md (legacy question input)",
]
REFS_STREAMS = [
    PY + " src/pieces_os_client/wrapper/streamed_identifiers/_streamed_identifiers.py",
    PY + " src/pieces_os_client/wrapper/websockets/assets_identifiers_ws.py, "
    "conversations_ws.py, auth_ws.py",
    PY + " src/pieces_os_client/models/streamed_identifiers.py, streamed_identifier.py",
]
REFS_HEALTH = [
    PY + " src/pieces_os_client/wrapper/websockets/health_ws.py, base_websocket.py",
    CLI + " src/pieces/tui/controllers/connection_controller.py",
]


def uid(name):
    """A stable, real 36-char UUID per name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "mockkit/pieces/" + name))


OS_ID = uid("os")
OS_VERSION = "12.5.0"
USER_ID = uid("user")
APP_OS = uid("app/os-server")
APP_OPEN = uid("app/open-source")
APP_CLI = uid("app/cli")

JSON_CT = {"content-type": "application/json"}
TEXT_CT = {"content-type": "text/plain; charset=utf-8"}


def ts(value, readable=None):
    t = {"value": value}
    if readable:
        t["readable"] = readable
    return t


def application(app_id, name, version, mechanism="MANUAL"):
    return {"id": app_id, "name": name, "version": version, "platform": "LINUX",
            "onboarded": name == "OS_SERVER", "privacy": "OPEN",
            "capabilities": "BLENDED", "mechanism": mechanism,
            "automaticUnload": False}


def context(app):
    return {"os": OS_ID, "application": app,
            "health": {"os": {"id": OS_ID, "version": OS_VERSION}}}


def model(key, name, version, unique, cloud, mtype, foundation, provider,
          downloaded=False, max_tokens=None, cpu=None):
    m = {"id": uid("model/" + key), "version": version,
         "created": ts("2025-06-01T12:00:00.000Z"), "name": name,
         "description": name + " (synthesized entry)", "cloud": cloud,
         "type": mtype, "usage": "CODE_CONVERSATION", "foundation": foundation,
         "unique": unique, "downloaded": downloaded, "loaded": False,
         "provider": provider}
    if cpu is not None:
        m["cpu"] = cpu
    if max_tokens:
        m["maxTokens"] = {"total": max_tokens[0], "input": max_tokens[1],
                          "output": max_tokens[2]}
    return m


MODELS = [
    model("gpt-4o-mini", "GPT-4o Mini Chat Model", "gpt-4o-mini", "gpt-4o-mini",
          True, "SPEED", "GPT_4", "OPENAI", max_tokens=(128000, 120000, 8000)),
    model("gpt-3.5-turbo", "GPT-3.5-turbo Chat Model", "gpt-3.5-turbo",
          "gpt-3.5-turbo", True, "SPEED", "GPT_3.5", "OPENAI",
          max_tokens=(16385, 12385, 4000)),
    model("gemini-2.0-flash-lite", "Gemini 2.0 Flash Lite Chat Model",
          "gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite-001", True, "SPEED",
          "GEMINI_2", "GOOGLE", max_tokens=(1048576, 1040384, 8192)),
    model("claude-3.5-sonnet", "Claude 3.5 Sonnet Chat Model", "claude-3-5-sonnet",
          "claude-3-5-sonnet", True, "ACCURACY", "CLAUDE_3.5", "ANTHROPIC",
          max_tokens=(200000, 192000, 8000)),
    model("llama-3-8b", "Llama-3 8B (CPU) Chat Model", "llama-3-8b-cpu",
          "llama-3-8b-cpu", False, "BALANCED", "LLAMA_3_8B", "META",
          downloaded=True, cpu=True, max_tokens=(8192, 6144, 2048)),
    model("phi-3-mini", "Phi-3 Mini (CPU) Chat Model", "phi-3-mini-cpu",
          "phi-3-mini-cpu", False, "SPEED", "PHI_3_MINI", "MICROSOFT",
          downloaded=False, cpu=True, max_tokens=(4096, 3072, 1024)),
]
MODEL_CHAT = MODELS[0]["id"]

USER = {"id": USER_ID, "email": "dev@example.com", "name": "Ada Dev",
        "username": "adadev", "picture": "https://example.com/avatar.png",
        "aesthetics": {"theme": {"dark": True}, "font": {"size": 14}}}

APP_OS_OBJ = application(APP_OS, "OS_SERVER", OS_VERSION, "INTERNAL")
APP_OPEN_OBJ = application(APP_OPEN, "OPEN_SOURCE", "1.0.0")
APP_CLI_OBJ = application(APP_CLI, "PIECES_FOR_DEVELOPERS_CLI", "5.0.0")


# ---- assets ---------------------------------------------------------------

def fmt(key, asset_id, raw, ext, when):
    """A FlattenedFormat with the text fragment the CLI reads."""
    return {"id": uid("format/" + key), "creator": USER_ID, "created": ts(when),
            "updated": ts(when), "application": APP_OPEN_OBJ, "asset": asset_id,
            "role": "BOTH",
            "bytes": {"value": len(raw.encode()), "readable": "%d B" % len(raw.encode())},
            "classification": {"generic": "CODE", "specific": ext},
            "fragment": {"string": {"raw": raw}}}


def asset(key, name, raw, ext, when):
    a_id = uid("asset/" + key)
    f = fmt(key, a_id, raw, ext, when)
    ref = {"id": f["id"], "reference": f}
    return {"id": a_id, "name": name, "creator": USER_ID, "created": ts(when),
            "updated": ts(when), "mechanism": "MANUAL",
            "formats": {"iterable": [f]}, "original": ref, "preview": {"base": ref}}


ASSET_HELLO = asset("hello", "Hello script", 'print("hi")', "py", "2025-06-01T12:00:00Z")
ASSET_MUTEX = asset("mutex", "Mutex guard", "pthread_mutex_lock(&m);\n/* ... */\n"
                    "pthread_mutex_unlock(&m);", "c", "2025-06-02T09:30:00Z")
ASSET_NEW = asset("created", "Saved from mockkit", "echo hello", "sh",
                  "2026-11-23T00:00:02Z")
ASSETS = [ASSET_MUTEX, ASSET_HELLO]  # newest first


# ---- conversations ----------------------------------------------------------

def message(key, conv_id, role, raw, when):
    return {"id": uid("message/" + key), "created": ts(when), "updated": ts(when),
            "conversation": {"id": conv_id}, "role": role,
            "fragment": {"string": {"raw": raw}}}


def conversation(key, name, when, turns):
    c_id = uid("conversation/" + key)
    msgs = [message("%s/%d" % (key, i), c_id, role, raw, when)
            for i, (role, raw) in enumerate(turns)]
    conv = {"id": c_id, "name": name, "type": "COPILOT", "created": ts(when),
            "updated": ts(when), "model": {"id": MODEL_CHAT},
            "messages": {"iterable": [{"id": m["id"]} for m in msgs],
                         "indices": {m["id"]: i for i, m in enumerate(msgs)}}}
    return conv, msgs


HELLO_Q = "Hi how are you"
HELLO_CHUNKS = ["I'm doing well", ", thank you for asking!", " How can I",
                " help you with your code today?"]
FOLLOW_Q = "What can you help me with?"
FOLLOW_CHUNKS = ["I can explain code,", " write snippets", " and answer questions",
                 " about your saved materials."]
REL_CHUNKS = ["Hello!", " I'm fine,", " thanks.", " What are you working on?"]
STOP_Q = "Write a long story about a mutex"
STOP_CHUNKS = ["Once upon a time,", " a lonely mutex"]
FAIL_Q = "Review this file with a Pro model"

CONV_OLD, MSGS_OLD = conversation("existing", "Mutex questions", "2025-06-02T10:00:00Z", [
    ("USER", "What is a mutex?"),
    ("ASSISTANT", "A mutex is a lock that lets one thread at a time into a critical section.")])
CONV_HELLO, MSGS_HELLO = conversation("hello", "Hi how are you", "2026-11-23T00:00:01Z", [
    ("USER", HELLO_Q), ("ASSISTANT", "".join(HELLO_CHUNKS)),
    ("USER", FOLLOW_Q), ("ASSISTANT", "".join(FOLLOW_CHUNKS))])
CONV_REL, MSGS_REL = conversation("relevance", "Hi how are you (relevance)",
                                  "2026-11-23T00:00:01Z",
                                  [("USER", HELLO_Q), ("ASSISTANT", "".join(REL_CHUNKS))])
CONV_STOP, MSGS_STOP = conversation("stopped", "A long story", "2026-11-23T00:00:03Z", [
    ("USER", STOP_Q), ("ASSISTANT", "".join(STOP_CHUNKS))])
CONV_FAIL, MSGS_FAIL = conversation("failed", "Pro model review", "2026-11-23T00:00:04Z",
                                    [("USER", FAIL_Q)])
CONV_NEW, _ = conversation("created", "New Conversation", "2026-11-23T00:00:05Z", [])
CONVS = [CONV_FAIL, CONV_STOP, CONV_REL, CONV_HELLO, CONV_OLD]  # newest first
MESSAGES = MSGS_OLD + MSGS_HELLO + MSGS_REL + MSGS_STOP + MSGS_FAIL


# ---- helpers ------------------------------------------------------------------

class Timeline:
    def __init__(self):
        self.items = []

    def http(self, ix_id, at, method, path, status=200, headers=None, body=None,
             text=None, req_json=None, match=None, note=None):
        req = {"method": method, "path": path}
        if req_json is not None:
            req["headers"] = {"content-type": "application/json"}
            req["json"] = req_json
        resp = {"status": status, "at_ms": at + 2}
        if headers:
            resp["headers"] = headers
        if body is not None:
            resp["json"] = body
        if text is not None:
            resp["text"] = text
        ix = {"id": ix_id, "at_ms": at, "request": req}
        if match:
            ix["match"] = match
        ix["response"] = resp
        if note:
            ix["note"] = note
        self.items.append(ix)

    def ws(self, ix_id, at, path, frames, query=None, note=None):
        req = {"method": "GET", "path": path}
        if query:
            req["query"] = query
        ix = {"id": ix_id, "at_ms": at, "request": req, "websocket": {"frames": frames}}
        if note:
            ix["note"] = note
        self.items.append(ix)


def cassette(name, description, refs, tl):
    return {"mockkit_cassette": 1,
            "meta": {"service": "pieces", "name": name, "description": description,
                     "created": CREATED,
                     "source": {"kind": "synthesized", "refs": refs}},
            "interactions": tl.items}


def server(at, value=None, text=None, after=None):
    f = {"at_ms": at, "from": "server", "type": "text"}
    if text is not None:
        f["text"] = text
    else:
        f["json"] = value
    if after:
        f["after"] = after
    return f


def client(at, value):
    return {"at_ms": at, "from": "client", "type": "text", "json": value}


# ---- rest.json ------------------------------------------------------------------

def rest():
    t = Timeline()
    at = 0
    health = "ok:" + uid("health")

    def step():
        nonlocal at
        at += 10
        return at

    t.http("health-head", step(), "HEAD", "/.well-known/health", headers=TEXT_CT,
           note="discovery probe: the Python SDK scans 39300-39333 with HEAD")
    t.http("health", step(), "GET", "/.well-known/health", headers=TEXT_CT, text=health)
    t.http("version", step(), "GET", "/.well-known/version", headers=TEXT_CT,
           text=OS_VERSION)
    seeded = {"application": {"name": "OPEN_SOURCE", "platform": "LINUX",
                              "version": "1.0.0"}}
    t.http("connect", step(), "POST", "/connect", headers=JSON_CT,
           body=context(APP_OPEN_OBJ), req_json=seeded,
           match={"json": {"application": {"name": "OPEN_SOURCE", "platform": "LINUX"}}},
           note="the workshop's SeededConnectorConnection; the id is stable")
    t.http("connect-cli", step(), "POST", "/connect", headers=JSON_CT,
           body=context(APP_CLI_OBJ),
           req_json={"application": {"name": "PIECES_FOR_DEVELOPERS_CLI",
                                     "platform": "LINUX", "version": "5.0.0"}},
           match={"json": {"application": {"name": "PIECES_FOR_DEVELOPERS_CLI"}}})
    t.http("user", step(), "GET", "/user", headers=JSON_CT, body={"user": USER})
    t.http("models", step(), "GET", "/models", headers=JSON_CT,
           body={"iterable": MODELS})
    for m in MODELS:
        t.http("model-" + m["unique"], step(), "GET", "/model/" + m["id"],
               headers=JSON_CT, body=m)
    t.http("applications", step(), "GET", "/applications", headers=JSON_CT,
           body={"iterable": [APP_OS_OBJ, APP_OPEN_OBJ, APP_CLI_OBJ]})
    t.http("assets", step(), "GET", "/assets", headers=JSON_CT,
           body={"iterable": ASSETS})
    t.http("assets-identifiers", step(), "GET", "/assets/identifiers", headers=JSON_CT,
           body={"iterable": [{"id": a["id"]} for a in ASSETS]})
    for a in ASSETS:
        t.http("asset-" + a["name"].lower().replace(" ", "-"), step(), "GET",
               "/asset/" + a["id"], headers=JSON_CT, body=a)
    t.http("conversations", step(), "GET", "/conversations", headers=JSON_CT,
           body={"iterable": CONVS})
    t.http("conversations-identifiers", step(), "GET", "/conversations/identifiers",
           headers=JSON_CT, body={"iterable": [{"id": c["id"]} for c in CONVS]})
    for c in CONVS:
        t.http("conversation-" + c["name"].lower().replace(" ", "-").replace("(", "")
               .replace(")", ""), step(), "GET", "/conversation/" + c["id"],
               headers=JSON_CT, body=c)
    for i, m in enumerate(MESSAGES):
        t.http("message-%d" % i, step(), "GET", "/message/" + m["id"],
               headers=JSON_CT, body=m)
    return cassette("rest", "Pieces OS 12.5 REST: discovery, the workshop's connect, "
                    "models (incl. the ones the CLI looks up), user, applications, "
                    "assets, conversations and their messages", REFS_REST, t)


# ---- qgpt-stream.json ------------------------------------------------------------

def answer_frames(at, req, conv, chunks, final="COMPLETED", extra=None):
    frames = []
    for c in chunks:
        at += 40
        frames.append(server(at, {"request": req, "status": "IN-PROGRESS",
                                  "conversation": conv,
                                  "question": {"answers": {"iterable": [
                                      {"score": 0, "text": c}]}}}))
    if final:
        at += 40
        done = {"request": req, "status": final, "conversation": conv}
        if extra:
            done.update(extra)
        frames.append(server(at, done))
    return frames, at


def qgpt():
    t = Timeline()
    frames = []
    at = 100
    # 1. the workshop: legacy `question` input, no conversation -> a new one.
    frames.append(client(at, {"question": {"query": HELLO_Q}}))
    f, at = answer_frames(at + 200, uid("request/hello"), CONV_HELLO["id"], HELLO_CHUNKS)
    frames += f
    # 2. a follow-up in that conversation (the client sends `conversation`).
    at += 1000
    frames.append(client(at, {"question": {"query": FOLLOW_Q}}))
    f, at = answer_frames(at + 200, uid("request/follow"), CONV_HELLO["id"], FOLLOW_CHUNKS)
    frames += f
    # 3. the SDK 5 / CLI form: relevance with options.question:true.
    at += 1000
    frames.append(client(at, {"relevance": {"query": HELLO_Q,
                                            "options": {"question": True}}}))
    f, at = answer_frames(at + 200, uid("request/relevance"), CONV_REL["id"], REL_CHUNKS)
    frames += f
    # 4. stop mid-answer: two chunks, then the client's stop -> STOPPED.
    at += 1000
    frames.append(client(at, {"question": {"query": STOP_Q}}))
    f, at = answer_frames(at + 200, uid("request/stop"), CONV_STOP["id"], STOP_CHUNKS,
                          final=None)
    frames += f
    at += 30
    frames.append(client(at, {"stop": True}))
    at += 20
    frames.append(server(at, {"request": uid("request/stop"), "status": "STOPPED",
                              "conversation": CONV_STOP["id"]}))
    # 5. a failure (e.g. a model that needs a subscription).
    at += 1000
    frames.append(client(at, {"question": {"query": FAIL_Q}}))
    f, at = answer_frames(at + 300, uid("request/failed"), CONV_FAIL["id"], [],
                          final="FAILED",
                          extra={"errorMessage": "UserSubscriptionRequired",
                                 "statusCode": 401})
    frames += f
    t.ws("qgpt-stream", 0, "/qgpt/stream", frames,
         note="one socket, several exchanges; client frames match on the query "
              "text only (partial JSON), never on application/model UUIDs")
    return cassette("qgpt-stream", "Copilot chat over /qgpt/stream: the workshop's "
                    "\"Hi how are you\" (legacy and relevance input), a follow-up, "
                    "stop and a failed answer", REFS_QGPT, t)


# ---- streams.json ---------------------------------------------------------------

def streams():
    t = Timeline()
    t.ws("assets-identifiers-stream", 0, "/assets/stream/identifiers", [
        server(5, {"iterable": [{"asset": {"id": a["id"]}} for a in ASSETS]}),
        server(2010, {"iterable": [{"asset": {"id": ASSET_NEW["id"]}}]},
               after="assets-create"),
        server(3010, {"iterable": [{"asset": {"id": ASSET_NEW["id"]}, "deleted": True}]},
               after="assets-delete"),
    ], note="snapshot on connect, then one delta per REST change")
    t.ws("conversations-identifiers-stream", 10, "/conversations/stream/identifiers", [
        server(15, {"iterable": [{"conversation": {"id": c["id"]}} for c in CONVS]}),
        server(4010, {"iterable": [{"conversation": {"id": CONV_NEW["id"]}}]},
               after="conversations-create"),
        server(5010, {"iterable": [{"conversation": {"id": CONV_NEW["id"]},
                                    "deleted": True}]},
               after="conversations-delete"),
    ])
    t.ws("user-stream", 20, "/user/stream", [
        server(25, USER),
        server(6010, text="null", after="sign-out"),
    ], note="logout frame shape is inferred: JSON null (AuthWS maps null and "
            "non-JSON alike to a logout)")
    seed = {"asset": {"application": APP_OPEN_OBJ,
                      "format": {"fragment": {"string": {"raw": "echo hello"}},
                                 "metadata": {"ext": "sh"}}},
            "type": "SEEDED_ASSET"}
    t.http("assets-create", 2000, "POST", "/assets/create", headers=JSON_CT,
           body=ASSET_NEW, req_json=seed, match={"json": {"type": "SEEDED_ASSET"}})
    t.http("asset-created", 2020, "GET", "/asset/" + ASSET_NEW["id"], headers=JSON_CT,
           body=ASSET_NEW)
    t.http("assets-delete", 3000, "POST", "/assets/%s/delete" % ASSET_NEW["id"],
           headers=TEXT_CT, text=ASSET_NEW["id"])
    t.http("conversations-create", 4000, "POST", "/conversations/create",
           headers=JSON_CT, body=CONV_NEW,
           req_json={"name": "New Conversation", "type": "COPILOT"},
           match={"body": "ignore"})
    t.http("conversation-created", 4020, "GET", "/conversation/" + CONV_NEW["id"],
           headers=JSON_CT, body=CONV_NEW)
    t.http("conversations-delete", 5000, "POST",
           "/conversations/%s/delete" % CONV_NEW["id"], status=204)
    t.http("sign-out", 6000, "POST", "/os/sign_out", headers=JSON_CT,
           body={"iterable": []})
    return cassette("streams", "Identifier streams (snapshot, then deltas released by "
                    "the REST create/delete on another connection) and /user/stream "
                    "(profile, then logout after POST /os/sign_out)", REFS_STREAMS, t)


# ---- health-stream.json ----------------------------------------------------------

def health_stream():
    t = Timeline()
    t.ws("health-stream", 0, "/.well-known/stream/health",
         [server(5 + 1000 * i, text="OK") for i in range(10)],
         note="OK once a second; never closed by the server")
    t.ws("health-stream-drop", 20000, "/.well-known/stream/health",
         [server(20005, text="OK"), server(20105, text="OK"),
          {"at_ms": 20200, "from": "server", "type": "close", "code": 1001,
           "reason": "Pieces OS is restarting"}],
         query={"drop": "1"},
         note="for reconnect tests only: the server drops the socket; selected "
              "by ?drop=1 so normal clients never see it")
    return cassette("health-stream", "/.well-known/stream/health: OK frames, and a "
                    "variant the server drops (reconnect tests)", REFS_HEALTH, t)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, doc in (("rest", rest()), ("qgpt-stream", qgpt()),
                      ("streams", streams()), ("health-stream", health_stream())):
        path = os.path.join(OUT, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(path)


if __name__ == "__main__":
    main()
