#!/bin/sh
# Prints which explorer server run.sh starts, for the app folder $1 (/app in the sandbox): the
# JavaScript scripts/setup.sh built (Node then loads no TypeScript stripper in the session,
# ≈ 26 MiB less), or the TypeScript sources when that build is missing or older than them (a
# checkout edited without running setup; a warning on stderr says so).
set -eu
app=${1:-/app}
built="$app/server-js/main.js"
if [ -f "$built" ] && [ -z "$(find "$app/server" -name '*.ts' ! -name '*.test.ts' -newer "$built" -print -quit)" ]; then
  echo "$built"
else
  echo "run.sh: the explorer server's build is missing or older than its sources; running the sources" >&2
  echo "$app/server/main.ts"
fi
