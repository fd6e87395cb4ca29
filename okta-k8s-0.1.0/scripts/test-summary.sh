#!/bin/sh
# One closing line for the whole suite, "N passed, N failed, N skipped",
# counted over every check: automake's TAP driver writes one
# ":test-result: PASS|FAIL|SKIP|XFAIL|XPASS|ERROR" line per check (and per
# skipped or broken test) into each tests/*/*.trs.
cd "$(dirname "$0")/.."
results=$(cat tests/*/*.trs 2>/dev/null | sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p')
count() { printf '%s\n' "$results" | grep -cxE "$1"; }
passed=$(count 'PASS|XFAIL')
failed=$(count 'FAIL|XPASS|ERROR')
skipped=$(count 'SKIP')
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
