#!/usr/bin/env bash
# `cmake --install` puts the toolbox in bin/, the fake `codex` in lib/codex-mock/bin (off the
# default PATH), the scenario library, man pages and completion under share/; the installed
# programs find the library and each other relative to their own location, wherever the tree
# is moved.
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "install_test: $*"; exit 1; }
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/codex-mock lib/codex-mock/bin/codex share/codex-mock/scenarios/default.yaml \
         share/codex-mock/scenario.schema.json share/man/man1/codex-mock.1 \
         share/man/man5/codex-mock-scenario.5 share/bash-completion/completions/codex-mock \
         share/zsh/vendor-completions/_codex-mock share/doc/codex-mock/README.md \
         share/doc/codex-mock/docs/format.md; do
  [ -e "$prefix/$f" ] || fail "missing $f"
done
[ ! -e "$prefix/bin/codex" ] || fail "bin/codex installed: it would shadow a real codex on PATH"
# the generated man pages are well-formed roff (groff is there with man-db)
if command -v groff >/dev/null; then
  for page in share/man/man1/codex-mock.1 share/man/man5/codex-mock-scenario.5; do
    msgs=$(groff -man -z -ww -Wbreak "$prefix/$page" 2>&1) || fail "groff failed on $page"
    [ -z "$msgs" ] || fail "groff warns about $page: $msgs"
  done
fi
grep -q '^\.SH "USE IT FROM YOUR TESTS"$' "$prefix/share/man/man1/codex-mock.1" ||
  fail "codex-mock.1 lacks the README's 'Use it from your tests'"
grep -q '^\.SH "STEPS"$' "$prefix/share/man/man5/codex-mock-scenario.5" ||
  fail "codex-mock-scenario.5 lacks docs/format.md's 'Steps'"
# Move the tree: lookup is relative to the binary, not to the build.
mv "$prefix" "$prefix.moved"; prefix="$prefix.moved"; trap 'rm -rf "$prefix"' EXIT
"$prefix/bin/codex-mock" list | grep '^default ' >/dev/null || fail "list lacks default"
"$prefix/bin/codex-mock" show command-success >/dev/null || fail "show by name failed"
env_line=$("$prefix/bin/codex-mock" env)
[ "$env_line" = "export PATH=$prefix/lib/codex-mock/bin:\$PATH" ] || fail "env printed: $env_line"
# (its session file goes to a CODEX_HOME inside the prefix, not to the user's ~/.codex)
mkdir "$prefix/codex-home"
# the fake in lib/codex-mock/bin finds share/codex-mock/scenarios: a built-in name other than
# the compiled-in default
out=$(cd "$prefix" && eval "$env_line" && CODEX_HOME="$prefix/codex-home" CODEX_MOCK_SPEED=0 \
  CODEX_MOCK_SCENARIO=command-success codex exec --json --skip-git-repo-check hi </dev/null 2>&1)
echo "$out" | grep -q '"type":"command_execution"' || fail "no command_execution: $out"
echo "$out" | tail -1 | grep -q '"type":"turn.completed"' || fail "no turn.completed: $out"
echo "install_test: ok"
