#!/usr/bin/python3
"""Generate the synthesized Cairos cassettes in fixtures/cairos/.

Stdlib only. Run from anywhere: /usr/bin/python3 tools/fixturegen/cairos.py
The wire shapes come from the public CairosAI/cairos-python-client (HEAD
5ebd629: the generated low-level client, cairos_python_client/__init__.py,
sse_listener.py, tests/sse_test.py, examples/sequence_animation/main.py) and
from sse-starlette's framing (CRLF line ends, ": ping - <utc datetime>"
comments every 15 s from the response's start, and a stream that stays open
until the client leaves: every open event log has a cassette `keepalive`).
Values (ids, paths, times) are invented.

Every event of a default stream is one of the client's CairosSSEMessages
(sse_listener.py): `debug` is not, so CairosSSEHandler with its default
error_on_unknown=True raises on it; debug events live in events-debug.json
only (X-Mockkit-Scenario: debug).

Files written:
  flow.json           the seed's session: login, session id, threads, event
                      log (animation_success after the chat POST,
                      export_success after the export POST), chat, export,
                      download.
  motions.json        request_motions_sequence (POST .../nosequence).
  avatars.json        avatars list, get, file.
  events-errors.json  event log variant selected with the request header
                      X-Mockkit-Scenario: errors: animation_error, an
                      unregistered event, export_error (text data).
  events-debug.json   event log variant (X-Mockkit-Scenario: debug) with the
                      `debug` status events workflow.png shows, which the
                      client's enum lacks.
  events-cut.json     event log variant (X-Mockkit-Scenario: cut) that the
                      server drops in the middle of an event.
  events-resume.json  mockkit-only (X-Mockkit-Scenario: resume): ids, a drop
                      between events, and the Last-Event-ID reconnect.

No `id:` lines anywhere but events-resume.json: httpx-sse never clears its last event id, so after
one `id:` every blank line (also the one after each ping) becomes an empty
`message` event, which CairosSSEHandler rejects as UnknownSSEMessage.
"""
import base64
import io
import json
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "fixtures", "cairos")

REPO = "CairosAI/cairos-python-client@5ebd629"
LL = REPO + " cairos_python_lowlevel/cairos_python_lowlevel"
REFS_BASE = [
    REPO + " cairos_python_client/__init__.py",
    LL + "/api/default/login_outseta_login_post.py",
    LL + "/api/default/get_session_id_session_id_get.py",
]
REFS_SSE = [
    REPO + " cairos_python_client/sse_listener.py (CairosSSEMessages, error_on_unknown)",
    REPO + " tests/sse_test.py",
    REPO + " examples/sequence_animation/main.py",
    LL + "/api/default/event_log_event_log_get.py",
    "sysid/sse-starlette@d45e482 sse_starlette/sse.py (DEFAULT_PING_INTERVAL 15, _ping "
    "comment f\"ping - {datetime.now(timezone.utc)}\", DEFAULT_SEPARATOR CRLF), "
    "sse_starlette/event.py (encode)",
]
CREATED = "2026-11-23T02:00:00Z"
CRLF = "\r\n"
# sse-starlette's ping after the last event, until the client leaves.
KEEPALIVE = {"every_ms": 15000, "text": ": ping - {utc}" + CRLF + CRLF}

USER_ID = "L9nqgWxQ"
THREAD_OLD = "5b2e8f0c1d7a4e6f9a3b2c1d0e9f8a7b"
THREAD_NEW = "03ec84a4b1409a38e327bc16c3732e52"
TRIGGER = "243bafdd-d97d-4a61-9d84-603645e7505f"
TRIGGER_HEX = TRIGGER.replace("-", "")
SESSION = "c41d7f0e9b2a4d38a6e5f1c2b3d4e5f6"
AVATAR_1 = "6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f"
AVATAR_2 = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
SEQ_DIR = "/mothership3/projects/crs/global/output/sequences/" + THREAD_NEW
MOTION_DIR = "/mothership3/projects/crs/global/motions"

AUTH_HEADERS = {"authorization": "Bearer <REDACTED:token>", "cookie": "<REDACTED:cookie>"}
JSON_HEADERS = {"content-type": "application/json", "server": "uvicorn"}


