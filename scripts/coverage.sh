#!/bin/sh
# Line coverage of src/ and cmd/ by the unit tests alone (tests/unit).
#
# Builds a copy of the tree (make distdir) out of the source tree, in a
# temporary directory, with gcc's --coverage; runs only the unit tests; then
# reads gcov's line counts and prints, per file and in total, how many of
# the lines gcov calls executable ran at least once. The e2e tests are left
# out on purpose: this measures what the fast tests prove. Needs gcc and
# gcov (Debian's gcc package), nothing else.
#
#   scripts/coverage.sh            # the tables
#   KEEP=1 scripts/coverage.sh     # keep the build (its path is printed),
#                                  # with each file's .gcov beside it
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/okta-k8s-coverage.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "coverage: the build is kept in $tmp" >&2
else
	trap 'rm -rf "$tmp"' EXIT
fi

# The distribution's files, as the source tree has them now (configured
# once, as scripts/build.sh does).
cd "$top"
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure -q
make -s distdir distdir="$tmp/src" >/dev/null

mkdir "$tmp/build"
cd "$tmp/build"
"$tmp/src/configure" -q CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage"
make -s -j"$(nproc)" >/dev/null
# Only the unit tests run (make expands its own $(UNIT_TESTS)); their
# results are printed, a failure fails.
# shellcheck disable=SC2016
make -s check TESTS='$(UNIT_TESTS)' >check.out 2>&1 || {
	cat check.out
	echo "coverage: a unit test failed (above); no figures" >&2
	exit 1
}
grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR)' check.out || true

# gcov's text for each object of src/ and cmd/ ("     5:  12:code",
# "#####:  12:code" not run, "    -:  12:" not executable), counted per
# source file. A file whose tests never ran has no .gcda: all unrun.
for dir in src cmd; do
	(cd "$dir" && gcov -t -o . ./*.gcno 2>/dev/null)
done | awk -v top="$tmp/src/" '
	/^ *-: *0:Source:/ {
		f = substr($0, index($0, "Source:") + 7)
		sub("^" top, "", f)
		sub("^\\.\\./", "", f)
		if (!(f in seen)) { seen[f] = 1; order[n++] = f }
		next
	}
	f == "" { next }
	{
		count = $1
		sub(/:$/, "", count)
		if (count == "-") next
		lines[f]++
		if (count !~ /^#+$/ && count !~ /^=+$/) hit[f]++
	}
	END {
		for (i = 0; i < n; i++) {
			f = order[i]
			if (f !~ /^(src|cmd)\/.*\.c$/) continue
			d = substr(f, 1, 3)
			dl[d] += lines[f]; dh[d] += hit[f]
			printf "%-24s %5d / %5d  %5.1f%%\n", f, hit[f] + 0,
			    lines[f], lines[f] ? 100 * hit[f] / lines[f] : 0
		}
		for (d in dl)
			printf "%-24s %5d / %5d  %5.1f%%\n", d "/ total",
			    dh[d], dl[d], 100 * dh[d] / dl[d]
	}' | sort -t/ -k1,1 -s > table
# src/ first, then cmd/, each total under its files.
for d in src cmd; do
	printf '\n%-24s %13s  %6s\n' "$d/ (unit tests)" "lines run" "cover"
	grep "^$d/" table | grep -v " total " | sort
	grep "^$d/ total " table
done
