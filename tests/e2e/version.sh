#!/bin/sh
# --version: okta-k8s's version, then the version of each library as it is
# loaded at run time: the versions of the Debian packages that own the
# libraries the dynamic linker picks, and, with stand-in libraries
# preloaded, the stand-ins' (so the versions are asked at run time, not
# taken from the headers okta-k8s was built with).
. "$(dirname "$0")/lib.sh"

"$OKTA_K8S" --version >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "--version exits 0, quietly"
pv=$(sed -n 's/^AC_INIT(\[okta-k8s\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
is "$(sed -n 1p "$T/out")" "okta-k8s $pv" "the first line is okta-k8s and configure.ac's version"
is "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ')" "okta-k8s libssh2 libcurl jansson libyaml " \
	"then libssh2, libcurl, jansson and libyaml, one a line"
check "libcurl's line names its TLS library" \
	grep -Eq '^libcurl [0-9][0-9.]* \((OpenSSL|GnuTLS|mbedTLS|wolfSSL|NSS)/[0-9]' "$T/out"

# upstream FILE: the upstream version of the Debian package that owns the
# library FILE (epoch and Debian revision dropped), or nothing.
upstream() {
	pkg=$(dpkg -S "$(readlink -f "$1")" 2>/dev/null | sed -n '1s/: .*//p')
	[ -n "$pkg" ] || return
	dpkg-query -W -f='${Version}' "$pkg" | sed 's/^[0-9]*://; s/-[^-]*$//; s/[+~].*$//'
}
# lib OKTA-K8S-OR-LIB NAME: the file the dynamic linker loads for NAME.
lib() { ldd "$1" | awk -v n="$2" 'index($1, n) == 1 { print $3 }'; }
if command -v dpkg >/dev/null && command -v ldd >/dev/null; then
	for l in "libssh2 libssh2.so" "libcurl libcurl.so" \
	    "jansson libjansson.so" "libyaml libyaml-0.so"; do
		set -- $l
		want=$(upstream "$(lib "$OKTA_K8S" "$2")")
		got=$(awk -v n="$1" '$1 == n { print $2 }' "$T/out")
		is "$got" "$want" "$1: the version of the package whose library is loaded"
	done
	ssl=$(upstream "$(lib "$(lib "$OKTA_K8S" libcurl.so)" libssl.so)")
	check "libcurl's TLS library: OpenSSL $ssl, as loaded" \
		grep -q "^libcurl .* (OpenSSL/$ssl)$" "$T/out"
else
	skip_check "needs dpkg and ldd"
fi

# Stand-ins preloaded: --version asks the libraries that are loaded.
cat >"$T/shim.c" <<'C'
#include <curl/curl.h>
const char *libssh2_version(int req) { (void)req; return "9.1.1-shim"; }
const char *jansson_version_str(void) { return "9.2.2-shim"; }
const char *yaml_get_version_string(void) { return "9.3.3-shim"; }
curl_version_info_data *curl_version_info(CURLversion v)
{
	static curl_version_info_data d;
	(void)v;
	d.version = "9.4.4-shim";
	d.ssl_version = "ShimTLS/9.5.5";
	return &d;
}
C
if ${CC:-cc} -shared -fPIC -o "$T/shim.so" "$T/shim.c" 2>"$T/cc.err"; then
	LD_PRELOAD=$T/shim.so ASAN_OPTIONS=verify_asan_link_order=0 \
		"$OKTA_K8S" --version >"$T/out" 2>"$T/err"
	is "$(sed 1d "$T/out" | tr '\n' '|')" \
		"libssh2 9.1.1-shim|libcurl 9.4.4-shim (ShimTLS/9.5.5)|jansson 9.2.2-shim|libyaml 9.3.3-shim|" \
		"with stand-in libraries preloaded, their versions are printed"
else
	ok 1 "cannot build the stand-in library: $(head -c 200 "$T/cc.err")"
fi

done_testing
