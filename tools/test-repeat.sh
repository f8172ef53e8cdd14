#!/usr/bin/env bash
# tools/test-repeat.sh: run tools/test.sh N times in a row (default 10) and
# stop at the first failure, as the flake check of issue 13 was run:
#
#   MOCKKIT_TEST_JOBS=4 tools/test-repeat.sh 10
#
# Each run's output goes to test-repeat.K.log in the top folder; one line
# per run (pass/FAIL, seconds, load average) goes to stdout. Exit 0 when
# every run passed, 1 at the first failure.
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
case $n in ''|*[!0-9]*) echo "test-repeat.sh: N must be a number, not '$n'" >&2; exit 2 ;; esac
for i in $(seq 1 "$n"); do
  start=$(date +%s)
  if tools/test.sh > "test-repeat.$i.log" 2>&1; then result=pass; else result=FAIL; fi
  echo "run $i/$n: $result $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$result" = FAIL ]; then
    echo "test-repeat.sh: run $i failed; its output: test-repeat.$i.log" >&2
    exit 1
  fi
done
