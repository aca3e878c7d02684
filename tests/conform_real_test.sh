#!/usr/bin/env bash
# `codex-mock conform` against the REAL Codex CLI (label `conform`): install
# @openai/codex@0.171.0 from npm into a cache under the build tree, then
#  1. conform over the whole built-in library must pass, in JSON mode and in human mode
#     (skipped scenarios are listed);
#  2. one built-in scenario with one byte of its expected output changed (the command output,
#     which the real CLI computes itself) must fail, with a diff naming that line and byte.
# Usage: conform_real_test.sh BUILD_DIR SOURCE_DIR
# Needs node/npm (registry access once) and git: missing ones fail loudly.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
version=0.171.0

die() { printf '\n*** conform test: %s ***\n\n' "$*" >&2; exit 1; }
command -v npm >/dev/null || die "npm is missing: install node and npm (the real CLI is an npm package)"
command -v git >/dev/null || die "git is missing (conform runs in git work dirs)"

# Keep CODEX_HOME and the work dirs out of /tmp (the real binary warns there): the build tree.
cache="$build/real-codex-$version"
codex="$cache/node_modules/.bin/codex"
if ! [ -x "$codex" ] || [ "$("$codex" --version 2>/dev/null)" != "codex-cli $version" ]; then
  echo "conform test: installing @openai/codex@$version into $cache" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  (cd "$cache" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error \
     "@openai/codex@$version" >/dev/null) || die "npm install @openai/codex@$version failed"
fi
[ "$("$codex" --version)" = "codex-cli $version" ] || die "the installed codex is not $version"

# CODEX_HOME under the system's temp dir makes the real binary print a warning the fake does not
# emulate ("Refusing to create helper binaries under temporary dir"), so a build tree there (a
# clone in /tmp, as .ci/run makes) runs conform from the user's cache directory instead.
root="$build/conform-real"
case "$build/" in
  "${TMPDIR:-/tmp}"/* | /tmp/*)
    root="${XDG_CACHE_HOME:-$HOME/.cache}/codex-mock-conform/$(printf '%s' "$build" | cksum | cut -d' ' -f1)"
    echo "conform test: the build tree is under a temp dir; runs in $root" >&2 ;;
esac
rm -rf "$root" && mkdir -p "$root"

# 1. the built-in library. The gaps between lines get 2 s of slack here, not the default 1 s:
# CI machines are shared, and a loaded one delays the real CLI's lines by a second at times.
# JSON and human mode run at the same time (each mostly waits on the scenarios' pacing and the
# real CLI's start-up; one after the other they took five minutes).
"$build/bin/codex-mock" conform --real "$codex" --dir "$root/library" ${CONFORM_ARGS:---slack 2000} \
  >"$root/library.txt" &
json_pid=$!
"$build/bin/codex-mock" conform --human --real "$codex" --dir "$root/library-human" \
  ${CONFORM_ARGS:---slack 2000} >"$root/library-human.txt" &
human_pid=$!
rc=0 && wait "$json_pid" || rc=$?
hrc=0 && wait "$human_pid" || hrc=$?
cat "$root/library.txt" >&2
[ "$rc" = 0 ] || die "codex-mock conform found differences between the fake and codex $version (exit $rc; above)"
grep -q ' match ' "$root/library.txt" || die "no scenario was played at all"
cat "$root/library-human.txt" >&2
[ "$hrc" = 0 ] || die "conform --human found differences between the fake and codex $version (exit $hrc; above)"

# 2. a changed byte is found, and said readably
mkdir -p "$root/changed"
sed 's/notes\.txt\\n"/notes.txT\\n"/' "$src/scenarios/command-success.yaml" >"$root/changed/command-success.yaml"
cmp -s "$src/scenarios/command-success.yaml" "$root/changed/command-success.yaml" &&
  die "the sed did not change command-success.yaml"
rc=0
"$build/bin/codex-mock" conform --real "$codex" --dir "$root/changed-runs" --no-timing \
  "$root/changed/command-success.yaml" >"$root/changed.txt" || rc=$?
cat "$root/changed.txt" >&2
[ "$rc" = 1 ] || die "a changed byte in command-success's output: conform exited $rc, not 1"
grep -q '^  stdout: line 5 differs at byte ' "$root/changed.txt" ||
  die "the report does not name stdout line 5"
grep -qF 'fake: {"type":"item.completed","item":{"id":"item_1","type":"command_execution"' "$root/changed.txt" ||
  die "the report does not show the fake's line"
grep -qF 'notes.txT' "$root/changed.txt" || die "the report does not show the changed byte"
"$build/bin/codex-mock" conform --real "$codex" --dir "$root/changed-runs" --no-timing --json \
  "$root/changed/command-success.yaml" >"$root/changed.json" || true
grep -q '"result":[[:space:]]*"differ"' "$root/changed.json" || die "--json does not say differ"
grep -q '"ok":[[:space:]]*false' "$root/changed.json" || die "--json does not say ok: false"
echo "conform test: the library conforms to codex $version, and a changed byte is caught" >&2
