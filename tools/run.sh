#!/usr/bin/env bash
# The main job: install what the build needs (only what is missing), build,
# start the mocks from the shipped fixtures, run every compatibility suite
# against them, and print a pass/fail table per service. Exit status 0 only
# if everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh --build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
exec build/bin/mockkit check "$@"
