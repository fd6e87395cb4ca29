#!/bin/sh
# Install the dependencies, build, and run every test (make check, then
# the Debian package's test, make check-pkg).
# As root, the end-to-end tests run on the bundled lab; set
# OKTA_K8S_TEST_ALL=1 to make any skipped test a failure.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if ! make -j"$(nproc)" check; then
	cat tests/*/*.log 2>/dev/null | grep -E '^(not ok|#|Bail)' | head -60 >&2
	exit 1
fi
# The Debian package: built, installed, checked and purged (as root).
if ! make check-pkg; then
	grep -E '^(not ok|#|Bail)' tests/pkg/deb.log | head -60 >&2
	exit 1
fi
scripts/test-summary.sh