def ping(at):
    # sse-starlette: ServerSentEvent(comment=f"ping - {datetime.now(timezone.utc)}")
    secs = 15 * 60 + at / 1000.0
    return ": ping - 2026-11-23 02:%02d:%09.6f+00:00" % (int(secs // 60) % 60, secs % 60) + CRLF + CRLF


def event(name, data):
    if not isinstance(data, str):
        # json.dumps default separators, as the recorded test frame has them
        data = json.dumps(data)
    return "event: " + name + CRLF + "data: " + data + CRLF + CRLF


def login(at):
    return [
        {
            "id": "login",
            "at_ms": at,
            "request": {
                "method": "POST",
                "path": "/api/login",
                "headers": {"content-type": "application/x-www-form-urlencoded"},
                "text": "username=bob&password=<REDACTED:password>&scope=",
            },
            # The mock's cairos profile checks the credentials before matching.
            "match": {"body": "ignore"},
            "response": {
                "status": 200,
                "at_ms": at + 310,
                "headers": {
                    "content-type": "application/json",
                    "server": "uvicorn",
                    # Max-Age, not Expires: the client splits Set-Cookie on ','.
                    "set-cookie": "Outseta.nocode.accessToken=<REDACTED:token>; HttpOnly; Max-Age=86400; Path=/; SameSite=lax",
                },
                "text": "null",
            },
            "note": "200 body is untyped in the client (response.json()); FastAPI returns null when the "
                    "route only sets the cookie (inferred). The token is read from Set-Cookie only.",
        },
        {
            "id": "session-id",
            "at_ms": at + 420,
            "request": {"method": "GET", "path": "/api/session_id", "headers": dict(AUTH_HEADERS)},
            "response": {"status": 200, "at_ms": at + 455, "headers": dict(JSON_HEADERS), "json": SESSION},
            "note": "A JSON string; the client keeps it as the cookie cairos_session.",
        },
    ]


def motion(sg_id, name, desc, shot):
    return {
        "sg_id": sg_id,
        "description": desc,
        "input": "%s/%d/%s.bgeo.sc" % (MOTION_DIR, sg_id, name),
        "created_at": "2025-06-02T09:12:44.301220+00:00",
        "shot_description": shot,
    }


MOTIONS = [
    motion(1432, "quad_run_fast", "Quadruped run cycle on hands and feet, fast",
           "Actor runs on all fours across the stage, left to right"),
    motion(1433, "quad_run_to_stand", "Transition from all-fours run to standing",
           "Actor slows down and rises to a standing pose"),
]


def chat_output(prompt, msg_id, trigger, with_artifact=True):
    messages = [
        {"content": prompt, "additional_kwargs": {}, "response_metadata": {}, "type": "human",
         "name": None, "id": msg_id, "example": False},
    ]
    if with_artifact:
        messages += [
            {"content": "", "additional_kwargs": {}, "response_metadata": {}, "type": "ai", "name": None,
             "id": "run-8a1f0d2e-3c4b-4d5e-8f9a-0b1c2d3e4f50", "example": False,
             "tool_calls": [{"name": "search_motions", "args": {"query": prompt.lower()},
                             "id": "call_Qm3xT8vYk2LwP9sR", "type": "tool_call"}],
             "invalid_tool_calls": [],
             "usage_metadata": {"input_tokens": 812, "output_tokens": 24, "total_tokens": 836}},
            {"content": "Found 2 motions for 'running on all fours'.", "additional_kwargs": {},
             "response_metadata": {}, "type": "tool", "name": "search_motions", "id": None,
             "tool_call_id": "call_Qm3xT8vYk2LwP9sR",
             "artifact": {"key": "running-on-all-fours", "entries": MOTIONS},
             "status": "success"},
            {"content": "Here is a sequence: a fast run on all fours, then the actor rises to stand.",
             "additional_kwargs": {}, "response_metadata": {}, "type": "ai", "name": None,
             "id": "run-9b2e1f3a-4d5c-4e6f-9a0b-1c2d3e4f5061", "example": False, "tool_calls": [],
             "invalid_tool_calls": [],
             "usage_metadata": {"input_tokens": 1040, "output_tokens": 31, "total_tokens": 1071}},
        ]
    else:
        messages.append(
            {"content": "I could not find motions for that; sequencing will likely fail.",
             "additional_kwargs": {}, "response_metadata": {}, "type": "ai", "name": None,
             "id": "run-1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "example": False, "tool_calls": [],
             "invalid_tool_calls": []})
    out = {"trigger_msg": trigger, "messages": messages, "btl_objs": "[]"}
    if with_artifact:
        out["animation"] = {"sequence": MOTIONS,
                            "description": "Run on all fours, then rise to a standing pose"}
    else:
        out["animation"] = None
    return out


def chat_request(prompt, msg_id):
    return {"prompt": {"content": prompt, "id": msg_id}, "history": [], "btl_objs": []}


ORM_ANIMATION = {
    "job_trigger": TRIGGER, "job_thread": THREAD_NEW, "user_id": USER_ID,
    "filepath_bgeo": "%s/%s.bgeo.sc" % (SEQ_DIR, TRIGGER),
    "filepath_gltf": "%s/%s.glb" % (SEQ_DIR, TRIGGER),
    "created_at": "2026-11-23T02:15:21.124646+00:00",
}
EXPORT = {
    "job_thread": THREAD_NEW, "job_trigger": TRIGGER, "user_id": USER_ID,
    "created_at": "2026-11-23T02:15:27.503117+00:00",
    "filepath": "%s/%s.zip" % (SEQ_DIR, TRIGGER),
}


def glb(label):
    """A minimal binary glTF 2.0 file: 12-byte header + one JSON chunk."""
    doc = json.dumps({"asset": {"version": "2.0", "generator": label}}, separators=(",", ":")).encode()
    doc += b" " * ((4 - len(doc) % 4) % 4)
    body = len(doc).to_bytes(4, "little") + b"JSON" + doc
    return b"glTF" + (2).to_bytes(4, "little") + (12 + len(body)).to_bytes(4, "little") + body


def export_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(TRIGGER + ".glb", date_time=(2026, 11, 23, 2, 15, 27))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, glb("mockkit synthesized export"))
    return base64.b64encode(buf.getvalue()).decode()


def cassette(name, description, refs, interactions):
    return {
        "mockkit_cassette": 1,
        "meta": {
            "service": "cairos",
            "name": name,
            "description": description,
            "created": CREATED,
            "source": {"kind": "synthesized", "refs": refs},
            "redactions": ["header:authorization", "header:cookie", "header:set-cookie", "form:password"],
        },
        "interactions": interactions,
    }


SSE_HEADERS = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    "server": "uvicorn",
}


