#!/usr/bin/python3
"""Translate the schemas an OpenAPI 3.1 document needs for some root types
into the model subset of docs/models.md (used for models/openai.json).

Usage: from_openapi.py OPENAPI.json SOURCE_LABEL EXTRA.json ROOT... > model.json
EXTRA.json holds the hand-written part: "service", "sources", "bindings" and
extra "$defs". The output has every schema reachable from the roots, with
"#/components/schemas/X" refs as "#/$defs/X", `nullable: true` as an added
"null" type, and annotations the validator does not know (description,
examples, defaults, format, discriminator, x-*) dropped. oneOf stays oneOf.
A property that is not required also accepts null (see allow_null).
Each type gets "x-source": "SOURCE_LABEL components/schemas/<Name>".
"""
import json
import sys

KEEP = {"type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "$ref", "oneOf", "anyOf", "allOf", "minimum", "maximum", "minLength", "maxLength",
        "minItems", "maxItems", "pattern", "title"}


def allow_null(p):
    """A schema that also accepts null."""
    t = p.get("type")
    if isinstance(t, str):
        q = dict(p, type=[t, "null"])
    elif isinstance(t, list):
        q = dict(p, type=t if "null" in t else t + ["null"])
    elif "$ref" in p or "anyOf" in p or "oneOf" in p or "allOf" in p:
        return {"anyOf": [p, {"type": "null"}]}
    else:
        return p
    if "enum" in q and None not in q["enum"]:
        q["enum"] = q["enum"] + [None]
    return q


def convert(s):
    if isinstance(s, bool):
        return s
    out = {}
    for k, v in s.items():
        if k not in KEEP:
            continue
        if k == "$ref":
            out[k] = "#/$defs/" + v.split("/")[-1]
        elif k == "properties":
            # Stainless-generated SDKs type every optional property as
            # Optional[T] = None, and the API sends null there
            # (system_fingerprint): optional means "absent or null".
            req = set(s.get("required", []))
            out[k] = {n: convert(p) if n in req else allow_null(convert(p))
                      for n, p in v.items()}
        elif k in ("items", "additionalProperties"):
            out[k] = convert(v)
        elif k in ("oneOf", "anyOf", "allOf"):
            out[k] = [convert(b) for b in v]
        else:
            out[k] = v
    if s.get("nullable") is True:
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
        elif isinstance(t, list):
            if "null" not in t:
                out["type"] = t + ["null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def refs(x, acc):
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "$ref" and isinstance(v, str):
                acc.add(v.split("/")[-1])
            else:
                refs(v, acc)
    elif isinstance(x, list):
        for v in x:
            refs(v, acc)


def main():
    doc = json.load(open(sys.argv[1]))
    label = sys.argv[2]
    extra = json.load(open(sys.argv[3]))
    schemas = doc["components"]["schemas"]
    todo, done = list(sys.argv[4:]), {}
    while todo:
        name = todo.pop()
        if name in done:
            continue
        conv = convert(schemas[name])
        if isinstance(conv, dict):
            conv = {"x-source": f"{label} components/schemas/{name}", **conv}
        done[name] = conv
        acc = set()
        refs(schemas[name], acc)
        todo.extend(sorted(acc))
    done.update(extra.get("$defs", {}))
    model = {"service": extra["service"], "sources": extra["sources"],
             "$defs": dict(sorted(done.items())), "bindings": extra["bindings"]}
    json.dump(model, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
