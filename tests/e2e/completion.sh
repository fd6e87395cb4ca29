#!/bin/sh
# Shell completion: the bash script, sourced and called as bash calls it
# (COMP_WORDS, COMP_CWORD, then COMPREPLY), and as bash-completion loads it
# on demand; the zsh script, parsed and driven in a real interactive zsh
# (compinit, Tab in a pseudo-terminal). Node names come from the config
# through `okta-k8s __complete nodes`, which never reaches a node.
. "$(dirname "$0")/lib.sh"

command -v bash >/dev/null || skip "needs bash"
command -v zsh >/dev/null || skip "needs zsh"
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3"
C=$top_srcdir/completions
cd "$T" || exit 1

# A node that must never be reached: a listener that counts connections.
/usr/bin/python3 "$top_srcdir/tests/e2e/listen-count.py" "$T/ready" "$T/count" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null; cleanup' EXIT
PORT=$(wait_ready "$T/ready" $LISTENER) || {
	echo "Bail out! the listener did not start"
	exit 1
}
cat >cfg.yaml <<YAML
oidc:
  issuer_url: https://issuer.example.com
  client_id: abc
ssh:
  connect_timeout: 5
  host_key_checking: accept-new
nodes:
  - name: pi-1
    host: 127.0.0.1
    port: $PORT
  - name: pi-2
    host: 127.0.0.1
    port: $PORT
  - name: worker-9
    host: 127.0.0.1
    port: $PORT
YAML

# comp WORD...: COMPREPLY, space separated, for the words typed so far (the
# last one is the word being completed), from the bash script.
comp() {
	bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=(); _okta_k8s; echo "${COMPREPLY[*]}"' \
		comp "$C/bash/okta-k8s" "$OKTA_K8S" "$@" 2>"$T/comp.err"
}

check "bash: the script parses" bash -n "$C/bash/okta-k8s"
is "$(comp se)" "setup" "bash: a command from its first letters"
is "$(comp "")" "$("$OKTA_K8S" __complete commands | tr '\n' ' ')help" \
	"bash: every command of the table, and help"
check "bash: ... setup and kubeconfig among them" \
	sh -c 'case " $1 " in *" setup "*" kubeconfig "*) ;; *) exit 1 ;; esac' \
	sh "$(comp "")"
is "$(comp help kubec)" "kubeconfig" "bash: help COMMAND"
is "$(comp setup --d)" "--dry-run" "bash: a command's own option"
is "$(comp kubeconfig --ca)" "--ca-file" "bash: kubeconfig's --ca-file"
is "$(comp status --no)" "--node --no-color" "bash: global options after the command"
is "$(comp --out)" "--output" "bash: a global option before the command"
is "$(comp -o "")" "text json" "bash: -o offers text and json"
is "$(comp --output = j)" "json" "bash: --output=j gives json"
for v in $(comp -o ""); do
	"$OKTA_K8S" -o "$v" render --help >/dev/null 2>&1
	is "$?" 0 "bash: the offered value '$v' is one okta-k8s accepts"
done
: >cfg.txt
is "$(comp -c "$T/cfg.y")" "$T/cfg.yaml" "bash: -c completes file names"
is "$(comp --config = "$T/cfg.y")" "$T/cfg.yaml" "bash: --config=FILE too"
is "$(comp verify --ca-file "$T/cfg.t")" "$T/cfg.txt" "bash: --ca-file completes file names"
is "$(comp -c "$T/cfg.yaml" status --node "")" "pi-1 pi-2 worker-9" \
	"bash: --node offers the config's node names"
is "$(comp --config = "$T/cfg.yaml" --node w)" "worker-9" \
	"bash: ... from --config=FILE, by prefix"
is "$(OKTA_K8S_CONFIG=$T/cfg.yaml comp status --node pi)" "pi-1 pi-2" \
	"bash: ... from \$OKTA_K8S_CONFIG"
is "$(comp --node pi-1 "")" "$(comp "")" "bash: the value of --node is not taken for a command"
is "$(comp verify --token "")" "" "bash: nothing offered for a token"
is "$(comp --node "")|$(cat "$T/comp.err")" "|" \
	"bash: no config: no node names, and nothing printed"

# bash-completion finds the installed file by the command's name.
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ]; then
	mkdir -p share/bash-completion/completions
	cp "$C/bash/okta-k8s" share/bash-completion/completions/okta-k8s
	XDG_DATA_DIRS=$T/share bash -c '. "$1" 2>/dev/null
		__load_completion okta-k8s; complete -p okta-k8s' \
		sh "$BC" >"$T/loaded" 2>&1
	is "$(cat "$T/loaded")" "complete -F _okta_k8s okta-k8s" \
		"bash-completion loads completions/okta-k8s on demand"
else
	skip_check "needs bash-completion"
fi

# zsh: parsed, then typed into a real interactive zsh with compinit.
check "zsh: the script parses (zsh -n)" zsh -n "$C/zsh/_okta-k8s"
mkdir -p bin
ln -s "$OKTA_K8S" bin/okta-k8s
zsh -f "$top_srcdir/tests/e2e/zpty-complete.zsh" "$C/zsh" "$T/bin" "$T/zle" \
	'okta-k8s rollb\t' \
	'okta-k8s help kubec\t' \
	'okta-k8s setup --dr\t' \
	'okta-k8s --outp\t' \
	'okta-k8s -o j\t' \
	'okta-k8s -c cfg.y\t' \
	'okta-k8s -c cfg.yaml status --node w\t' \
	'okta-k8s --config=cfg.yaml --node wo\t' >"$T/zsh.out" 2>&1
cat >"$T/zsh.want" <<'WANT'
okta-k8s rollback 
okta-k8s help kubeconfig 
okta-k8s setup --dry-run 
okta-k8s --output 
okta-k8s -o json 
okta-k8s -c cfg.yaml 
okta-k8s -c cfg.yaml status --node worker-9 
okta-k8s --config=cfg.yaml --node worker-9 
WANT
same_file "$T/zsh.out" "$T/zsh.want" \
	"zsh: Tab completes commands, options, -o values, files and node names"

# __complete nodes reads the config and reaches no node; status, asked
# the same, does reach the listener (so the listener would see one).
"$OKTA_K8S" -c cfg.yaml __complete nodes >"$T/out" 2>"$T/err"
is "$?:$(tr '\n' ' ' <"$T/out")|$(cat "$T/err")" "0:pi-1 pi-2 worker-9 |" \
	"__complete nodes prints the names only"
is "$(cat "$T/count")" 0 "__complete nodes and every completion above reached no node"
"$OKTA_K8S" -c cfg.yaml --node pi-1 status >/dev/null 2>&1
is "$(cat "$T/count")" 1 "status on the same config does reach the node (the listener counts it)"

done_testing
