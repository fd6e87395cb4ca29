#!/bin/sh
# The Debian package, as a user gets it: `dpkg-buildpackage -us -uc -b`
# from the files `make dist` ships, lintian, then `apt-get install ./DEB`
# on this machine, the installed files checked and used, and a purge.
# Run by scripts/test.sh after make check (make check-pkg); needs root.
. "$(dirname "$0")/../e2e/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (installs the package)"
for tool in dpkg-buildpackage dh lintian apt-get man zsh bash; do
	command -v $tool >/dev/null ||
		skip "needs $tool (scripts/install-deps.sh)"
done
installed() {
	dpkg-query -W -f='${Status}' okta-k8s 2>/dev/null |
	    grep -qE ' (installed|config-files)$'
}
if installed; then
	skip "okta-k8s is installed on this machine; this test would purge it"
fi

# The package is built as from a shell, not as part of this make check:
# make's TESTS=tests/pkg/deb.sh in MAKEFLAGS would make the package's own
# test step run this test again, and again.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
[ -z "${OKTA_K8S_PKG_TEST:-}" ] || {
	echo "Bail out! tests/pkg/deb.sh runs inside itself"; exit 1; }
OKTA_K8S_PKG_TEST=1
export OKTA_K8S_PKG_TEST

arch=$(dpkg --print-architecture)
# The one version: AC_INIT in configure.ac.
version=$(sed -n 's/^AC_INIT(\[okta-k8s\], \[\([^]]*\)\].*/\1/p' \
    "$top_srcdir/configure.ac")
is "$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)" \
    "$version" "debian/changelog's version is configure.ac's ($version)"
is "$("$OKTA_K8S" --version | sed -n '1s/^okta-k8s \([^ ]*\).*/\1/p')" \
    "$version" "okta-k8s --version prints it"

# --- build --------------------------------------------------------------
src=$T/okta-k8s-$version
make -s -C "$top_builddir" distdir distdir="$src" >/dev/null 2>"$T/dist.err"
ok $? "make distdir ships the sources with debian/"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
rc=$?
ok $rc "dpkg-buildpackage -us -uc -b"
[ $rc -eq 0 ] || tail -n 40 "$T/build.log" | sed 's/^/#   /'
deb=$T/okta-k8s_${version}_$arch.deb
check "it made okta-k8s_${version}_$arch.deb" test -f "$deb"
[ -f "$deb" ] || done_testing
echo "# $(stat -c %s "$deb") bytes, installed size" \
    "$(dpkg-deb -f "$deb" Installed-Size) KiB"

# dh_auto_test ran the unit tests and the fuzz replays, and no lab test.
grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS): tests/' "$T/build.log" \
    >"$T/ran"
grep_ok '^PASS: tests/unit/test_util ' "$T/ran" \
    "the build's test step ran the unit tests"
grep_ok '^PASS: tests/fuzz/fuzz-config ' "$T/ran" \
    "and the fuzz corpus replays"
grep_not_ok '^[A-Z]*: tests/e2e/' "$T/ran" "but no end-to-end test"
grep_not_ok '^\(FAIL\|ERROR\|XPASS\)' "$T/ran" "none failed"
# DEB_BUILD_OPTIONS=nocheck: the same test step runs nothing.
rm -f "$src/tests/unit/test_util.log"
(cd "$src" && DEB_BUILD_OPTIONS=nocheck debian/rules override_dh_auto_test) \
    >"$T/nocheck.log" 2>&1
ok $? "debian/rules override_dh_auto_test under nocheck"
check "under nocheck no test ran" test ! -e "$src/tests/unit/test_util.log"

# lintian: no error. The warnings it may give are these, each explained in
# the README (a new one fails here until it is fixed or explained).
lintian --fail-on error --tag-display-limit 0 "$T"/okta-k8s_*.changes \
    >"$T/lintian" 2>&1
ok $? "lintian reports no error"
known='no-manual-page|initial-upload-closes-no-bugs'
grep -E '^[EW]: ' "$T/lintian" | grep -vE ": ($known)( |\$)" \
    >"$T/lintian-new"
check "lintian gives no warning the README does not explain" \
    test ! -s "$T/lintian-new"
grep -v 'running with root privileges' "$T/lintian" | sed 's/^/#   /'

# --- install ------------------------------------------------------------
purge() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q \
	    -o DPkg::Lock::Timeout=300 okta-k8s >"$T/purge.log" 2>&1
}
trap 'purge; cleanup' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "$deb" >"$T/install.log" 2>&1
rc=$?
ok $rc "apt-get install ./okta-k8s_${version}_$arch.deb"
[ $rc -eq 0 ] || { tail -n 20 "$T/install.log" | sed 's/^/#   /'; done_testing; }

is "$(/usr/bin/okta-k8s --version | head -n 1)" "okta-k8s $version" \
    "the installed okta-k8s --version"

