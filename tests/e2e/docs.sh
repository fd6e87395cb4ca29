#!/bin/sh
# The man pages: mandoc -T lint finds no warning, every command, option,
# config key, exit code and environment variable the code knows is in them
# (tests/e2e/man-coverage.py takes the lists from the code's own tables),
# and their examples are true.
. "$(dirname "$0")/lib.sh"

command -v mandoc >/dev/null || skip "needs mandoc"
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3"
M=$top_srcdir/man
COVER="/usr/bin/python3 $top_srcdir/tests/e2e/man-coverage.py $OKTA_K8S $top_srcdir"

for p in okta-k8s.1 okta-k8s.yaml.5; do
	mandoc -T lint -W warning "$M/$p" >"$T/lint" 2>&1
	is "$?:$(cat "$T/lint")" "0:" "mandoc -T lint: no warning in $p"
done

# Coverage, and that the check sees what is missing.
# cover PAGE1 PAGE5 WANT WHAT: the check's status and findings on these
# pages ("|" after each) are WANT.
cover() {
	$COVER "$1" "$2" >"$T/missing"
	is "$?:$(tr '\n' '|' <"$T/missing")" "$3" "$4"
}
cover "$M/okta-k8s.1" "$M/okta-k8s.yaml.5" "0:" \
	"the pages document every command, option, key, exit code and variable"
grep -v '^\.It Ic ssh\.known_hosts$' "$M/okta-k8s.yaml.5" >"$T/no-key.5"
cover "$M/okta-k8s.1" "$T/no-key.5" "1:config key ssh.known_hosts|" \
	"a config key taken out of okta-k8s.yaml.5 is found missing"
sed '/^\.It Cm status$/d' "$M/okta-k8s.1" >"$T/no-cmd.1"
cover "$T/no-cmd.1" "$M/okta-k8s.yaml.5" "1:command status|" \
	"a command taken out of okta-k8s.1 is found missing"
sed 's/^\.It Fl -parallel Ar n$/.It Ar n/; s/^\.It Fl -ca-file Ar file$/.It Ar file/' \
	"$M/okta-k8s.1" >"$T/no-opt.1"
cover "$T/no-opt.1" "$M/okta-k8s.yaml.5" \
	"1:global option --parallel|option --ca-file of verify|option --ca-file of kubeconfig|" \
	"a global option and a command's option taken out are found missing"
sed '/^\.It Ev OKTA_PASSWORD$/d; s/^\.It 4$/.It four/' "$M/okta-k8s.1" >"$T/no-env.1"
cover "$T/no-env.1" "$M/okta-k8s.yaml.5" \
	"1:exit code 4 (EXIT_NEEDS_PERSON)|environment variable OKTA_PASSWORD|" \
	"an exit code and a variable taken out are found missing"

# Every struct field table of the config parser (config.c, config_auth.c)
# is listed in config.c's key_tables, for config_keys.
tables=$(sed -n 's/^\(static \)\{0,1\}const struct field \([a-z0-9_]*\)\[\] = {$/\2/p' \
	"$top_srcdir/src/config.c" "$top_srcdir/src/config_auth.c")
n=0 missing=
for t in $tables; do
	grep -Eq "^	\{ \"[^\"]*\", $t \},$" "$top_srcdir/src/config.c" ||
		missing="$missing $t"
	n=$((n + 1))
done
is "$n:${missing:-none}" "$(echo "$tables" | wc -w):none" \
	"every config key table ($n) is listed in config.c's key_tables"
check "the key tables are found ($n, at least 10)" [ "$n" -ge 10 ]

# okta-k8s.yaml.5's example renders to the args file lines it shows.
awk '/^\.Sh EXAMPLES/ { ex = 1 } ex && /^\.Ed/ { b++; on = 0 }
	ex && on { print > (dir "/block" b) } ex && /^\.Bd -literal/ { on = 1 }' \
	dir="$T" b=0 "$M/okta-k8s.yaml.5"
"$OKTA_K8S" -c "$T/block0" render >"$T/render" 2>"$T/err"
is "$?" 0 "the okta-k8s.yaml.5 example is a valid config"
sed -n '2,/^---$/p' "$T/render" | sed '$d' >"$T/lines"
same_file "$T/lines" "$T/block1" "the args file lines okta-k8s.yaml.5 shows are what render prints"

# okta-k8s.1's example command lines parse (each with --help: no node).
sed -n 's/^\(\.Dl \)\{0,1\}[$#] okta-k8s \([^>]*\).*$/\2/p' "$M/okta-k8s.1" >"$T/examples"
bad=
while read -r line; do
	# shellcheck disable=SC2086
	"$OKTA_K8S" $line --help >/dev/null 2>&1 || bad="$bad [$line]"
done <"$T/examples"
is "$(wc -l <"$T/examples" | tr -d ' ')${bad:+ bad:$bad}" 12 \
	"the 12 example command lines of okta-k8s.1 parse"

done_testing
