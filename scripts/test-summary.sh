#!/bin/sh
# One closing line for the whole suite, from the TAP lines of every test log:
# "N passed, N failed, N skipped".
cd "$(dirname "$0")/.."
passed=$(cat tests/*/*.log 2>/dev/null | grep -c '^ok ')
failed=$(cat tests/*/*.log 2>/dev/null | grep -c '^not ok ')
skipped=$(grep -l '^:test-result: SKIP' tests/*/*.trs 2>/dev/null | wc -l)
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
