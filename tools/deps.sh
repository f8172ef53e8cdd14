#!/usr/bin/env bash
# Installs what mockkit needs to build and test, from Debian only.
#   build:  cmake, gcc, pkg-config
#   libs:   libcivetweb-dev (server + websocket client), libcjson-dev,
#           libcmocka-dev (suites), libcurl4-openssl-dev (HTTP/SSE client)
#   tests:  nodejs + npm (the official SDK clients run against `mockkit serve`),
#           python3-jsonschema (docs/cassette.schema.json checked against fixtures),
#           python3-websockets (a plain websocket client), curl
#   fuzz:   clang + libclang-rt-14-dev (libFuzzer for Debian's clang 14; tools/fuzz)
#   bench:  wrk (load generator), nginx-light (the reference server)
# Usage: tools/deps.sh [--bench]
set -euo pipefail
pkgs=(cmake gcc make pkg-config libcivetweb-dev libcjson-dev libcmocka-dev
      libcurl4-openssl-dev curl ca-certificates python3-websockets python3-jsonschema
      clang libclang-rt-14-dev)
# The machine image may carry its own nodejs (with npm inside); use Debian's
# only when there is none.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
[ "${1:-}" = "--bench" ] && pkgs+=(wrk nginx-light)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The SDK checks' npm packages (pinned by tools/sdk-checks/package-lock.json).
if [ ! -d "$(dirname "$0")/sdk-checks/node_modules" ]; then
  (cd "$(dirname "$0")/sdk-checks" && npm ci --no-audit --no-fund --loglevel=error)
fi
