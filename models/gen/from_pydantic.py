#!/usr/bin/python3
"""Translate the Pieces Python SDK (openapi-generator, pydantic v2) into the
model subset of docs/models.md (used for models/pieces.json).

Usage: from_pydantic.py SDK_SRC LABEL EXTRA.json > pieces.json
  SDK_SRC   a checkout's src/pieces_os_client (models/ and api/ are read with
            Python's ast; nothing is imported or run)
  LABEL     source label for x-source, e.g. "pieces-os-client-sdk-for-python"
  EXTRA     a JSON object merged in: "service", "sources", extra "$defs" and
            "bindings" written by hand (websockets, which the generated API
            does not describe), and "ws_types": type names they need.

What the generated parser does, and so what the model says:
- from_dict passes every field as obj.get(name): a missing field is None.
  A field not typed Optional[...] rejects None, so it is required (present
  and not null); an Optional field may be absent or null.
- Strict* types accept only their JSON type; StrictFloat also takes integers.
  datetime is lax: an ISO 8601 string or a number (Unix time).
- field_validator: re.match patterns (anchored at the start) and enum sets.
- Unknown fields are ignored (pydantic's default), so objects stay open.
- oneOf/anyOf wrapper classes (actual_instance) become oneOf/anyOf.
- REST bindings: every api/*.py method's resource_path, HTTP method, body
  parameter and _response_types_map; "str" and "bytearray" bodies are read
  as text or bytes, so they are bound to null (not JSON).
"""
import ast
import glob
import json
import os
import sys

PRIM = {
    "StrictStr": {"type": "string"}, "str": {"type": "string"},
    "StrictInt": {"type": "integer"}, "int": {"type": "integer"},
    "StrictFloat": {"type": "number"}, "float": {"type": "number"},
    "StrictBool": {"type": "boolean"}, "bool": {"type": "boolean"},
    "datetime": {"$ref": "#/$defs/DateTime"}, "date": {"$ref": "#/$defs/Date"},
    "Any": {}, "object": {},
    "bytearray": {"type": "string"}, "StrictBytes": {"type": "string"}, "bytes": {"type": "string"},
}

DATETIME = {
    "x-source": "pydantic v2 datetime (lax): ISO 8601 text or Unix time",
    "type": ["string", "number"],
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?)?$",
}
DATE = {
    "x-source": "pydantic v2 date (lax): YYYY-MM-DD or Unix time",
    "type": ["string", "number"],
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}


def nullable(s):
    if "type" in s and isinstance(s["type"], str) and "$ref" not in s:
        out = dict(s, type=[s["type"], "null"])
        if "enum" in out:
            out["enum"] = out["enum"] + [None]
        return out
    return {"anyOf": [s, {"type": "null"}]}


