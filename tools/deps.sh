#!/usr/bin/env bash
# Installs what mockkit needs to build and test, from Debian only, and only
# what is missing: with everything there it runs neither apt-get nor npm.
#   build:  cmake, gcc, g++ (the C++ header test), make, pkg-config
#   libs:   libcivetweb-dev (server + websocket client), libcjson-dev,
#           libcmocka-dev (suites), libcurl4-openssl-dev (HTTP/SSE client),
#           libssl-dev (CivetWeb dlopens libssl.so/libcrypto.so for TLS; the
#           mock's TLS listener uses OpenSSL)
#   tls:    openssl (suites/tls make their certificates), ca-certificates
#   tests:  nodejs + npm (the official SDK clients run against `mockkit serve`),
#           python3-jsonschema (docs/cassette.schema.json checked against fixtures),
#           python3-websockets (a plain websocket client), curl,
#           dpkg-dev (dpkg-shlibdeps, for the .deb that cpack builds)
#   fuzz:   clang + libclang-rt-14-dev (libFuzzer for Debian's clang 14; tools/fuzz)
#   bench:  wrk (load generator), nginx-light (the reference server)
# Usage: tools/deps.sh [--build] [--bench]
#   --build  only what building and `mockkit check` need (tools/run.sh)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build_only=0 bench=0
for a in "$@"; do
  case "$a" in
    --build) build_only=1 ;;
    --bench) bench=1 ;;
    *) echo "usage: tools/deps.sh [--build] [--bench]" >&2; exit 2 ;;
  esac
done

pkgs=(cmake gcc g++ make pkg-config libcivetweb-dev libcjson-dev libcmocka-dev
      libcurl4-openssl-dev libssl-dev)
if [ $build_only = 0 ]; then
  pkgs+=(openssl curl ca-certificates python3-websockets python3-jsonschema dpkg-dev
        clang libclang-rt-14-dev)
  # The machine image may carry its own nodejs (with npm inside); use
  # Debian's only when there is none.
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
fi
[ $bench = 1 ] && pkgs+=(wrk nginx-light)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The SDK checks' npm packages (pinned by tools/sdk-checks/package-lock.json),
# unless already installed. Without the npm registry the SDK check is
# skipped (ctest exit 77), so this is a warning, not a failure.
if [ $build_only = 0 ] && ! "$here/sdk-checks/install.sh"; then
  echo "deps.sh: warning: the SDK checks' npm packages could not be installed;" \
       "e2e-sdk-checks will be skipped" >&2
fi
