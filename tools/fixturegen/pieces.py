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
  rest.json        discovery, connect (every platform the SDK sends), models,
                   user, applications, assets, conversations, messages
  qgpt-stream.json /qgpt/stream and the conversations it creates: the
                   exchanges (legacy `question` and newer `relevance` input,
                   a follow-up in the same conversation, stop -> STOPPED,
                   FAILED), and the conversations identifier stream whose
                   snapshot lists only the conversation that existed before,
                   then one delta per conversation a chat or REST creates
  streams.json     asset, anchor and range identifier streams (snapshot
                   first, then deltas gated with `after` on the REST
                   create/delete that causes them), the LTM vision status
                   socket and GET, and /user/stream (profile, then `null`
                   after POST /os/sign_out)
  health-stream.json  /.well-known/stream/health (`OK` frames) and a variant
                   selected by ?drop=1 that the server closes, for reconnect
                   tests only

Decisions where the wire is unknown (see the report and docs):
  * the logout frame on /user/stream is the text `null` (JSON null); the
    Python AuthWS maps both `null` and non-JSON to "logged out";
  * the answer to `stop` is one text-free STOPPED frame;
  * health repeats `OK` once a second (10 frames), never closing;
  * identifier snapshots are newest-first;
  * a conversation a chat creates is announced on the conversations
    identifier stream once its first answer ends (COMPLETED, STOPPED or
    FAILED); deltas on one socket go out in recorded order, so a client
    that skips an earlier exchange of this session does not see the later
    deltas (one stream replays one session);
  * anchors and ranges: empty snapshots (a fresh install with LTM off);
    vision status: deactivated (the SDK's own default when LTM is off).
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
    "conversation_message.py, format.py, flattened_asset.py, referenced_format.py, "
    "seeded_tracked_application.py, platform_enum.py, seed.py, seeded_asset.py, "
    "seeded_format.py, seeded_fragment.py (metadata.ext is the fragment's)",
    PY + " src/pieces_os_client/wrapper/client.py (connect: platform.system() -> "
    "WINDOWS/LINUX/MACOS/WEB, models, port scan)",
    CLI + " src/pieces/_vendor/pieces_os_client/wrapper/version_compatibility.py",
    CLI + " src/pieces/config/schemas/model.py (gemini-2.0-flash-lite-001)",
    TS + " src/core/apis/WellKnownApi.ts, ConnectorApi.ts, ModelsApi.ts",
]
REFS_QGPT = [
    PY + " src/pieces_os_client/models/qgpt_stream_input.py, qgpt_stream_output.py, "
    "qgpt_stream_enum.py, qgpt_question_input.py (relevant is required)",
    PY + " src/pieces_os_client/wrapper/websockets/ask_ws.py",
    CLI + " src/pieces/_vendor/pieces_os_client/wrapper/copilot.py (stream_question)",
    CLI + " src/pieces/copilot/ask_command.py, src/pieces/tui/controllers/copilot_controller.py",
    "pieces-app/pieces-copilot-vanilla-typescript-example README.md (legacy question input)",
]
REFS_STREAMS = [
    PY + " src/pieces_os_client/wrapper/streamed_identifiers/_streamed_identifiers.py, "
    "anchor_snapshot.py, range_snapshot.py",
    PY + " src/pieces_os_client/wrapper/websockets/assets_identifiers_ws.py, "
    "conversations_ws.py, auth_ws.py, anchor_identifiers_ws.py, range_identifiers_ws.py, "
    "ltm_vision_ws.py",
    PY + " src/pieces_os_client/wrapper/client.py (_startup opens every socket; *_WS_URL)",
    PY + " src/pieces_os_client/wrapper/long_term_memory.py (vision deactivation: "
    "continuous)",
    PY + " src/pieces_os_client/models/streamed_identifiers.py, streamed_identifier.py, "
    "workstream_pattern_engine_status.py, workstream_pattern_engine_vision_status.py, "
    "anonymous_temporal_range.py, asset.py, format.py, flattened_asset.py",
    PY + " src/pieces_os_client/api/workstream_pattern_engine_api.py "
    "(/workstream_pattern_engine/processors/vision/status[/stream])",
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


def application(app_id, name, version, mechanism="MANUAL", platform="LINUX"):
    return {"id": app_id, "name": name, "version": version, "platform": platform,
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
SDK_PLATFORMS = ["LINUX", "MACOS", "WINDOWS", "WEB"]


def connected_app(name, version, key, platform):
    """The Application /connect returns: LINUX keeps the ids listed in
    /applications, every other platform gets its own stable id."""
    if platform == "LINUX":
        return APP_OPEN_OBJ if key == "open-source" else APP_CLI_OBJ
    return application(uid("app/%s/%s" % (key, platform.lower())), name, version,
                       platform=platform)


# ---- assets ---------------------------------------------------------------

def fmt(key, asset, raw, ext, when):
    """A format with the text fragment the CLI reads. `asset` is the asset's
    id (a FlattenedFormat, as in ReferencedFormat.reference) or its
    FlattenedAsset (a Format, as in Asset.formats.iterable)."""
    return {"id": uid("format/" + key), "creator": USER_ID, "created": ts(when),
            "updated": ts(when), "application": APP_OPEN_OBJ, "asset": asset,
            "role": "BOTH",
            "bytes": {"value": len(raw.encode()), "readable": "%d B" % len(raw.encode())},
            "classification": {"generic": "CODE", "specific": ext},
            "fragment": {"string": {"raw": raw}}}


def asset(key, name, raw, ext, when):
    """An Asset. Its formats are full Formats whose `asset` is the
    FlattenedAsset (ids instead of nested objects); original and preview
    reference FlattenedFormats, whose `asset` is the 36-char id."""
    a_id = uid("asset/" + key)
    f_id = uid("format/" + key)
    flat_asset = {"id": a_id, "name": name, "creator": USER_ID, "created": ts(when),
                  "updated": ts(when), "mechanism": "MANUAL",
                  "formats": {"iterable": [{"id": f_id}]}, "original": f_id,
                  "preview": {"base": f_id}}
    ref = {"id": f_id, "reference": fmt(key, a_id, raw, ext, when)}
    return {"id": a_id, "name": name, "creator": USER_ID, "created": ts(when),
            "updated": ts(when), "mechanism": "MANUAL",
            "formats": {"iterable": [fmt(key, flat_asset, raw, ext, when)]},
            "original": ref, "preview": {"base": ref}}


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
# Listed before any chat: the chats of qgpt-stream.json create the others.
CONVS = [CONV_OLD]
ALL_CONVS = [CONV_FAIL, CONV_STOP, CONV_REL, CONV_HELLO, CONV_OLD]  # newest first
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
    # PiecesClient sends platform.system() mapped to WINDOWS, LINUX, MACOS
    # (Darwin) or WEB; the server echoes it in the tracked Application.
    for name, version, key in (("OPEN_SOURCE", "1.0.0", "open-source"),
                               ("PIECES_FOR_DEVELOPERS_CLI", "5.0.0", "cli")):
        for platform in SDK_PLATFORMS:
            app = connected_app(name, version, key, platform)
            ix_id = "connect" if name == "OPEN_SOURCE" else "connect-cli"
            if platform != "LINUX":
                ix_id += "-" + platform.lower()
            t.http(ix_id, step(), "POST", "/connect", headers=JSON_CT,
                   body=context(app),
                   req_json={"application": {"name": name, "platform": platform,
                                             "version": version}},
                   match={"json": {"application": {"name": name, "platform": platform}}},
                   note="SeededConnectorConnection; the id is stable per application "
                        "and platform" if ix_id == "connect" else None)
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
    for c in ALL_CONVS:
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


def legacy_question(query):
    """QGPTStreamInput.question (QGPTQuestionInput): `relevant` is required
    by the SDK model, so the recording has it (empty, as the workshop and the
    TS SDK send it). Partial matching then requires it of the client too."""
    return {"query": query, "relevant": {"iterable": []}}


def conv_delta(at, conv, after):
    return server(at, {"iterable": [{"conversation": {"id": conv["id"]}}]}, after=after)


def qgpt():
    t = Timeline()
    # The conversations identifier stream: only the pre-existing chat, then
    # one delta per conversation this session creates, in session order.
    conv_frames = [server(5, {"iterable": [{"conversation": {"id": c["id"]}}
                                           for c in CONVS]})]
    t.ws("qgpt-stream", 10, "/qgpt/stream", [],
         note="every /qgpt/stream upgrade is this interaction (the earliest, and as "
              "specific as the exchanges below); the exchanges are played on it when "
              "their first client frame arrives, which is their arrival as `after` "
              "triggers")
    exch = []  # (id, at, frames)

    # 1. the workshop: legacy `question` input, no conversation -> a new one;
    #    then a follow-up in that conversation (the client sends it).
    at = 100
    frames = [client(at, {"question": legacy_question(HELLO_Q)})]
    f, at = answer_frames(at + 200, uid("request/hello"), CONV_HELLO["id"], HELLO_CHUNKS)
    frames += f
    conv_frames.append(conv_delta(at + 10, CONV_HELLO, "qgpt-hello"))
    at += 1000
    frames.append(client(at, {"question": legacy_question(FOLLOW_Q),
                              "conversation": CONV_HELLO["id"]}))
    f, at = answer_frames(at + 200, uid("request/follow"), CONV_HELLO["id"], FOLLOW_CHUNKS)
    frames += f
    exch.append(("qgpt-hello", 100, frames))

    # 2. the SDK 5 / CLI form: relevance with options.question:true.
    at += 1000
    start_rel = at
    frames = [client(at, {"relevance": {"query": HELLO_Q, "options": {"question": True}}})]
    f, at = answer_frames(at + 200, uid("request/relevance"), CONV_REL["id"], REL_CHUNKS)
    frames += f
    conv_frames.append(conv_delta(at + 10, CONV_REL, "qgpt-relevance"))
    exch.append(("qgpt-relevance", start_rel, frames))

    # 3. a chat created over REST, then deleted (conversations-create/-delete).
    at += 1000
    create_at = at
    conv_frames.append(conv_delta(create_at + 10, CONV_NEW, "conversations-create"))
    conv_frames.append(server(create_at + 1010,
                              {"iterable": [{"conversation": {"id": CONV_NEW["id"]},
                                             "deleted": True}]},
                              after="conversations-delete"))
    at += 2000

    # 4. stop mid-answer: two chunks, then the client's stop -> STOPPED.
    start_stop = at
    frames = [client(at, {"question": legacy_question(STOP_Q)})]
    f, at = answer_frames(at + 200, uid("request/stop"), CONV_STOP["id"], STOP_CHUNKS,
                          final=None)
    frames += f
    at += 30
    frames.append(client(at, {"stop": True}))
    at += 20
    frames.append(server(at, {"request": uid("request/stop"), "status": "STOPPED",
                              "conversation": CONV_STOP["id"]}))
    conv_frames.append(conv_delta(at + 10, CONV_STOP, "qgpt-stop"))
    exch.append(("qgpt-stop", start_stop, frames))

    # 5. a failure (e.g. a model that needs a subscription).
    at += 1000
    start_fail = at
    frames = [client(at, {"question": legacy_question(FAIL_Q)})]
    f, at = answer_frames(at + 300, uid("request/failed"), CONV_FAIL["id"], [],
                          final="FAILED",
                          extra={"errorMessage": "UserSubscriptionRequired",
                                 "statusCode": 401})
    frames += f
    conv_frames.append(conv_delta(at + 10, CONV_FAIL, "qgpt-failed"))
    exch.append(("qgpt-failed", start_fail, frames))

    t.ws("conversations-identifiers-stream", 0, "/conversations/stream/identifiers",
         conv_frames,
         note="snapshot: the conversations that existed before this session; then one "
              "delta per conversation a chat or REST creates, in session order")
    t.items.sort(key=lambda ix: ix["at_ms"])
    for ix_id, start_at, frames in exch:
        t.ws(ix_id, start_at, "/qgpt/stream", frames,
             note="an exchange, never chosen at the upgrade (see qgpt-stream); client "
                  "frames match on the query (and conversation) only")
        t.items[-1]["match"] = {"query": "ignore"}
        # keep the websocket key last, as the other interactions have it
        t.items[-1]["websocket"] = t.items[-1].pop("websocket")
    t.http("conversations-create", create_at, "POST", "/conversations/create",
           headers=JSON_CT, body=CONV_NEW,
           req_json={"name": "New Conversation", "type": "COPILOT"},
           match={"body": "ignore"})
    t.http("conversation-created", create_at + 20, "GET", "/conversation/" + CONV_NEW["id"],
           headers=JSON_CT, body=CONV_NEW)
    t.http("conversations-delete", create_at + 1000, "POST",
           "/conversations/%s/delete" % CONV_NEW["id"], status=204)
    t.items.sort(key=lambda ix: ix["at_ms"])
    return cassette("qgpt-stream", "Copilot chat over /qgpt/stream: the workshop's "
                    "\"Hi how are you\" (legacy and relevance input), a follow-up, "
                    "stop and a failed answer; and the conversations identifier stream, "
                    "which announces each conversation those chats (or REST) create",
                    REFS_QGPT + REFS_STREAMS[:1] + [
                        PY + " src/pieces_os_client/wrapper/websockets/conversations_ws.py"],
                    t)


# ---- streams.json ---------------------------------------------------------------

VISION_OFF = {"vision": {"deactivation": {"continuous": True}, "degraded": False}}


def streams():
    t = Timeline()
    t.ws("assets-identifiers-stream", 0, "/assets/stream/identifiers", [
        server(5, {"iterable": [{"asset": {"id": a["id"]}} for a in ASSETS]}),
        server(2010, {"iterable": [{"asset": {"id": ASSET_NEW["id"]}}]},
               after="assets-create"),
        server(3010, {"iterable": [{"asset": {"id": ASSET_NEW["id"]}, "deleted": True}]},
               after="assets-delete"),
    ], note="snapshot on connect, then one delta per REST change")
    t.ws("anchors-identifiers-stream", 12, "/anchors/stream/identifiers",
         [server(17, {"iterable": []})],
         note="PiecesClient start-up opens it; no anchors yet (the cache initialises "
              "on this first frame)")
    t.ws("ranges-identifiers-stream", 14, "/ranges/stream/identifiers",
         [server(19, {"iterable": []})],
         note="PiecesClient start-up opens it; no ranges while LTM is off")
    t.ws("vision-status-stream", 16, "/workstream_pattern_engine/processors/vision/status/stream",
         [server(21, VISION_OFF)],
         note="WorkstreamPatternEngineStatus on connect; LTMVisionWS ignores the payload "
              "and GETs .../vision/status")
    t.ws("user-stream", 20, "/user/stream", [
        server(25, USER),
        server(6010, text="null", after="sign-out"),
    ], note="logout frame shape is inferred: JSON null (AuthWS maps null and "
            "non-JSON alike to a logout)")
    t.http("vision-status", 30, "GET", "/workstream_pattern_engine/processors/vision/status",
           headers=JSON_CT, body=VISION_OFF)
    seed = {"asset": {"application": APP_OPEN_OBJ,
                      "format": {"fragment": {"string": {"raw": "echo hello"},
                                              "metadata": {"ext": "sh"}}}},
            "type": "SEEDED_ASSET"}
    t.http("assets-create", 2000, "POST", "/assets/create", headers=JSON_CT,
           body=ASSET_NEW, req_json=seed, match={"json": {"type": "SEEDED_ASSET"}})
    t.http("asset-created", 2020, "GET", "/asset/" + ASSET_NEW["id"], headers=JSON_CT,
           body=ASSET_NEW)
    t.http("assets-delete", 3000, "POST", "/assets/%s/delete" % ASSET_NEW["id"],
           headers=TEXT_CT, text=ASSET_NEW["id"])
    t.http("sign-out", 6000, "POST", "/os/sign_out", headers=JSON_CT,
           body={"iterable": []})
    return cassette("streams", "The sockets PiecesClient opens at start-up besides "
                    "conversations: asset identifiers (snapshot, then deltas released by "
                    "the REST create/delete on another connection), anchor and range "
                    "identifiers, LTM vision status (and its GET), and /user/stream "
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
