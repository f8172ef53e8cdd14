#!/usr/bin/python3
"""python3-jsonschema (Debian) and the C model validator must agree.

1. The keyword table (data/keywords.json): every case gets the same verdict.
2. Every models/<service>.json is a valid draft 2020-12 schema document.
3. Given the gate binary (argv[2]), every shipped payload the gate validated
   (`conformance-gate --emit`) gets the same verdict here, pass or fail.
Exits 77 (skipped) without jsonschema. Usage: crosscheck.py SOURCE_DIR [GATE]
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema not installed: skipped")
    sys.exit(77)

src = sys.argv[1]
V = jsonschema.Draft202012Validator
failures = 0


def validator(model, type_ref):
    root = dict(model)
    root.pop("bindings", None)
    root["$ref"] = type_ref
    return V(root)


with open(os.path.join(src, "suites/conformance/data/keywords.json")) as f:
    table = json.load(f)
V.check_schema(table["model"])
n = 0
for case in table["cases"]:
    v = validator(table["model"], "#/$defs/" + case["type"])
    ok = v.is_valid(case["instance"])
    n += 1
    if ok != case["valid"]:
        print(f"keywords case {n} {case['type']} {json.dumps(case['instance'])}: "
              f"jsonschema says {'valid' if ok else 'invalid'}, table says "
              f"{'valid' if case['valid'] else 'invalid'}")
        failures += 1
print(f"{n} keyword cases compared")

models = {}
for path in sorted(glob.glob(os.path.join(src, "models/*.json"))):
    with open(path) as f:
        model = json.load(f)
    try:
        V.check_schema(model)
    except jsonschema.exceptions.SchemaError as e:
        print(f"{path}: not a draft 2020-12 schema: {e.message}")
        failures += 1
        continue
    models[model.get("service")] = model
print(f"{len(models)} models are valid JSON Schema")

if len(sys.argv) > 2:
    n = 0
    with tempfile.NamedTemporaryFile(mode="r", suffix=".jsonl") as f:
        # The gate's own verdict (exit status) does not matter here.
        subprocess.run([sys.argv[2], src, "--emit", f.name], stdout=subprocess.DEVNULL)
        for line in f:
            rec = json.loads(line)
            model = models.get(rec["service"])
            if model is None:
                print(f"{rec['where']}: no model for {rec['service']}")
                failures += 1
                continue
            ok = validator(model, rec["type"]).is_valid(rec["value"])
            n += 1
            if ok != rec["valid"]:
                print(f"{rec['where']}: C says {'valid' if rec['valid'] else 'invalid'} "
                      f"against {rec['type']}, jsonschema says {'valid' if ok else 'invalid'}")
                failures += 1
    print(f"{n} fixture payload verdicts compared")

sys.exit(1 if failures else 0)