def flow():
    ix = login(0)
    ix += [
        {"id": "list-threads", "at_ms": 600,
         "request": {"method": "GET", "path": "/api/thread", "headers": dict(AUTH_HEADERS)},
         "response": {"status": 200, "at_ms": 680, "headers": dict(JSON_HEADERS),
                      "json": [{"id": THREAD_OLD, "user_id": USER_ID,
                                "created_at": "2026-11-20T17:41:03.552120+00:00",
                                "nice_name": "Mime in a box"}]}},
        {"id": "create-thread", "at_ms": 800,
         "request": {"method": "POST", "path": "/api/thread", "headers": dict(AUTH_HEADERS)},
         "response": {"status": 201, "at_ms": 870, "headers": dict(JSON_HEADERS),
                      "json": {"id": THREAD_NEW, "created_at": "2026-11-23T02:15:00.870312+00:00",
                               "messages": []}}},
        {"id": "get-thread", "at_ms": 950,
         "request": {"method": "GET", "path": "/api/thread/" + THREAD_NEW, "headers": dict(AUTH_HEADERS)},
         "match": {"path": "/api/thread/{thread_id}"},
         "response": {"status": 200, "at_ms": 1010, "headers": dict(JSON_HEADERS),
                      "json": {"id": THREAD_NEW, "created_at": "2026-11-23T02:15:00.870312+00:00",
                               "messages": []}}},
        {"id": "event-log", "at_ms": 1200,
         "request": {"method": "GET", "path": "/api/event_log",
                     "headers": {"accept": "text/event-stream", "cache-control": "no-store",
                                 **AUTH_HEADERS}},
         "response": {
             "status": 200, "at_ms": 1215, "headers": dict(SSE_HEADERS),
             "chunks": [
                 {"at_ms": 6480, "after": "chat", "text": event("usage_report", "96")},
                 {"at_ms": 16215, "text": ping(16215)},
                 {"at_ms": 19800, "after": "chat", "text": event("animation_success", ORM_ANIMATION)},
                 {"at_ms": 24900, "after": "export", "text": event("export_success", EXPORT)},
                 {"at_ms": 31215, "text": ping(31215)},
             ],
             "keepalive": dict(KEEPALIVE)},
         "note": "Opened before the chat POST (workflow.png). The job results are gated on the "
                 "requests that start the jobs (after). No id: lines (see the generator). "
                 "Never ends by itself: pings every 15 s until the client leaves."},
        {"id": "chat", "at_ms": 1500,
         "request": {"method": "POST", "path": "/api/thread/" + THREAD_NEW,
                     "headers": {"content-type": "application/json", **AUTH_HEADERS},
                     "json": chat_request("Running on all fours", "9f1e2d3c4b5a49687f6e5d4c3b2a1908")},
         "match": {"path": "/api/thread/{thread_id}",
                   "json": {"prompt": {"content": "Running on all fours"}}},
         "response": {"status": 200, "at_ms": 6400, "headers": dict(JSON_HEADERS),
                      "json": chat_output("Running on all fours", "9f1e2d3c4b5a49687f6e5d4c3b2a1908",
                                          TRIGGER)},
         "note": "send_chat: starts a sequencing job; the result comes on the event log."},
        {"id": "export", "at_ms": 20300,
         "request": {"method": "POST", "path": "/api/anim/%s/%s/export" % (THREAD_NEW, TRIGGER_HEX),
                     "headers": dict(AUTH_HEADERS)},
         "match": {"path": "/api/anim/{thread_id}/{trigger_msg_id}/export"},
         "response": {"status": 202, "at_ms": 20380, "headers": dict(JSON_HEADERS),
                      "json": ORM_ANIMATION}},
        {"id": "download", "at_ms": 25200,
         "request": {"method": "GET", "path": "/api/anim/%s/%s/download" % (THREAD_NEW, TRIGGER_HEX),
                     "headers": dict(AUTH_HEADERS)},
         "match": {"path": "/api/anim/{thread_id}/{trigger_msg_id}/download"},
         "response": {"status": 200, "at_ms": 25600,
                      "headers": {"content-type": "application/zip", "server": "uvicorn",
                                  "content-disposition": 'attachment; filename="%s.zip"' % TRIGGER},
                      "base64": export_zip()}},
    ]
    refs = REFS_BASE + REFS_SSE + [
        LL + "/api/default/get_threads_thread_get.py",
        LL + "/api/default/new_thread_thread_post.py",
        LL + "/api/default/get_thread_thread_thread_id_get.py",
        LL + "/api/default/process_message_thread_thread_id_post.py",
        LL + "/api/default/export_anim_anim_thread_id_trigger_msg_id_export_post.py",
        LL + "/api/default/download_anim_anim_thread_id_trigger_msg_id_download_get.py",
        LL + "/models/chat_output.py", LL + "/models/orm_animation.py", LL + "/models/export.py",
        "CairosAI/cairos-types@5286dce cairos_types/core.py",
    ]
    return cassette("flow", "The seed's session: login, session id, threads, the event log opened before "
                    "the chat, animation_success after the chat POST, export, export_success after "
                    "the export POST, download of the zip.", refs, ix)


