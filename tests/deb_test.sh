#!/usr/bin/env bash
# The Debian package (label `deb`): `cpack -G DEB` in the build tree, `apt-get install` of the
# .deb on this machine, the installed programs used as a user would (codex-mock list, the fake
# through `codex-mock env`, man pages, completion), then `apt-get remove` and nothing left.
# Usage: deb_test.sh BUILD_DIR. Needs root (skips, saying so, without) and dpkg-dev.
set -euo pipefail
build=$(cd "$1" && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "deb_test: SKIPPED: installing a .deb needs root (run as root, or in CI)"
  exit 0
fi
fail() { echo "deb_test: $*" >&2; exit 1; }
if grep -q '^CODEX_MOCK_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "deb_test: SKIPPED: a sanitizer build is not packaged (the plain build's test builds the .deb)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if dpkg -s codex-mock >/dev/null 2>&1; then
  fail "codex-mock is already installed on this machine; remove it first (apt-get remove codex-mock)"
fi
work=$(mktemp -d)
cleanup() {
  dpkg -s codex-mock >/dev/null 2>&1 && apt-get remove -y -qq codex-mock >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

rm -rf "$build/packages"
(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)
deb="$build/packages/codex-mock_${version}_${arch}.deb"
[ -f "$deb" ] || fail "no $deb (cpack wrote: $(ls "$build/packages"))"
dpkg-deb -c "$deb" >"$work/contents"
for f in ./usr/bin/codex-mock ./usr/lib/codex-mock/bin/codex \
         ./usr/share/codex-mock/scenarios/command-success.yaml ./usr/share/man/man1/codex-mock.1 \
         ./usr/share/man/man5/codex-mock-scenario.5 \
         ./usr/share/bash-completion/completions/codex-mock ./usr/share/doc/codex-mock/README.md; do
  grep -q " $f\$" "$work/contents" || fail "$f is not in the package"
done
! grep -q ' ./usr/bin/codex$' "$work/contents" || fail "the package puts codex on the default PATH"

cp "$deb" "$work/"
(cd "$work" && timeout 120 apt-get install -y -qq "./$(basename "$deb")" >"$work/apt.log" 2>&1) ||
  { cat "$work/apt.log"; fail "apt-get install failed"; }
dpkg -s codex-mock | grep -q '^Status: install ok installed' || fail "not installed"

# As a user in a fresh shell: only /usr/bin and the like on PATH.
cd "$work"
userpath=/usr/local/bin:/usr/bin:/bin
[ "$(PATH=$userpath command -v codex-mock)" = /usr/bin/codex-mock ] || fail "codex-mock not on PATH"
[ "$(PATH=$userpath command -v codex || true)" != /usr/lib/codex-mock/bin/codex ] ||
  fail "the fake codex is on the default PATH"
PATH=$userpath codex-mock list >"$work/list" || fail "codex-mock list failed"
grep -q '^command-success ' "$work/list" || fail "codex-mock list lacks command-success"
line=$(PATH=$userpath codex-mock env)
[ "$line" = 'export PATH=/usr/lib/codex-mock/bin:$PATH' ] || fail "codex-mock env printed: $line"
mkdir "$work/home"
out=$(env -i HOME="$work" PATH=$userpath bash -c "$line"'
  command -v codex
  CODEX_HOME="$0" CODEX_MOCK_SPEED=0 CODEX_MOCK_SCENARIO=command-success \
    codex exec --json --skip-git-repo-check "list the files" </dev/null' "$work/home") ||
  fail "the installed fake failed: $out"
echo "$out" | head -1 | grep -qx /usr/lib/codex-mock/bin/codex || fail "codex resolved to: $out"
echo "$out" | grep -q '"type":"command_execution"' || fail "no command_execution: $out"
echo "$out" | tail -1 | grep -q '"type":"turn.completed"' || fail "no turn.completed: $out"
PATH=$userpath codex-mock show command-success >/dev/null || fail "show by name failed"
[ -f /usr/share/man/man1/codex-mock.1 ] && [ -f /usr/share/man/man5/codex-mock-scenario.5 ] ||
  fail "the man pages are not installed"
if command -v man >/dev/null; then
  man -w codex-mock >/dev/null 2>&1 || fail "man codex-mock: no page"
  man -w 5 codex-mock-scenario >/dev/null 2>&1 || fail "man 5 codex-mock-scenario: no page"
fi

(timeout 120 apt-get remove -y -qq codex-mock >"$work/apt.log" 2>&1) ||
  { cat "$work/apt.log"; fail "apt-get remove failed"; }
! dpkg -s codex-mock 2>/dev/null | grep -q '^Status: install ok installed' || fail "still installed"
for f in /usr/bin/codex-mock /usr/lib/codex-mock /usr/share/codex-mock /usr/share/man/man1/codex-mock.1; do
  [ ! -e "$f" ] || fail "$f is left after apt-get remove"
done
echo "deb_test: ok ($(basename "$deb") built, installed, used and removed)"