# Everything `make install` installs is in the package, at the same path,
# with the same bytes (man pages compressed by dh_compress; programs,
# which dh_strip strips, executable).
stage=$T/stage
make -s -C "$src" install DESTDIR="$stage" >/dev/null 2>&1
ok $? "make install DESTDIR=stage in the package's build tree"
missing=0
(cd "$stage" && find . -type f | sed 's/^\.//' | sort) >"$T/staged"
while read -r f; do
	case $f in
	*/man/man*/*)	zcat "$f.gz" 2>/dev/null | cmp -s - "$stage$f" ;;
	*/bin/*)	test -x "$f" ;;
	*)		cmp -s "$f" "$stage$f" ;;
	esac || { echo "#   missing or different: $f"; missing=1; }
done <"$T/staged"
ok $missing "the package installed all $(wc -l <"$T/staged") files of \
make install"

# Templates: those of the source tree, in /usr/share/okta-k8s.
bad=0
for t in "$top_srcdir"/templates/*; do
	cmp -s "$t" "/usr/share/okta-k8s/${t##*/}" ||
		{ echo "#   not installed: ${t##*/}"; bad=1; }
done
ok $bad "every template is in /usr/share/okta-k8s"

# Man pages: every page make install puts in man1 and man5 is found by
# man and formats without an error.
grep -E '^/usr/share/man/man[15]/' "$T/staged" >"$T/pages"
echo "# man pages: $(tr '\n' ' ' <"$T/pages")"
is "$(sed 's|.*/||' "$T/pages" | sort | tr '\n' ' ')" \
    "okta-k8s.1 okta-k8s.yaml.5 " \
    "the package has okta-k8s(1) and okta-k8s.yaml(5)"
while read -r f; do
	page=${f##*/}
	name=${page%.*}
	sec=${page##*.}
	is "$(man -w "$sec" "$name" 2>&1)" "$f.gz" "man -w $sec $name"
	MANWIDTH=80 man "$sec" "$name" >"$T/page" 2>"$T/page.err"
	ok $? "man $sec $name formats"
	check "man $sec $name: no warning" test ! -s "$T/page.err"
done <"$T/pages"

# Completion: every bash script make install puts in the
# bash-completion directory registers a completion for okta-k8s when
# bash-completion loads it; every zsh one parses.
grep '/bash-completion/completions/' "$T/staged" >"$T/bash" || true
grep '/zsh/' "$T/staged" >"$T/zsh" || true
echo "# completion: $(cat "$T/bash" "$T/zsh" | tr '\n' ' ')"
is "$(wc -l <"$T/bash"):$(wc -l <"$T/zsh")" "1:1" \
    "the package has one bash and one zsh completion file"
while read -r f; do
	bash -c '. "$1" && complete -p okta-k8s' sh "$f" >"$T/complete" 2>&1
	grep_ok '^complete .* okta-k8s$' "$T/complete" \
	    "bash: $f registers a completion for okta-k8s"
done <"$T/bash"
while read -r f; do
	check "zsh -n $f" zsh -n "$f"
done <"$T/zsh"

# render with the installed templates: the same bytes as the build tree's
# okta-k8s gives from the source tree's, and an installed template taken
# away is missed by its installed path.
mkdir -p "$T/use"
(cd "$T/use" && /usr/bin/okta-k8s init) >/dev/null 2>&1
ok $? "the installed okta-k8s init writes a starter config"
(cd "$T/use" && /usr/bin/okta-k8s render) >"$T/render.pkg" 2>&1
ok $? "the installed okta-k8s render"
(cd "$T/use" && "$OKTA_K8S" render) >"$T/render.tree" 2>&1
same_file "$T/render.pkg" "$T/render.tree" \
    "it renders what the build tree renders"
grep_ok '^--oidc-issuer-url=' "$T/render.pkg" "the flags are rendered"
grep_ok '^kind: ClusterRoleBinding' "$T/render.pkg" \
    "the binding is rendered"
mv /usr/share/okta-k8s/clusterrolebinding.yaml "$T/crb"
(cd "$T/use" && /usr/bin/okta-k8s render) >"$T/render.miss" 2>&1
rc=$?
mv "$T/crb" /usr/share/okta-k8s/clusterrolebinding.yaml
check "without its installed template, render fails" test $rc -ne 0
grep_ok '/usr/share/okta-k8s/clusterrolebinding.yaml' "$T/render.miss" \
    "naming /usr/share/okta-k8s/clusterrolebinding.yaml"

# --- purge --------------------------------------------------------------
purge
ok $? "apt-get purge okta-k8s"
! installed && [ ! -e /usr/bin/okta-k8s ] && [ ! -e /usr/share/okta-k8s ] &&
    [ ! -e /usr/share/doc/okta-k8s ]
ok $? "nothing of it is left"
trap cleanup EXIT
done_testing
