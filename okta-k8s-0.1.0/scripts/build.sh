#!/bin/sh
# Configure (once) and build okta-k8s in the source tree.
set -eu
cd "$(dirname "$0")/.."
[ -x configure ] || autoreconf -fi 2>/dev/null || autoreconf -fi
[ -f Makefile ] || ./configure -q ${CONFIGURE_FLAGS:-}
make -s -j"$(nproc)"
