#!/usr/bin/env bash
# The whole suite: static checks, then unit, integration and end-to-end tests.
# Ends with one "N passed, N failed" line for CI.
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp -d)
before=$(mktemp)
trap 'rm -rf "$report" "$before"' EXIT
status=0
# What exists before the suite runs, so the debris check at the end reports only what it left.
scripts/check-debris.sh snapshot "$before"

echo "== typecheck"; npm run -s typecheck || status=1
echo "== lint"; npx eslint . && npx prettier --check . || status=1
echo "== import rules"; npm run -s check:imports || status=1
for project in unit integration e2e; do
  echo "== $project tests"
  npx vitest run --project "$project" --reporter=default --reporter=json --outputFile.json="$report/$project.json" || status=1
done

echo "== leftovers"; scripts/check-debris.sh check "$before" || status=1

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
    for (const file of r.testResults ?? [])
      for (const t of file.assertionResults ?? [])
        if (t.status === "failed") console.log(`failed: ${file.name.replace(process.cwd() + "/", "")}: ${t.fullName}`);
  }
  console.log(`vitest: ${passed} passed, ${failed} failed`);
' "$report"
exit $status
