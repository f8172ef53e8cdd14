#!/usr/bin/env bash
# tools/bench/run.sh: build mockkit-bench and mockkit (Release), start nginx
# (one worker) on a loopback port serving the REST bodies as static files
# (the synthetic one and the shipped fixture's the default path answers),
# run every benchmark and print the machine and a Markdown table, then the
# soak script's 1,000-streams-per-service probe. Extra arguments go to
# mockkit-bench (e.g. --duration 10, --only rest,ws; "hold" in --only names
# the soak probe). Not a test: numbers
# depend on the machine and on what else runs on it.
#
#   tools/bench/run.sh [mockkit-bench options]
#
# Environment: MOCKKIT_BENCH_BUILD (build dir, default build-bench).
# Needs: wrk, nginx (Debian: wrk, nginx-light).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${MOCKKIT_BENCH_BUILD:-build-bench}

for tool in wrk nginx curl; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "run.sh: $tool is not installed (Debian: apt-get install wrk nginx-light curl)" >&2
    exit 2
  fi
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target mockkit-bench mockkit -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
bench="$build/bin/mockkit-bench"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mockkit-nginx-XXXXXX")
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# nginx workers drop root: the files they serve must be world-readable.
chmod 755 "$tmp"
mkdir -p "$tmp/www/bench" "$tmp/logs"
"$bench" body > "$tmp/www/bench/item"
default_path=$("$bench" path default)
mkdir -p "$tmp/www$(dirname "$default_path")"
"$bench" body default > "$tmp/www$default_path"
chmod -R a+rX "$tmp/www"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 10000000;
  keepalive_timeout 65;
  client_body_temp_path $tmp/client_body;
  server {
    listen 127.0.0.1:$port;
    root $tmp/www;
  }
}
CONF
"$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" &
nginx_pid=$!
url="http://127.0.0.1:$port/bench/item"
ready=0
for _ in $(seq 100); do   # bounded: 10 s
  if curl -sf -o /dev/null "$url"; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "run.sh: nginx did not come up on $url" >&2
  cat "$tmp/logs/error.log" >&2 || true
  exit 2
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "nginx: $("$nginx_bin" -v 2>&1 | sed 's/.*: //'), wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
default_url="http://127.0.0.1:$port$default_path"
echo "command: $bench --wrk $(command -v wrk) --nginx-url $url --nginx-default-url $default_url $*"
echo
"$bench" --wrk "$(command -v wrk)" --nginx-url "$url" --nginx-default-url "$default_url" "$@"

# And "hold": 1,000 streams per service, every service at once, against
# `mockkit serve` with default options (the soak script's probe, so the
# numbers come from the same run). Part of every run unless --only leaves
# it out.
only=all
prev=""
for a in "$@"; do
  [ "$prev" = --only ] && only=$a
  case $a in --only=*) only=${a#--only=} ;; esac
  prev=$a
done
case ",$only," in
  ,all,|*,hold,*)
    echo
    echo "command: tools/soak.py --mockkit $build/bin/mockkit --only streams-per-service"
    /usr/bin/python3 tools/soak.py --mockkit "$build/bin/mockkit" --only streams-per-service ;;
esac
