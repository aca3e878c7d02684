#!/usr/bin/env bash
# The real TypeScript SDK against the fake `codex` (label `sdk`): installs
# @openai/codex-sdk@$SDK_VERSION from npm into a cache under the build tree (its platform binary,
# an optional dependency, is left out: the tests point codexPathOverride at BUILD_DIR/bin/codex),
# then runs tests/sdk/sdk.test.mjs with node's test runner.
# Usage: sdk_test.sh BUILD_DIR SOURCE_DIR
# Needs node and npm (registry access once); a failed install fails loudly.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
version=${SDK_VERSION:-0.163.0}

die() { printf '\n*** sdk test: %s ***\n\n' "$*" >&2; exit 1; }
command -v node >/dev/null || die "node is missing (tools/setup installs nodejs)"
command -v npm >/dev/null || die "npm is missing (tools/setup installs npm)"

cache="$build/sdk-cache"
entry="$cache/node_modules/@openai/codex-sdk/dist/index.js"
installed=$(node -p "require('$cache/node_modules/@openai/codex-sdk/package.json').version" \
  2>/dev/null || true)
if [ "$installed" != "$version" ] || ! [ -f "$entry" ]; then
  echo "sdk test: installing @openai/codex-sdk@$version into $cache" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  (cd "$cache" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --loglevel=error --omit=optional \
      "@openai/codex-sdk@$version" >/dev/null) ||
    die "npm install @openai/codex-sdk@$version failed"
fi
[ -f "$entry" ] || die "the SDK is not where it should be: $entry"

work="$build/sdk-work"
rm -rf "$work" && mkdir -p "$work"
CODEX_BIN="$build/bin/codex" SDK_ENTRY="$entry" WORK_DIR="$work" \
  node --test --test-reporter=spec "$src/tests/sdk/sdk.test.mjs"
