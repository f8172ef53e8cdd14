#!/usr/bin/python3
"""Keep docs/cassette.schema.json in step with the C validator.

Every shipped fixture and suites/cassette/data/full.json must pass the schema,
and each broken variant below (rules a schema can express) must fail it.
Needs Debian's python3-jsonschema (>= 4, draft 2020-12); exits 77 (skipped)
without it. Usage: schema_check.py SOURCE_DIR
"""
import copy
import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema not installed: skipped")
    sys.exit(77)

src = sys.argv[1]
with open(os.path.join(src, "docs/cassette.schema.json")) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

failures = 0
files = sorted(glob.glob(os.path.join(src, "fixtures/**/*.json"), recursive=True))
files.append(os.path.join(src, "suites/cassette/data/full.json"))
for path in files:
    with open(path) as f:
        doc = json.load(f)
    for err in validator.iter_errors(doc):
        print(f"{path}: /{'/'.join(map(str, err.absolute_path))}: {err.message}")
        failures += 1

with open(os.path.join(src, "suites/cassette/data/full.json")) as f:
    full = json.load(f)

# (pointer, value) -> must be rejected; None deletes.
broken = [
    ("/interactions/0/response/status", "200"),
    ("/interactions/0/response/status", 600),
    ("/interactions/0/response/keepalive", {"every_ms": 15000, "text": ": ping\r\n\r\n"}),
    ("/interactions/1/response/keepalive", {"every_ms": 15000, "text": ": ping\r\n\r\n"}),
    ("/interactions/1/response/keepalive", {"every_ms": 0, "text": "x"}),
    ("/interactions/0/at_ms", -1),
    ("/interactions/0/at_ms", 1.5),
    ("/interactions/3/websocket/frames/6/code", 999),
    ("/interactions/3/websocket/frames/0/code", 1000),
    ("/interactions/3/websocket/frames/1/after", "png"),
    ("/interactions/3/websocket/frames/0/match", "exact"),
    ("/interactions/3/websocket/frames/6/text", "x"),
    ("/interactions/3/request/method", "POST"),
    ("/interactions/0/respnse", {}),
    ("/meta/servce", "x"),
    ("/meta/source/refs", []),
    ("/meta/source/refs", None),
    ("/meta/created", "yesterday"),
    ("/mockkit_cassette", 2),
    ("/interactions/0/response", None),
    ("/interactions/0/websocket", {"frames": []}),
    ("/interactions/0/request/text", "x"),
    ("/interactions/1/response/json", {}),
    ("/interactions/2/response/base64", "not*base64"),
    ("/interactions/0/request/path", "v1/a"),
    ("/interactions/0/match/path", "/v1/{id"),
    ("/interactions/0/match/query", "sometimes"),
    ("/interactions/0/request/headers/x", 5),
]


def apply(doc, pointer, value):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node = doc
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is None:
        del node[last]
    else:
        node[last] = value


for pointer, value in broken:
    doc = copy.deepcopy(full)
    apply(doc, pointer, value)
    if validator.is_valid(doc):
        print(f"schema accepts a broken cassette: {pointer} = {value!r}")
        failures += 1

print(f"{len(files)} cassettes, {len(broken)} broken variants, {failures} problems")
sys.exit(1 if failures else 0)
