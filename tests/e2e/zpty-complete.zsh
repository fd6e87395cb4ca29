# zpty-complete.zsh COMPDIR BINDIR OUT TEXT...: type each TEXT (with \t for
# Tab) into an interactive zsh with compinit, in a pseudo-terminal, and
# print the command line zle then holds, one a line.
zmodload zsh/zpty || exit 2
dir=$1 bin=$2 out=$3
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($dir \$fpath); PATH=$bin:\$PATH; autoload -Uz compinit; compinit -u -D"
zpty -w z "dumpbuf() { print -r -- \"\$BUFFER\" >$out.tmp && mv $out.tmp $out; BUFFER=; }; zle -N dumpbuf; bindkey '^X' dumpbuf"
# type TEXT: TEXT, then ^X; prints the command line zle had then.
type() {
  local i=0 line
  rm -f $out
  zpty -w -n z "$1"$'\x18'
  while [[ ! -s $out ]] && (( i++ < 200 )); do
    zpty -rt z line 2>/dev/null || sleep 0.05
  done
  print -r -- "$(<$out)"
}
for t in "$@[4,-1]"; do type "${(g::)t}"; done
zpty -d z
