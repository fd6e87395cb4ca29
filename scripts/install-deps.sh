#!/bin/sh
# Install what okta-k8s needs to build and test, from Debian's archive.
# Idempotent: packages already installed are left alone.
# --cross: also what scripts/cross-build.sh needs on this machine:
# debootstrap (the toolchain is installed in the root it makes).
# --fuzz: also what the fuzz targets need (scripts/fuzz.sh): clang and
# libFuzzer's runtime, libclang-rt-14-dev, which is only a Recommends of
# clang, so --no-install-recommends would leave it out.
set -eu

PACKAGES="gcc make autoconf automake pkg-config
libyaml-dev libcurl4-openssl-dev libjansson-dev libssh2-1-dev libssl-dev
python3 python3-yaml python3-cryptography
openssh-server openssh-client util-linux diffutils procps sudo curl
mandoc bash-completion zsh python3-jsonschema"
# AX_PTHREAD for autoreconf; the Debian package's build and its checks.
PACKAGES="$PACKAGES autoconf-archive"
PACKAGES="$PACKAGES build-essential debhelper lintian"
# kubectl for the kubeconfig tests: Debian's, unless one is there already
# (another vendor's kubectl package and kubernetes-client conflict).
command -v kubectl >/dev/null 2>&1 || PACKAGES="$PACKAGES kubernetes-client"
# Node.js and npm run the certified OpenID provider of the tests
# (tests/oidc/certified): Debian's (nodejs 18), unless node and npm are
# there already (another vendor's nodejs conflicts with Debian's npm).
command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
[ "${1:-}" = --fuzz ] && PACKAGES="$PACKAGES clang libclang-rt-14-dev"
[ "${1:-}" = --cross ] && PACKAGES="$PACKAGES debootstrap"

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "okta-k8s: missing packages:$missing; run this as root" >&2
		exit 1
	fi
	echo "installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The provider's packages, exactly as its package-lock.json says (npm ci;
# nothing is done when node_modules already matches the lock).
"$(dirname "$0")/../tests/oidc/certified/npm-ci.sh"
