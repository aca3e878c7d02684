#!/usr/bin/env bash
# The completion scripts `codex-mock completion bash|zsh` writes, run as the shells run them:
# COMP_WORDS/COMP_CWORD (bash) or words/CURRENT (zsh, with compadd/_describe/_files stubbed to
# print what they are given), and the candidates compared with what the grammar allows.
# Usage: completion_test.sh BUILD_DIR        (zsh part skipped, saying so, without zsh)
set -euo pipefail
bin=$(cd "$1/bin" && pwd)
export PATH="$bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
codex-mock completion bash >"$work/c.bash"
bash -n "$work/c.bash"

check() { # NAME GOT WANT
  if [ "$2" != "$3" ]; then
    printf 'completion_test: %s\n  got:  %s\n  want: %s\n' "$1" "$2" "$3" >&2
    fails=$((fails + 1))
  fi
}

b() { # FUNCTION WORD... → the candidates, sorted, one line
  bash -c 'source "$1"; shift; fn=$1; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
           COMPREPLY=(); $fn; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
    _ "$work/c.bash" "$@"
}
C=_codex_mock_complete_codex T=_codex_mock_complete_codex_mock
check "codex ex" "$(b $C codex ex)" "exec exec-server "
check "codex exec --sa" "$(b $C codex exec --sa)" "--sandbox "
check "codex exec --sandbox" "$(b $C codex exec --sandbox '')" \
  "danger-full-access read-only workspace-write "
check "codex -m MODEL exec r (an option's value skipped)" "$(b $C codex -m gpt-5 exec r)" \
  "resume review "
check "codex exec --color" "$(b $C codex exec --color '')" "always auto never "
check "codex login" "$(b $C codex login '')" "status "
check "codex exec --output-schema (files)" \
  "$(cd "$work" && touch schema.json && b $C codex exec --output-schema sch)" "schema.json "
check "codex-mock s" "$(b $T codex-mock s)" "serve show "
check "codex-mock show command-s (names)" "$(b $T codex-mock show command-s)" "command-success "
check "codex-mock show --" "$(b $T codex-mock show --)" "--human --json --seed --turn "
check "codex-mock verify --command" "$(b $T codex-mock verify --command '')" \
  "exec fork resume review "
check "codex-mock completion" "$(b $T codex-mock completion '')" "bash zsh "
# every command of the help is completed
want=$(codex-mock help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort | tr '\n' ' ')
check "codex-mock (every command of --help)" "$(b $T codex-mock '')" "$want"
# every visible option of `codex exec --help` is completed
want=$(codex exec --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE '\-\-?[a-zA-Z-]+' |
  sort | tr '\n' ' ')
check "codex exec - (every option of codex exec --help)" "$(b $C codex exec -)" "$want"

if command -v zsh >/dev/null; then
  codex-mock completion zsh >"$work/c.zsh"
  zsh -n "$work/c.zsh"
  z() {
    zsh -f -c 'compdef() { print -r -- "compdef $*" }
      compadd() { shift; print -r -- "$@" }
      _describe() { local -a v; v=("${(@P)4}"); print -r -- "${v[@]%%:*}" }
      _files() { print -r -- "<files>" }
      source "$1" >/dev/null; shift; fn=$1; shift; words=("$@"); CURRENT=$#; $fn' \
      _ "$work/c.zsh" "$@"
  }
  check "zsh: codex exec --sandbox" "$(z $C codex exec --sandbox '')" \
    "read-only workspace-write danger-full-access"
  check "zsh: codex exec" "$(z $C codex exec '')" "resume fork review"
  check "zsh: codex-mock show (names and files)" \
    "$(z $T codex-mock show x | tr '\n' ' ' | grep -o 'command-success .*<files>' | sed 's/ .* / … /')" \
    "command-success … <files>"
  check "zsh: registered" "$(zsh -f -c 'compdef() { print -r -- "compdef $*" }; source "$1"' _ \
    "$work/c.zsh")" "compdef _codex_mock_dispatch codex-mock codex"
else
  echo "completion_test: zsh is not installed; only bash was checked (tools/setup installs zsh)"
fi
[ "$fails" -eq 0 ] || { echo "completion_test: $fails failed" >&2; exit 1; }
echo "completion_test: ok"
