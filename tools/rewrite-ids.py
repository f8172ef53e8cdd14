#!/usr/bin/python3
"""Copy a fixtures tree with every recorded id replaced by a new one.

CI serves the copy from a second `mockkit serve` and runs the suites against
it in live mode: a suite that hard-codes a recorded id, instead of taking ids
from responses as a client of the live service must, fails there.

Ids are replaced consistently (the same old id becomes the same new id in
every file, in paths, bodies, chunks and frames), keep their shape (prefix,
length, alphabet), and are derived from a salt, so a run is reproducible.

usage: rewrite-ids.py SRC_DIR DST_DIR [--salt TEXT]
"""
import hashlib
import os
import re
import sys

# Longest shapes first: a UUID must not be eaten as hex runs.
PATTERNS = [
    # RFC 4122 UUIDs (Pieces, Cairos JSON), any case.
    re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    # Bee ids: <prefix>_<24 hex ObjectId>.
    re.compile(r"\b(?:asst|thread|msg|run|step|file|vs|vsf|tool|call|chatcmpl|trace)_[0-9a-f]{24}\b"),
    # OpenAI ids: chatcmpl-…, call_… (alphanumeric), req_….
    re.compile(r"\bchatcmpl-[A-Za-z0-9]{10,}\b"),
    re.compile(r"\bcall_[A-Za-z0-9]{16,}\b"),
    re.compile(r"\breq_[A-Za-z0-9]{10,}\b"),
    # Bare 32-hex ids (Cairos thread ids, UUIDs written as .hex in paths).
    re.compile(r"\b[0-9a-f]{32}\b"),
]

HEX = "0123456789abcdef"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def fresh(old, salt):
    """Same shape as old: its prefix (asst_, chatcmpl-, …) kept, the rest
    redrawn from the same alphabet (hex stays hex)."""
    if re.fullmatch(r"[0-9a-f]{32}", old):
        prefix, body = "", old
    else:
        cut = old.index("_") if "_" in old else old.index("-")
        prefix, body = old[: cut + 1], old[cut + 1 :]
    alphabet = HEX if re.fullmatch(r"[0-9a-f]+", body) else ALNUM
    digest = hashlib.sha256((salt + old).encode()).digest()
    while len(digest) < len(body):
        digest += hashlib.sha256(digest).digest()
    return prefix + "".join(alphabet[b % len(alphabet)] for b in digest[: len(body)])


def canonical_hex(token):
    """A UUID and its 32-hex spelling are one id: key both by the hex."""
    t = token.replace("-", "").lower()
    return t if re.fullmatch(r"[0-9a-f]{32}", t) and len(token) in (32, 36) else None


def rewrite(text, mapping, salt):
    def sub(m):
        old = m.group(0)
        key = canonical_hex(old)
        if key is not None:
            if key not in mapping:
                new = fresh(key, salt)
                # Keep it a valid version-4 UUID: SDKs validate the shape.
                mapping[key] = new[:12] + "4" + new[13:16] + "89ab"[int(new[16], 16) % 4] + new[17:]
            new = mapping[key]
            if len(old) == 36:
                new = "-".join([new[:8], new[8:12], new[12:16], new[16:20], new[20:]])
            return new.upper() if old.isupper() else new
        if old not in mapping:
            mapping[old] = fresh(old, salt)
        return mapping[old]

    for pattern in PATTERNS:
        text = pattern.sub(sub, text)
    return text


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    src, dst = argv[1], argv[2]
    salt = argv[argv.index("--salt") + 1] if "--salt" in argv else "mockkit-live"
    mapping = {}
    count = 0
    for root, _dirs, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = os.path.join(root, name)
            out = os.path.join(dst, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            with open(out, "w", encoding="utf-8") as f:
                f.write(rewrite(text, mapping, salt))
            count += 1
    print(f"rewrite-ids: {count} cassettes, {len(mapping)} ids rewritten -> {dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
