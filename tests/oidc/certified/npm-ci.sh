#!/bin/sh
# Install the certified provider's packages (package-lock.json, exactly)
# into DIR/node_modules; DIR is this folder unless given (make distcheck
# builds beside a read-only source tree). Skipped when node_modules was
# installed from this very lock, so it runs offline after the first time.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$src}
command -v npm >/dev/null 2>&1 || { echo "npm-ci.sh: no npm (scripts/install-deps.sh installs it)" >&2; exit 1; }
mkdir -p "$dir"
if [ "$dir" != "$src" ]; then
	cp "$src/package.json" "$src/package-lock.json" "$dir/"
fi
want=$(sha256sum "$src/package-lock.json" | cut -d' ' -f1)
stamp=$dir/node_modules/.okta-k8s-lock
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
    [ -f "$dir/node_modules/oidc-provider/package.json" ]; then
	exit 0
fi
echo "npm ci in $dir" >&2
(cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2)
echo "$want" >"$stamp"
