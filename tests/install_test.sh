#!/usr/bin/env bash
# `cmake --install` puts both programs and the scenario library under a prefix, and the
# installed `codex` finds its built-in scenarios there (relative to its own location).
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/codex bin/codex-mock share/codex-mock/scenarios/default.yaml \
         share/codex-mock/scenario.schema.json; do
  [ -e "$prefix/$f" ] || { echo "install_test: missing $f"; exit 1; }
done
# Move the tree: lookup is relative to the binary, not to the build.
mv "$prefix" "$prefix.moved"; prefix="$prefix.moved"; trap 'rm -rf "$prefix"' EXIT
"$prefix/bin/codex-mock" list | grep '^default ' >/dev/null || { echo "install_test: list lacks default"; exit 1; }
# (its session file goes to a CODEX_HOME inside the prefix, not to the user's ~/.codex)
mkdir "$prefix/codex-home"
out=$(cd "$prefix" && CODEX_HOME="$prefix/codex-home" CODEX_MOCK_SPEED=0 CODEX_MOCK_SCENARIO=default "$prefix/bin/codex" exec --json --skip-git-repo-check hi </dev/null 2>/dev/null)
echo "$out" | tail -1 | grep -q '"type":"turn.completed"' || { echo "install_test: no turn.completed"; exit 1; }
echo "install_test: ok"
