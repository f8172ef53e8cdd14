#!/usr/bin/env bash
# Uses mockkit the way another project does, from what it ships only:
#   tree        cmake --install into a temp prefix
#   deb         cpack -G DEB, dpkg-deb -c must list the install, then the
#               package unpacked (dpkg-deb -x) into a temp root
#   subproject  the example project with mockkit's source as add_subdirectory
# For tree and deb the README's embedding example (examples/embed) is built
# with pkg-config and with find_package against that prefix and run: it
# starts the Bee mock from the installed fixtures and makes one request. The
# installed mockkit must run, find the installed fixtures and suites (check),
# and have its man page.
# usage: check.sh tree|deb|subproject BUILD_DIR SOURCE_DIR
set -euo pipefail
mode="$1"
build="$(cd "$2" && pwd)"
src="$(cd "$3" && pwd)"
example="$src/examples/embed"
tmp="$(mktemp -d)"
serve_pid=""
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "install-check ($mode): $*" >&2; exit 1; }
# Quiet unless it fails: the log then says which step.
run() { "$@" >"$tmp/step.log" 2>&1 || { cat "$tmp/step.log" >&2; fail "failed: $*"; }; }

# The README shows examples/embed/embed_bee.c verbatim (the block after the
# marker line), so what users copy is what this test builds.
readme_example() {
  awk '/<!-- example: examples\/embed\/embed_bee.c -->/ {m=1; next}
       m==1 && /^```c$/ {m=2; next}  m==2 && /^```$/ {exit}  m==2 {print}' "$src/README.md"
}

# Runs "$@" as if the source tree were not there: its fixtures and models
# hidden under empty folders in a private mount namespace, so an installed
# program that still reads them fails. Needs root and unshare; without them
# (an unprivileged container) it runs as is and says so once.
# A command prefix (every step execs, so the pid is the program's).
mkdir -p "$tmp/empty"
without_source=()
if unshare -m true 2>/dev/null; then
  without_source=(unshare -m sh -c 'mount --bind "$0" "$1/fixtures" &&
                  mount --bind "$0" "$1/models" && shift && exec "$@"' "$tmp/empty" "$src")
else
  echo "install-check ($mode): note: cannot hide the source tree (unshare -m)"
fi

# Checks one installed prefix ($1), then builds and runs the example on it.
check_prefix() {
  local p="$1"
  for f in bin/mockkit include/mockkit/mock.h include/mockkit/client.h include/mockkit/bee.h \
           share/man/man1/mockkit.1 share/mockkit/fixtures/bee/basic-usage.json; do
    [ -e "$p/$f" ] || fail "$f is not installed"
  done
  local pcdir cmakedir
  pcdir="$(dirname "$(find "$p" -name mockkit-mock.pc | head -n1)")"
  cmakedir="$(dirname "$(find "$p" -name mockkitConfig.cmake | head -n1)")"
  [ -f "$pcdir/mockkit-bee.pc" ] || fail "no pkg-config files"
  # The parser library and what stands on it alone need neither libcurl nor
  # CivetWeb (docs/design.md, Layers).
  [ -f "$p/include/mockkit/sse.h" ] || fail "include/mockkit/sse.h is not installed"
  local pc pclibs
  for pc in sse diff conform; do
    pclibs="$(PKG_CONFIG_PATH="$pcdir" pkg-config --libs "mockkit-$pc")" ||
      fail "pkg-config --libs mockkit-$pc"
    case "$pclibs" in *curl* | *civetweb*) fail "mockkit-$pc links libcurl or CivetWeb: $pclibs" ;; esac
  done
  [ -f "$cmakedir/mockkitTargets.cmake" ] || fail "no CMake package"
  grep -q '^\.SS serve' "$p/share/man/man1/mockkit.1" || fail "the man page has no serve section"
  # No internal header leaks into the public include directory.
  if ls "$p/include/mockkit" | grep -q internal; then fail "an internal header is installed"; fi
  grep -q mkc_tcp_nodelay_to_port "$p/include/mockkit/client.h" && fail "client.h declares mkc_tcp_nodelay_to_port"

  "$p/bin/mockkit" --help >/dev/null || fail "installed mockkit --help failed"
  # CivetWeb's TLS shim (a libssl.so of mockkit's own) comes from the prefix.
  # (into a file: with pipefail, grep -q quitting early can fail ldd with SIGPIPE)
  ldd "$p/bin/mockkit" >"$tmp/ldd.txt"
  grep -q "libssl.so => $p/.*civetweb-ssl/libssl.so" "$tmp/ldd.txt" ||
    fail "installed mockkit does not load the CivetWeb TLS shim from the prefix"
  # lint reads the installed models: spoil one and it must name that file.
  cp "$p/share/mockkit/models/openai.json" "$tmp/openai-model.json"
  echo 'not json' >"$p/share/mockkit/models/openai.json"
  (cd "$tmp" && "${without_source[@]}" "$p/bin/mockkit" lint "$p/share/mockkit/fixtures/openai" \
     >"$tmp/lint.out" 2>&1) || true
  grep -q "share/mockkit/models/openai.json" "$tmp/lint.out" ||
    { cat "$tmp/lint.out" >&2; fail "installed mockkit lint does not read the installed models"; }
  cp "$tmp/openai-model.json" "$p/share/mockkit/models/openai.json"
  # `mockkit check` finds the installed suites (libexec/mockkit), and they
  # and it the installed fixtures.
  mkdir -p "$tmp/cwd"
  (cd "$tmp/cwd" && "${without_source[@]}" "$p/bin/mockkit" check >"$tmp/check.out" 2>&1) ||
    { cat "$tmp/check.out" >&2; fail "installed mockkit check failed"; }
  grep -q 'suite-openai-concat' "$tmp/check.out" || fail "mockkit check ran no OpenAI concat suite"
  # The installed mockkit serves the installed fixtures by default (from a
  # folder without ./fixtures): keep one Bee cassette there to tell them apart.
  find "$p/share/mockkit/fixtures/bee" -name '*.json' ! -name basic-usage.json -delete
  (cd "$tmp/cwd" && exec "${without_source[@]}" "$p/bin/mockkit" serve --only bee --port bee=0 --speed 0 \
     --ready-file "$tmp/ready" >"$tmp/serve.out" 2>&1) &
  serve_pid=$!
  for _ in $(seq 1 200); do [ -f "$tmp/ready" ] && break; sleep 0.05; done   # bounded: 10 s
  [ -f "$tmp/ready" ] || { cat "$tmp/serve.out" >&2; fail "installed mockkit serve not ready"; }
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""; rm -f "$tmp/ready"
  grep -q '(1 cassettes' "$tmp/serve.out" || { cat "$tmp/serve.out" >&2; fail "serve did not use the installed fixtures"; }

  local fixtures="$p/share/mockkit/fixtures/bee"
  # pkg-config: only the prefix's .pc files.
  export PKG_CONFIG_PATH="$pcdir"
  local cflags libs
  cflags="$(pkg-config --cflags mockkit-mock mockkit-bee)" || fail "pkg-config --cflags"
  libs="$(pkg-config --libs mockkit-mock mockkit-bee)" || fail "pkg-config --libs"
  [ "$(pkg-config --variable=fixturesdir mockkit-mock)/bee" -ef "$fixtures" ] ||
    fail "fixturesdir is not the installed fixtures"
  run cc -std=c11 -Wall -Wextra -Werror $cflags "$example/embed_bee.c" $libs -o "$tmp/embed-pc"
  "$tmp/embed-pc" "$fixtures" >"$tmp/out" || fail "the pkg-config build failed to run"
  grep -q ' assistants at http://127.0.0.1:' "$tmp/out" || fail "unexpected output: $(cat "$tmp/out")"
  unset PKG_CONFIG_PATH

  # find_package: only this prefix (no package registry, no system mockkit).
  run cmake -S "$example" -B "$tmp/fp" -DCMAKE_PREFIX_PATH="$p" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
      -Dmockkit_DIR="$cmakedir" -DCMAKE_BUILD_TYPE=Release
  run cmake --build "$tmp/fp"
  "$tmp/fp/embed_bee" "$fixtures" >"$tmp/out" || fail "the find_package build failed to run"
  grep -q ' assistants at http://127.0.0.1:' "$tmp/out" || fail "unexpected output: $(cat "$tmp/out")"
}