class Converter:
    def __init__(self, src, label):
        self.label = label
        self.classes = {}   # name -> (kind, node, file)
        for path in sorted(glob.glob(os.path.join(src, "models", "*.py"))):
            tree = ast.parse(open(path).read())
            for node in tree.body:
                if isinstance(node, ast.ClassDef):
                    bases = [ast.unparse(b) for b in node.bases]
                    kind = "enum" if "Enum" in bases else "model"
                    self.classes[node.name] = (kind, node, os.path.basename(path))
        self.defs = {}
        self.todo = []

    def ref(self, name):
        if name not in self.classes:
            raise SystemExit(f"unknown type {name}")
        if name not in self.defs and name not in self.todo:
            self.todo.append(name)
        return {"$ref": "#/$defs/" + name}

    def type_of(self, node):
        """(schema, optional) for an annotation AST."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self.type_of(ast.parse(node.value, mode="eval").body)
        if isinstance(node, ast.Name):
            if node.id in PRIM:
                return dict(PRIM[node.id]), False
            return self.ref(node.id), False
        if isinstance(node, ast.Subscript):
            head = ast.unparse(node.value)
            args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if head == "Optional":
                s, _ = self.type_of(args[0])
                return s, True
            if head == "List" or head == "Set":
                s, _ = self.type_of(args[0])
                return {"type": "array", "items": s}, False
            if head == "Dict":
                s, _ = self.type_of(args[1])
                return {"type": "object", "additionalProperties": s}, False
            if head == "Union":
                names = sorted(ast.unparse(a) for a in args)
                if names == ["StrictFloat", "StrictInt"]:
                    return {"type": "number"}, False
                return {"anyOf": [self.type_of(a)[0] for a in args]}, False
            if head == "Annotated":
                s, opt = self.type_of(args[0])
                for call in args[1:]:
                    if isinstance(call, ast.Call):
                        for kw in call.keywords:
                            self.constrain(s, kw.arg, ast.literal_eval(kw.value))
                return s, opt
        raise SystemExit(f"unsupported annotation {ast.unparse(node)}")

    @staticmethod
    def constrain(s, arg, value):
        is_str = s.get("type") == "string"
        if arg == "min_length":
            s["minLength" if is_str else "minItems"] = value
        elif arg == "max_length":
            s["maxLength" if is_str else "maxItems"] = value
        elif arg == "ge":
            s["minimum"] = value
        elif arg == "le":
            s["maximum"] = value

    def validators(self, cls):
        """field name -> extra keywords from field_validator bodies."""
        out = {}
        for fn in cls.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            field = None
            for d in fn.decorator_list:
                if isinstance(d, ast.Call) and ast.unparse(d.func) == "field_validator":
                    field = d.args[0].value
            if not field:
                continue
            for n in ast.walk(fn):
                if isinstance(n, ast.Call) and ast.unparse(n.func) == "re.match":
                    pat = n.args[0].value.replace("\\-", "-")
                    out[field] = {"pattern": "^" + pat}
                if isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.NotIn):
                    inner = n.comparators[0]
                    if isinstance(inner, ast.Call) and ast.unparse(inner.func) == "set":
                        out[field] = {"enum": ast.literal_eval(inner.args[0])}
        return out

    def model(self, name):
        kind, cls, file = self.classes[name]
        src = f"{self.label} src/pieces_os_client/models/{file}"
        if kind == "enum":
            values = [st.value.value for st in cls.body
                      if isinstance(st, ast.Assign) and isinstance(st.value, ast.Constant)]
            return {"x-source": src, "enum": values}
        checks = self.validators(cls)
        props, required, union = {}, [], None
        for st in cls.body:
            if not isinstance(st, ast.AnnAssign):
                continue
            field = st.target.id
            ann = ast.unparse(st.annotation)
            if field.startswith("_") or ann.startswith("ClassVar") or field in (
                    "one_of_schemas", "any_of_schemas", "model_config"):
                continue
            if field == "actual_instance":
                s, _ = self.type_of(st.annotation)
                kw = "oneOf" if any(isinstance(x, ast.AnnAssign) and x.target.id == "one_of_schemas"
                                    for x in cls.body) else "anyOf"
                union = {kw: s.get("anyOf", [s])}
                continue
            json_name = field
            if isinstance(st.value, ast.Call):
                for kw in st.value.keywords:
                    if kw.arg == "alias":
                        json_name = kw.value.value
            s, optional = self.type_of(st.annotation)
            wrapped = field in checks or json_name in checks
            if wrapped:
                extra = checks.get(field) or checks.get(json_name)
                if "$ref" in s:
                    s = {"allOf": [s], **extra}
                else:
                    s = dict(s, **extra)
            if optional:
                s = nullable(s)
            else:
                required.append(json_name)
            props[json_name] = s
        if union:
            return {"x-source": src, **union}
        out = {"x-source": src, "type": "object", "properties": props}
        if required:
            out["required"] = required
        return out

    def drain(self):
        while self.todo:
            name = self.todo.pop(0)
            if name not in self.defs:
                self.defs[name] = None  # placeholder against cycles
                self.defs[name] = self.model(name)


def endpoints(src, conv):
    """One binding per generated API method."""
    out = []
    for path in sorted(glob.glob(os.path.join(src, "api", "*.py"))):
        tree = ast.parse(open(path).read())
        api = os.path.basename(path)
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            fns = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
            for name, fn in fns.items():
                ser = fns.get(f"_{name}_serialize")
                if not ser:
                    continue
                method = resource = body = None
                for n in ast.walk(ser):
                    if isinstance(n, ast.Call):
                        for kw in n.keywords:
                            if kw.arg == "method" and isinstance(kw.value, ast.Constant):
                                method = kw.value.value
                            if kw.arg == "resource_path":
                                resource = kw.value.value
                    if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "_body_params" \
                            and isinstance(n.value, ast.Name):
                        body = n.value.id
                types = {}
                for n in ast.walk(fn):
                    if isinstance(n, ast.AnnAssign) and ast.unparse(n.target) == "_response_types_map":
                        types = ast.literal_eval(n.value)
                b = {"method": method, "path": resource}
                if body:
                    arg = next(a for a in fn.args.args if a.arg == body)
                    ann = arg.annotation
                    if isinstance(ann, ast.Subscript) and ast.unparse(ann.value) == "Optional":
                        ann = ann.slice
                    if isinstance(ann, ast.Subscript) and ast.unparse(ann.value) == "Annotated":
                        ann = ann.slice.elts[0]
                    b["request"] = json_target(conv, ann, f"{api} {name}")
                resp = {}
                for status, t in types.items():
                    key = status.lower() if status.endswith("XX") else status
                    resp[key] = None if t is None else json_target(conv, ast.parse(t, mode="eval").body,
                                                                   f"{api} {name} {status}")
                b["responses"] = resp
                b["note"] = f"src/pieces_os_client/api/{api} {name}"
                out.append(b)
    return out


def json_target(conv, ann, what):
    """A binding target for a request or response type: null for text/bytes."""
    text = ast.unparse(ann)
    if text in ("str", "StrictStr", "bytearray", "StrictBytes", "bytes", "file"):
        return None
    if isinstance(ann, ast.Name) and ann.id in conv.classes:
        conv.ref(ann.id)
        return "#/$defs/" + ann.id
    # A list or primitive: a named wrapper def.
    s, _ = conv.type_of(ann)
    name = "_" + "".join(ch for ch in text.title() if ch.isalnum())
    conv.defs[name] = {"x-source": f"{conv.label} src/pieces_os_client/api/{what}", **s}
    return "#/$defs/" + name


def main():
    src, label, extra_path = sys.argv[1], sys.argv[2], sys.argv[3]
    extra = json.load(open(extra_path))
    conv = Converter(src, label)
    bindings = endpoints(src, conv)
    for name in extra.get("ws_types", []):
        conv.ref(name)
    conv.drain()
    defs = dict(conv.defs)
    defs["DateTime"] = DATETIME
    defs["Date"] = DATE
    defs.update(extra.get("$defs", {}))
    model = {
        "service": extra["service"],
        "sources": extra["sources"],
        "$defs": dict(sorted(defs.items())),
        "bindings": extra.get("bindings", []) + bindings,
    }
    json.dump(model, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


main()
