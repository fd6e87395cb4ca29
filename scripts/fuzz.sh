#!/bin/sh
# Fuzz every parser of untrusted input: install clang and libFuzzer
# (install-deps.sh --fuzz), build the targets of tests/fuzz with
# ./configure --enable-fuzz CC=clang out of the source tree (the in-tree
# build stays as it is), and run each for SECONDS (default $FUZZ_SECONDS,
# else 60) with `make fuzz`. Exits non-zero on any finding, whose input it
# prints in base64 (tests/fuzz/run.sh).
#
# usage: scripts/fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
scripts/install-deps.sh --fuzz
[ -x configure ] || autoreconf -fi 2>/dev/null || autoreconf -fi

work=${FUZZ_BUILDDIR:-${TMPDIR:-/tmp}/okta-k8s-fuzz-build}
rm -rf "$work"
mkdir -p "$work/build"
src=$top
# configure refuses to build out of a tree configured in place: build from
# the files `make dist` ships instead (which also proves they are enough).
if [ -f config.status ]; then
	make -s distdir distdir="$work/src" >/dev/null
	src=$work/src
fi
cd "$work/build"
"$src/configure" -q --enable-fuzz CC=clang
if ! make -s -j"$(nproc)" fuzz-targets >build.log 2>&1; then
	tail -n 40 build.log >&2
	echo "okta-k8s: the fuzz targets did not build (log above)" >&2
	exit 1
fi
make -s fuzz FUZZ_SECONDS="$seconds"