diff <(readme_example) "$example/embed_bee.c" >/dev/null ||
  fail "README.md's embedding example differs from examples/embed/embed_bee.c"

case "$mode" in
  tree)
    run cmake --install "$build" --prefix "$tmp/prefix"
    check_prefix "$tmp/prefix"
    ;;
  deb)
    run cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/pkg"
    deb="$(ls "$tmp"/pkg/mockkit_*.deb)"
    dpkg-deb -c "$deb" >"$tmp/contents"
    for f in ./usr/bin/mockkit ./usr/include/mockkit/mock.h ./usr/share/man/man1/mockkit.1 \
             ./usr/share/mockkit/fixtures/bee/basic-usage.json ./usr/libexec/mockkit/suite-bee-runs; do
      grep -q " $f\$" "$tmp/contents" || fail "the package lacks $f"
    done
    # Where Debian's pkg-config and CMake look without being told.
    grep -Eq ' ./usr/lib/(x86_64-linux-gnu/)?pkgconfig/mockkit-mock.pc$' "$tmp/contents" ||
      fail "mockkit-mock.pc is not in a pkg-config default directory"
    grep -Eq ' ./usr/lib/(x86_64-linux-gnu/)?cmake/mockkit/mockkitConfig.cmake$' "$tmp/contents" ||
      fail "mockkitConfig.cmake is not where find_package looks"
    dpkg-deb -f "$deb" Depends | grep -q libcivetweb-dev || fail "the package does not depend on libcivetweb-dev"
    dpkg-deb -x "$deb" "$tmp/root"
    check_prefix "$tmp/root/usr"
    ;;
  subproject)
    run cmake -S "$example" -B "$tmp/sub" -DMOCKKIT_SOURCE_DIR="$src" -DCMAKE_BUILD_TYPE=Release
    grep -q '^MOCKKIT_BUILD_TESTS:BOOL=OFF' "$tmp/sub/CMakeCache.txt" || fail "a subproject builds mockkit's tests"
    run cmake --build "$tmp/sub" --target embed_bee -j 2
    "$tmp/sub/embed_bee" "$src/fixtures/bee" >"$tmp/out" || fail "the subproject build failed to run"
    grep -q ' assistants at http://127.0.0.1:' "$tmp/out" || fail "unexpected output: $(cat "$tmp/out")"
    ;;
  *) echo "usage: check.sh tree|deb|subproject BUILD_DIR SOURCE_DIR" >&2; exit 2 ;;
esac
echo "install-check ($mode): ok"