def motions():
    msg = "1a2b3c4d5e6f47089a0b1c2d3e4f5a6b"
    ix = [{"id": "chat-nosequence", "at_ms": 0,
           "request": {"method": "POST", "path": "/api/thread/%s/nosequence" % THREAD_OLD,
                       "headers": {"content-type": "application/json", **AUTH_HEADERS},
                       "json": chat_request("Running on all fours", msg)},
           "match": {"path": "/api/thread/{thread_id}/nosequence",
                     "json": {"prompt": {"content": "Running on all fours"}}},
           "response": {"status": 200, "at_ms": 5100, "headers": dict(JSON_HEADERS),
                        "json": chat_output("Running on all fours", msg,
                                            "5e4d3c2b-1a09-4f8e-b7d6-c5b4a3928170")},
           "note": "request_motions_sequence: the motions come in the tool message's artifact; no job."}]
    refs = REFS_BASE + [LL + "/api/default/process_message_nosequence_thread_thread_id_nosequence_post.py",
                        LL + "/models/chat_output.py",
                        "CairosAI/cairos-types@5286dce cairos_types/core.py"]
    return cassette("motions", "request_motions_sequence with the seed's prompt (login from flow.json).",
                    refs, ix)


def avatars():
    a1 = {"id": AVATAR_1, "user_id": USER_ID, "label": "Mannequin", "status": ["uploaded", "autorigged", "mapped"]}
    a2 = {"id": AVATAR_2, "user_id": USER_ID, "label": "Robot", "status": ["uploaded"]}
    ix = [
        {"id": "list-avatars", "at_ms": 0,
         "request": {"method": "GET", "path": "/api/avatar", "headers": dict(AUTH_HEADERS)},
         "response": {"status": 200, "at_ms": 60, "headers": dict(JSON_HEADERS), "json": [a1, a2]}},
        {"id": "get-avatar", "at_ms": 200,
         "request": {"method": "GET", "path": "/api/avatar/" + AVATAR_1.replace("-", ""),
                     "headers": dict(AUTH_HEADERS)},
         "match": {"path": "/api/avatar/{uuid}"},
         "response": {"status": 200, "at_ms": 240, "headers": dict(JSON_HEADERS), "json": a1}},
        {"id": "get-avatar-file", "at_ms": 400,
         "request": {"method": "GET", "path": "/api/avatar/%s/file" % AVATAR_1.replace("-", ""),
                     "headers": dict(AUTH_HEADERS)},
         "match": {"path": "/api/avatar/{uuid}/file"},
         "response": {"status": 200, "at_ms": 520,
                      "headers": {"content-type": "model/gltf-binary", "server": "uvicorn"},
                      "base64": base64.b64encode(glb("mockkit synthesized avatar")).decode()}},
    ]
    refs = REFS_BASE + [LL + "/api/default/get_avatars_avatar_get.py",
                        LL + "/api/default/get_avatar_avatar_uuid_get.py",
                        LL + "/api/default/get_avatar_with_file_avatar_uuid_file_get.py",
                        LL + "/models/avatar_public.py"]
    return cassette("avatars", "list_avatars, get_avatar, get_avatar_file (login from flow.json).", refs, ix)


