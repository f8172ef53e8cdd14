#!/usr/bin/python3
"""The Cairos mock's 422 bodies against the real libraries, over HTTP.

1. JSON decode errors: a few thousand mutated bodies (fixed seed) get the
   json_invalid entry CPython's json.loads gives (message and position), or
   none where it accepts them. Python 3.13+ names trailing commas itself
   (pyjson.c keeps the 3.11/3.12 words): those cases are left out there.
2. With pydantic v2 importable (Debian 12's python3-pydantic is v1: then
   skipped), bodies checked against pydantic models shaped like ChatInput
   (history a plain Union) get pydantic's exact error list.
Usage: cairos_crosscheck.py MOCKKIT_BINARY SOURCE_DIR
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

mockkit, src = sys.argv[1], sys.argv[2]
COOKIE = "Outseta.nocode.accessToken=a; cairos_session=s"
failures = 0


def dumps(content):
    """Starlette's JSONResponse.render."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":"))


def post(url, body):
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Cookie": COOKIE})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def json_cases(url):
    global failures
    rnd = random.Random(422)
    seeds = [b'{"prompt":{"content":"h\xc3\xa9llo","type":"human"},"history":[{"content":["a",{"b":1}]}],'
             b'"btl_objs":[1,2.5e3,-0,true,false,null]}',
             b'["\\u00e9\\ud83d\\ude00", "\\n\\t", 1.0, -2E+5]', b'  {"a" : [ ] , "b":{}}  ']
    alphabet = b'{}[],:"\\ u0123456789.eE+-tfnNaIy\x01\xc3\xa9\xef\xbb\xbf\t\n x/'
    for _ in range(1500):
        s = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 3)):
            op, i = rnd.randint(0, 2), rnd.randint(0, len(s))
            if op == 0 and s:
                del s[min(i, len(s) - 1)]
            elif op == 1:
                s[i:i] = bytes([rnd.choice(alphabet)])
            else:
                s = s[:i]
        body = bytes(s)
        if not body:
            continue  # an empty body is missing, not JSON
        try:
            json.loads(body)
            want = None
        except json.JSONDecodeError as e:
            if sys.version_info >= (3, 13) and e.msg.startswith("Illegal trailing comma"):
                continue
            want = {"type": "json_invalid", "loc": ["body", e.pos], "msg": "JSON decode error",
                    "input": {}, "ctx": {"error": e.msg}}
        except UnicodeDecodeError:
            want = "400"
        status, text = post(url, body)
        if want == "400":
            ok = status == 400
        elif want is None:
            ok = status != 422 or json.loads(text)["detail"][0]["type"] != "json_invalid"
        else:
            ok = status == 422 and text == dumps({"detail": [want]})
        if not ok:
            failures += 1
            if failures <= 10:
                print("json: %r: want %s, mock %d %s" % (body, want, status, text))


