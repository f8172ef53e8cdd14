#!/usr/bin/env bash
# Runs the unmodified official clients (tools/sdk-checks/*.mjs, and *.py with
# Debian's python3) against `mockkit serve` started from the shipped
# fixtures on free loopback ports. Each check gets its service's URL:
#   MOCKKIT_PIECES_URL  http://127.0.0.1:P
#   MOCKKIT_BEE_URL     http://127.0.0.1:P          (the SDK adds /v1)
#   MOCKKIT_OPENAI_URL  http://127.0.0.1:P/v1
#   MOCKKIT_CAIROS_URL  http://127.0.0.1:P/api
# usage: tools/sdk-checks/run.sh [path/to/mockkit] [CHECK...]   (CHECK = bee, pieces, …)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mockkit="${1:-$root/build/bin/mockkit}"
shift || true
# Exit 77 (ctest: skipped) when the SDKs cannot be had: no node/npm, or npm
# cannot install them (offline). Anything after that is a pass or a failure.
[ -x "$mockkit" ] || { echo "sdk-checks: no mockkit binary at $mockkit (build first)"; exit 2; }
command -v node >/dev/null 2>&1 || { echo "sdk-checks: SKIP: no node (tools/deps.sh installs it)"; exit 77; }
"$here/install.sh" || { echo "sdk-checks: SKIP: the npm packages cannot be installed"; exit 77; }

tmp="$(mktemp -d)"
serve_pid=""
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$mockkit" serve --fixtures "$root/fixtures" --speed 0 --quiet \
  --free-ports \
  --ready-file "$tmp/ready" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 200); do   # bounded: 10 s
  [ -f "$tmp/ready" ] && break
  kill -0 "$serve_pid" 2>/dev/null || { echo "sdk-checks: mockkit serve exited:"; cat "$tmp/serve.log"; exit 2; }
  sleep 0.05
done
[ -f "$tmp/ready" ] || { echo "sdk-checks: mockkit serve not ready after 10 s"; cat "$tmp/serve.log"; exit 2; }
# MOCKKIT_<SERVICE>_URL for every line (a generic folder's too, if its
# name can be a variable's); the Bee SDK adds /v1 itself.
while read -r svc url; do
  case "$svc" in *[!a-z0-9_]*) continue ;; esac
  [ "$svc" = bee ] && url="${url%/v1}"
  export "MOCKKIT_${svc^^}_URL=$url"
done <"$tmp/ready"

# faults.mjs starts its own `serve --fault ...` from these
export MOCKKIT_BIN="$mockkit" MOCKKIT_FIXTURES="$root/fixtures"

pass=0; fail=0; failed=()
for check in "$here"/*.mjs "$here"/*.py; do
  [ -f "$check" ] || continue
  name="$(basename "$check")"
  if [ $# -gt 0 ]; then
    match=0; for want in "$@"; do case "$name" in "$want".*|"$want"_*) match=1 ;; esac; done
    [ $match = 1 ] || continue
  fi
  echo "== $name"
  case "$check" in
    *.mjs) timeout 120 node "$check" ;;
    *.py)  timeout 120 /usr/bin/python3 "$check" ;;
  esac
  rc=$?
  if [ $rc = 0 ]; then pass=$((pass+1)); else fail=$((fail+1)); failed+=("$name (exit $rc)"); fi
done
echo
for f in "${failed[@]:-}"; do [ -n "$f" ] && echo "FAILED: $f"; done
echo "sdk-checks: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