def scenario_log(ix_id, scenario, chunks, close=False):
    resp = {"status": 200, "at_ms": 15, "headers": dict(SSE_HEADERS), "chunks": chunks}
    if close:
        resp["close"] = True
    else:
        resp["keepalive"] = dict(KEEPALIVE)
    return {"id": ix_id, "at_ms": 0,
            "request": {"method": "GET", "path": "/api/event_log",
                        "headers": {"accept": "text/event-stream", "x-mockkit-scenario": scenario,
                                    **AUTH_HEADERS}},
            "match": {"headers": ["x-mockkit-scenario"]},
            "response": resp,
            "note": "Selected only by the request header X-Mockkit-Scenario: %s (a mockkit-only "
                    "switch; the live service never sends this variant on demand)." % scenario}


def errors():
    prompt = "Juggle three chainsaws on a unicycle"
    msg = "7e6d5c4b3a2941f08e7d6c5b4a392817"
    ix = [
        scenario_log("errors-event-log", "errors", [
            {"at_ms": 9100, "after": "errors-chat",
             "text": event("animation_error", '{"detail": "Sequencing failed: no motions matched the prompt"}')},
            {"at_ms": 9150, "after": "errors-chat", "text": event("unknown", "into the unknown")},
            {"at_ms": 12600, "after": "errors-chat",
             "text": event("export_error", "Export failed: animation not found")},
            {"at_ms": 15015, "text": ping(15015)},
        ]),
        {"id": "errors-chat", "at_ms": 300,
         "request": {"method": "POST", "path": "/api/thread/" + THREAD_NEW,
                     "headers": {"content-type": "application/json", **AUTH_HEADERS},
                     "json": chat_request(prompt, msg)},
         "match": {"path": "/api/thread/{thread_id}", "json": {"prompt": {"content": prompt}}},
         "response": {"status": 200, "at_ms": 4200, "headers": dict(JSON_HEADERS),
                      "json": chat_output(prompt, msg, "8c7b6a59-4e3d-4c2b-a190-8f7e6d5c4b3a",
                                          with_artifact=False)}},
    ]
    return cassette("events-errors",
                    "Event-log error variants: animation_error (the test fixture's {\"detail\": ...} "
                    "text), an unregistered event (tests/sse_test.py's 'unknown'), export_error "
                    "(text). Gated on a chat with a prompt that fails. The export_error is gated on the "
                    "same chat only to exercise the variant in one stream.",
                    REFS_SSE + [REPO + " cairos_python_client/__init__.py"], ix)