def pydantic_cases(url):
    global failures
    try:
        import pydantic
        from typing import Any, Literal, Optional, Union
        from datetime import datetime
        if not pydantic.VERSION.startswith("2."):
            raise ImportError
    except ImportError:
        print("pydantic v2 not importable: its part skipped")
        return

    class HumanMessage(pydantic.BaseModel):  # langchain-core's fields, as the client has them
        content: Union[str, list[Union[str, dict]]]
        additional_kwargs: dict = {}
        response_metadata: dict = {}
        type: Literal["human"] = "human"
        name: Optional[str] = None
        id: Optional[str] = None
        example: bool = False

    class AIMessage(pydantic.BaseModel):
        content: Union[str, list[Union[str, dict]]]
        type: Literal["ai"] = "ai"

    class SystemMessage(pydantic.BaseModel):
        content: Union[str, list[Union[str, dict]]]
        type: Literal["system"] = "system"

    class ToolMessage(pydantic.BaseModel):
        content: Union[str, list[Union[str, dict]]]
        type: Literal["tool"] = "tool"
        tool_call_id: str

    class Motion(pydantic.BaseModel):
        sg_id: int
        description: str
        input: str
        created_at: datetime
        shot_description: str

    class Animation(pydantic.BaseModel):
        sequence: list[Motion]
        description: str

    class ChatInput(pydantic.BaseModel):
        prompt: HumanMessage
        # models/cairos.json's order; a plain Union (the mock's assumption)
        history: list[Union[HumanMessage, AIMessage, SystemMessage, ToolMessage]]
        btl_objs: list[Any]
        animation: list[Animation] = []

    adapter = pydantic.TypeAdapter(ChatInput)

    def motion(sg):
        return ('{"sg_id":%s,"description":"d","input":"i","created_at":"2025-08-19T15:24:19+00:00",'
                '"shot_description":"s"}' % sg)
    bodies = ['[1]', '"hi"', '5', 'true', '{}', '{"btl_objs":[]}',
              '{"prompt":{"type":"human"},"history":[],"btl_objs":[]}',
              '{"prompt":{"content":"hi"},"history":"x","btl_objs":{}}',
              '{"prompt":5,"history":[],"btl_objs":[]}', '{"prompt":null,"history":null,"btl_objs":null}',
              '{"prompt":{"content":"hi","type":"ai","additional_kwargs":[],"example":"maybe",'
              '"name":5,"id":null},"history":[{"content":"x"}],"btl_objs":[]}',
              '{"prompt":{"content":"hi","example":0.5},"history":[],"btl_objs":[],"animation":[{'
              '"sequence":[%s,%s,%s,%s],"description":"d"}]}' % (motion('1.5'), motion('"1__0"'),
                                                                motion('" +1_000.00 "'), motion('true')),
              '{"prompt":{"content":"hi","example":2},"history":[],"btl_objs":[],"animation":{}}',
              '{"prompt":{"content":"hi","example":"YES"},"history":[],"btl_objs":[1],"extra":1}',
              '{"prompt":{"content":"a"},"prompt":5,"history":[],"btl_objs":[]}',
              '{"prompt":{"content":"\\u00e9\\t\\u0001"},"b":[1.0,-0,2.5e3,1E16,0.00001,-0.0,'
              '12345678901234567890123],"b":{"x":1,"x":[0.1]},"btl_objs":[]}',
              '{"prompt":{"content":5},"history":[{"content":[1,"a",{}]},{"content":"x","type":"tool"}],'
              '"btl_objs":[]}']
    for body in bodies:
        try:
            adapter.validate_python(json.loads(body), from_attributes=True)
            want = None
        except pydantic.ValidationError as e:
            errs = e.errors(include_url=False)
            for x in errs:
                x["loc"] = ["body"] + list(x["loc"])
            want = dumps({"detail": errs})
        status, text = post(url, body.encode())
        ok = status != 422 if want is None else status == 422 and text == want
        if not ok:
            failures += 1
            print("pydantic: %s: want %s, mock %d %s" % (body, want, status, text))


tmp = tempfile.mkdtemp()
ready = os.path.join(tmp, "ready")
serve = subprocess.Popen([mockkit, "serve", "--fixtures", os.path.join(src, "fixtures"), "--only",
                          "cairos", "--port", "cairos=0", "--speed", "0", "--quiet",
                          "--ready-file", ready], stdout=subprocess.DEVNULL)
try:
    for _ in range(200):  # bounded: 10 s
        if os.path.exists(ready) or serve.poll() is not None:
            break
        time.sleep(0.05)
    with open(ready) as f:
        base = f.read().split()[1]
    json_cases(base + "/thread/t1")
    pydantic_cases(base + "/thread/t1")
finally:
    serve.terminate()
    serve.wait(timeout=10)
if serve.returncode != 0:  # a sanitizer's report, say
    failures += 1
    print("mockkit serve exited with %d" % serve.returncode)
print("failures: %d" % failures)
sys.exit(1 if failures else 0)
