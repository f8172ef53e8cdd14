#!/bin/sh
# The shipped Bee fixtures and models/bee.json are exactly what their
# generators write (one source of truth: edit the generator, not the JSON).
# usage: suites/bee/regen_check.sh SOURCE_DIR
set -eu
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$root/tools/fixturegen/bee.py" --out "$tmp" >/dev/null
diff -r -x README.md "$tmp" "$root/fixtures/bee"
python3 "$root/models/gen/bee.py" >"$tmp/bee-model.json"
diff "$tmp/bee-model.json" "$root/models/bee.json"
echo "fixtures/bee and models/bee.json match their generators"
