#!/usr/bin/env bash
# The whole test suite: install dependencies (only what is missing), build,
# run every ctest (suites, the C++ header test, the install and .deb tests,
# e2e); then build again under AddressSanitizer + UBSan and run the suites
# once more (label nosan excluded). Tests labelled "timing" run serially
# whatever -j is. Exit status is non-zero if anything fails.
#   MOCKKIT_TEST_JOBS=N      ctest and build parallelism (default: nproc)
#   MOCKKIT_SKIP_SANITIZERS=1  skip the sanitizer pass
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
jobs=${MOCKKIT_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

# Fuzzing: each libFuzzer target runs a few seconds from its seed corpus
# (tools/fuzz, docs/fuzzing.md), then replays the inputs that once crashed.
if [ "${MOCKKIT_SKIP_FUZZ:-0}" = 1 ]; then
  echo "test.sh: fuzzing skipped (MOCKKIT_SKIP_FUZZ=1)"
elif ! command -v clang >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "test.sh: fuzzing SKIPPED: clang or libFuzzer missing (Debian: apt-get install clang libclang-rt-14-dev)"
else
  cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOCKKIT_FUZZ=ON >/dev/null
  cmake --build build-fuzz --target fuzz -j "$jobs"
  ctest --test-dir build-fuzz --output-on-failure -j "$jobs" -L fuzz
fi

if [ "${MOCKKIT_SKIP_SANITIZERS:-0}" != 1 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMOCKKIT_SANITIZE=ON >/dev/null
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE nosan
fi
