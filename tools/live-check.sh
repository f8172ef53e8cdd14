#!/usr/bin/env bash
# Proves the live path: every compatibility suite runs in live mode against
# a second mockkit instance that poses as the live services. Its fixtures
# are the shipped ones with every id rewritten (tools/rewrite-ids.py), so a
# suite that hard-codes a recorded id instead of reading it from responses
# fails here.
# usage: tools/live-check.sh [path/to/mockkit]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mockkit="${1:-$root/build/bin/mockkit}"
[ -x "$mockkit" ] || { echo "live-check: no mockkit binary at $mockkit (build first)"; exit 2; }
tmp="$(mktemp -d)"
serve_pid=""
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

/usr/bin/python3 "$root/tools/rewrite-ids.py" "$root/fixtures" "$tmp/fixtures" --salt "live-$$" || exit 2
"$mockkit" serve --fixtures "$tmp/fixtures" --speed 0 --quiet \
  --free-ports \
  --api-key sk-proj-live-posing-key --env-file "$tmp/env" --ready-file "$tmp/ready" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 200); do   # bounded: 10 s
  [ -f "$tmp/ready" ] && break
  kill -0 "$serve_pid" 2>/dev/null || { echo "live-check: mockkit serve exited:"; cat "$tmp/serve.log"; exit 2; }
  sleep 0.05
done
[ -f "$tmp/ready" ] || { echo "live-check: serve not ready after 10 s"; exit 2; }
# The variables each service's suites read (mockkit/service.h), as serve
# writes them for its mocks and the posing key.
set -a
# shellcheck disable=SC1091
. "$tmp/env"
set +a
"$mockkit" check --target live --reset