def cut():
    partial = 'event: export_success' + CRLF + 'data: {"job_thread": "%s", "job_trig' % THREAD_NEW
    log = scenario_log("cut-event-log", "cut", [
        {"at_ms": 20, "text": event("usage_report", "96")},
        {"at_ms": 3400, "text": event("animation_success", ORM_ANIMATION)},
        {"at_ms": 15015, "text": ping(15015)},
        {"at_ms": 15900, "text": partial},
    ], close=True)
    # CairosSSEHandler adopts a cairos_session cookie set by the event log;
    # whether the live server sets one is not known, so only this variant does.
    log["response"]["headers"]["set-cookie"] = "cairos_session=<REDACTED:session>; Path=/; SameSite=lax"
    ix = [log]
    return cassette("events-cut",
                    "An event log the server drops in the middle of export_success (close after a "
                    "partial event): earlier events are complete, the last one must be reported as "
                    "truncated.", REFS_SSE, ix)


def resume():
    """Not Cairos behaviour (it sends no ids): a mockkit-only variant that
    exercises a client's Last-Event-ID resume. The first stream carries ids
    and a short retry and is dropped between events; the reconnect that
    sends Last-Event-ID: 2 gets the rest."""
    first = scenario_log("resume-event-log", "resume", [
        {"at_ms": 20, "text": "retry: 50" + CRLF + "id: 1" + CRLF + event("usage_report", "96")},
        {"at_ms": 3400, "text": "id: 2" + CRLF + event("animation_success", ORM_ANIMATION)},
    ], close=True)
    second = scenario_log("resume-event-log-again", "resume", [
        {"at_ms": 3500, "text": "id: 3" + CRLF + event("export_success", EXPORT)},
        {"at_ms": 18500, "text": ping(18500)},
    ])
    second["at_ms"] = 3460
    second["response"]["at_ms"] = 3470
    second["request"]["headers"]["last-event-id"] = "2"
    second["match"] = {"headers": ["x-mockkit-scenario", "last-event-id"]}
    second["note"] = "The reconnect: matched only with Last-Event-ID: 2."
    return cassette("events-resume",
                    "mockkit-only (Cairos sends no id: lines): an event log with ids dropped "
                    "between events, and the reconnect with Last-Event-ID that continues it. "
                    "Selected by X-Mockkit-Scenario: resume.", REFS_SSE, [first, second])


def debug():
    log = scenario_log("debug-event-log", "debug", [
        {"at_ms": 20, "text": event("debug", "sequencer: job queued")},
        {"at_ms": 1400, "text": event("debug", "sequencer: 2 motions selected")},
        {"at_ms": 3400, "text": event("animation_success", ORM_ANIMATION)},
        {"at_ms": 15015, "text": ping(15015)},
    ])
    return cassette("events-debug",
                    "Event log with the `debug` status events workflow.png names (\"status updates, "
                    "debug (sse)\"), which CairosSSEMessages does not list: a handler with "
                    "error_on_unknown=True raises UnknownSSEMessage on the first. Selected by "
                    "X-Mockkit-Scenario: debug.",
                    REFS_SSE + [REPO + " workflow.png"], [log])


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, doc in [("flow", flow()), ("motions", motions()), ("avatars", avatars()),
                      ("events-errors", errors()), ("events-cut", cut()),
                      ("events-resume", resume()), ("events-debug", debug())]:
        path = os.path.join(OUT, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print("wrote", os.path.relpath(path))


if __name__ == "__main__":
    main()
