#!/usr/bin/env bash
# Installs the SDK checks' npm packages (pinned by package-lock.json) unless
# node_modules already holds exactly that lock: npm ci leaves a copy of the
# lock it installed in node_modules/.package-lock.json. Used by
# tools/deps.sh and run.sh. Exit non-zero if they are missing and npm
# cannot install them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
installed="$here/node_modules/.package-lock.json"
# The hidden lock lists the same packages without the root entry; compare
# the "packages" sections as npm writes them.
if [ -f "$installed" ] && command -v node >/dev/null 2>&1 &&
   node -e '
     const fs = require("fs");
     const want = JSON.parse(fs.readFileSync(process.argv[1])).packages;
     const have = JSON.parse(fs.readFileSync(process.argv[2])).packages;
     delete want[""];
     for (const k of Object.keys(want))
       if (!have[k] || have[k].version !== want[k].version) process.exit(1);
   ' "$here/package-lock.json" "$installed"; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "sdk-checks: no npm" >&2; exit 1; }
cd "$here" && npm ci --no-audit --no-fund --loglevel=error
