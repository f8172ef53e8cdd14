#!/usr/bin/env bash
# Fixtures are reproducible: run every generator in tools/fixturegen/ on a
# copy of itself in a temporary folder (each writes ../../fixtures/<service>
# relative to its own path) and compare the output with the shipped
# fixtures/<service>/*.json byte for byte, both ways (a shipped cassette no
# generator writes is stale). Exit 0 when identical, 1 on a difference.
# usage: tools/fixturegen/check.sh [SOURCE_DIR]
set -uo pipefail
root="$(cd "${1:-$(dirname "$0")/../..}" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tools/fixturegen"
cp "$root"/tools/fixturegen/*.py "$tmp/tools/fixturegen/"
status=0
for gen in "$tmp"/tools/fixturegen/*.py; do
  svc="$(basename "$gen" .py)"
  if ! /usr/bin/python3 "$gen" >"$tmp/$svc.log" 2>&1; then
    echo "FAIL $svc: generator failed:"; cat "$tmp/$svc.log"; status=1; continue
  fi
  out="$tmp/fixtures/$svc"
  before=$status
  for f in "$out"/*.json; do
    [ -f "$f" ] || continue
    if ! cmp -s "$f" "$root/fixtures/$svc/$(basename "$f")"; then
      echo "FAIL fixtures/$svc/$(basename "$f") differs from what tools/fixturegen/$svc.py writes:"
      diff -u "$root/fixtures/$svc/$(basename "$f")" "$f" | head -40
      status=1
    fi
  done
  for f in "$root/fixtures/$svc"/*.json; do
    [ -f "$f" ] || continue
    [ -f "$out/$(basename "$f")" ] || {
      echo "FAIL fixtures/$svc/$(basename "$f") is not written by tools/fixturegen/$svc.py (stale?)"
      status=1
    }
  done
  [ $status = "$before" ] && echo "ok   fixtures/$svc: $(ls "$out"/*.json | wc -l) cassettes regenerate identically"
done
exit $status
