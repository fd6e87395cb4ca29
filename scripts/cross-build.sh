#!/bin/sh
# Build okta-k8s for a Raspberry Pi (Raspberry Pi OS is Debian 12 based)
# with Debian's cross toolchain, then run its unit tests and fuzz corpus
# replays under qemu-user.
#
# usage: scripts/cross-build.sh arm64|armhf
#
# The build happens in a clean Debian 12 root made with debootstrap from
# Debian's archive and kept outside the clone ($OKTA_K8S_CROSS_ROOT, by
# default /var/cache/okta-k8s/bookworm-cross; about 1 GB, made once). In
# it, dpkg --add-architecture ARCH, crossbuild-essential-ARCH and the ARCH
# -dev packages of libyaml, libcurl, jansson, libssh2 and OpenSSL. Their
# Multi-Arch: same libraries must have the very versions of the root's own
# amd64 ones; in a root fresh from the archive they do, whatever state
# this machine's own packages are in, and this machine's packages, its
# apt sources and its dpkg lock are left alone.
#
# The unit tests run in that root under qemu-aarch64-static or
# qemu-arm-static, called directly as the tests' LOG_COMPILER (binfmt_misc
# need not be mounted), with QEMU_LD_PREFIX=/: the ARCH loader and
# libraries are at their multiarch paths in the root. The build is made
# with -Werror, so a format string that does not fit a 32-bit long,
# size_t or time_t fails it.
# The binary is left in $OKTA_K8S_CROSS_OUT (default build/cross/ARCH).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

case ${1:-} in
arm64)	triplet=aarch64-linux-gnu; qemu=qemu-aarch64-static ;;
armhf)	triplet=arm-linux-gnueabihf; qemu=qemu-arm-static ;;
*)	echo "usage: scripts/cross-build.sh arm64|armhf" >&2; exit 1 ;;
esac
arch=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "okta-k8s: cross-build.sh makes a debootstrap root: run it" \
	    "as root" >&2
	exit 1
fi
root=${OKTA_K8S_CROSS_ROOT:-/var/cache/okta-k8s/bookworm-cross}
out=${OKTA_K8S_CROSS_OUT:-$top/build/cross/$arch}
mirror=http://deb.debian.org/debian

scripts/install-deps.sh --cross

# Run a command in the root, with /proc, /dev and /dev/pts (openpty of
# test_readpass) mounted in a mount namespace of its own: the mounts go
# away with it, whatever happens.
in_root() {
	unshare --mount --propagation private sh -eu -c '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount --bind /dev "$r/dev"
		mount --bind /dev/pts "$r/dev/pts"
		exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		    HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		    "$@"' sh "$root" "$@"
}

# The root: made in a scratch directory and renamed when complete, so an
# interrupted debootstrap is started over, never used.
if [ ! -f "$root/etc/okta-k8s-cross-root" ]; then
	echo "cross-build: making the Debian 12 root $root" \
	    "(debootstrap, once)" >&2
	rm -rf "$root.new"
	mkdir -p "$(dirname "$root")"
	debootstrap --variant=minbase bookworm "$root.new" "$mirror" \
	    >"$root.new.log" 2>&1 || {
		tail -n 20 "$root.new.log" >&2
		echo "okta-k8s: debootstrap failed (log above)" >&2
		exit 1
	}
	cat >"$root.new/etc/apt/sources.list" <<-EOF
	deb $mirror bookworm main
	deb $mirror bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	printf '%s\n' 'APT::Install-Recommends "false";' \
	    >"$root.new/etc/apt/apt.conf.d/90okta-k8s"
	touch "$root.new/etc/okta-k8s-cross-root"
	rm -rf "$root"
	mv "$root.new" "$root"
	rm -f "$root.new.log"
	in_root sh -c 'apt-get update -qq && apt-get upgrade -y -qq' \
	    >/dev/null
fi

# The toolchain and the ARCH libraries, when missing (one apt run).
pkgs="make autoconf automake pkg-config qemu-user-static openssh-client
crossbuild-essential-$arch pkgconf:$arch libyaml-dev:$arch
libcurl4-openssl-dev:$arch
libjansson-dev:$arch libssh2-1-dev:$arch libssl-dev:$arch"
# shellcheck disable=SC2086
if ! in_root dpkg-query -W $pkgs >/dev/null 2>&1; then
	echo "cross-build: installing the $arch toolchain and libraries" >&2
	in_root dpkg --add-architecture "$arch"
	# shellcheck disable=SC2086
	in_root sh -c 'apt-get update -qq &&
	    apt-get install -y -qq "$@"' sh $pkgs >/dev/null
fi

# The sources as `make dist` ships them (which also proves they are
# enough), configured for ARCH out of tree in the root.
[ -f config.status ] || scripts/build.sh
rm -rf "$root/build/$arch"
mkdir -p "$root/build/$arch"
make -s distdir distdir="$root/build/$arch/src" >/dev/null
echo "cross-build: building for $arch ($triplet)" >&2
in_root sh -eu -c '
	cd /build/$1
	mkdir obj && cd obj
	../src/configure -q --host=$2 CFLAGS="-O2 -g -Werror" \
	    >configure.out 2>&1 || { cat configure.out config.log | tail -40; exit 1; }
	make -s -j$(nproc) >build.log 2>&1 || { tail -40 build.log; exit 1; }
	echo "cross-build: okta-k8s built ($(stat -c %s okta-k8s) bytes)"
	export QEMU_LD_PREFIX=/ OKTA_K8S_TEST_EMULATOR=$3
	make -s -j$(nproc) check "TESTS=\$(UNIT_TESTS) \$(FUZZ_TARGETS)" \
	    LOG_COMPILER=$3 \
	    >check.out 2>&1 || {
		cat check.out; cat tests/*/*.log | grep -E "^(not ok|#|Bail)" |
		    head -40
		exit 1
	}
	sed -n "/^# TOTAL/,/^# ERROR/p" check.out | tr -s "\n# " "  "
	echo "($1, under $3)"
'  sh "$arch" "$triplet" "$qemu"
mkdir -p "$out"
cp "$root/build/$arch/obj/okta-k8s" "$out/okta-k8s"
echo "cross-build: $out/okta-k8s" >&2
