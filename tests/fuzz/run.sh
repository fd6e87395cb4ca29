#!/bin/sh
# Run each libFuzzer target for SECONDS on a scratch copy of its seed
# corpus (tests/fuzz/corpus/NAME for tests/fuzz/fuzz-NAME; the seeds are
# only read) and print, per target, its executions, its coverage (edges)
# and its findings. A finding (a crash, a sanitizer report, a broken
# invariant, a leak, a timeout) fails the run, and its input is printed in
# base64, since a CI machine's files are thrown away:
#   base64 -d > crash.bin; tests/fuzz/fuzz-NAME crash.bin   (replays it)
#
# usage: run.sh SECONDS CORPUS_DIR TARGET...
set -u
seconds=$1
corpus=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/okta-k8s-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
summary=

for target in "$@"; do
	name=${target##*/}
	name=${name#fuzz-}
	mkdir -p "$work/$name/corpus" "$work/$name/findings"
	log=$work/$name/log
	echo "fuzz-$name: running for ${seconds}s" >&2
	"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65600 -print_final_stats=1 \
	    -artifact_prefix="$work/$name/findings/" \
	    "$work/$name/corpus" "$corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	edges=$(sed -n 's/^#[0-9]*.*\(DONE\|INITED\|NEW\|REDUCE\|pulse\).* cov: \([0-9]*\).*/\2/p' "$log" | tail -n 1)
	findings=$(find "$work/$name/findings" -type f | wc -l)
	line="fuzz-$name: ${runs:-?} executions, ${edges:-?} edges, $findings findings"
	if [ "$rc" -ne 0 ] || [ "$findings" -ne 0 ]; then
		failed=1
		line="$line (exit $rc)"
		echo "fuzz-$name FAILED (exit $rc); the end of its log:" >&2
		grep -v '^#[0-9]' "$log" | tail -n 60 >&2
		for f in "$work/$name/findings"/*; do
			[ -f "$f" ] || continue
			echo "fuzz-$name: finding ${f##*/} ($(wc -c <"$f") bytes), base64:" >&2
			base64 "$f" >&2
			echo "fuzz-$name: end of ${f##*/}" >&2
		done
	fi
	echo "$line"
	summary="$summary$line
"
done
printf '\nfuzzing for %ss per target:\n%s' "$seconds" "$summary"
exit $failed
