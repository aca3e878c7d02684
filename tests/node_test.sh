#!/usr/bin/env bash
# The Node helper (label `node`): `npm install ./node` into a scratch project under the build
# tree, then vitest runs node/test (the helper and the TypeScript SDK through it) and the README's
# vitest example (examples/vitest, checked to be the README's text); tsc checks the types.
# vitest, typescript, @types/node and @openai/codex-sdk come from npm once, cached in the build
# tree (BUILD_DIR/node-work) until their pinned versions change.
# Usage: node_test.sh BUILD_DIR SOURCE_DIR. Needs node and npm (registry access once).
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
die() { printf '\n*** node test: %s ***\n\n' "$*" >&2; exit 1; }
command -v node >/dev/null || die "node is missing (tools/setup installs nodejs)"
command -v npm >/dev/null || die "npm is missing (tools/setup installs npm)"

"$src/tests/readme_example_check.sh" "$src/README.md" "$src/examples/vitest/readme.test.ts" ts ||
  die "README's vitest example differs from examples/vitest/readme.test.ts"

# vitest 3.2 runs on Node 18, 20 and 22 (vitest 4 wants Node >= 20.19).
deps="vitest@3.2.4 typescript@5.9.3 @types/node@20.17.0 @openai/codex-sdk@${SDK_VERSION:-0.163.0}"
work="$build/node-work"
if [ "$(cat "$work/.deps" 2>/dev/null)" != "$deps" ]; then
  echo "node test: installing $deps into $work" >&2
  rm -rf "$work" && mkdir -p "$work"
  (cd "$work" && npm init -y >/dev/null &&
    npm pkg set type=module >/dev/null &&
    timeout 300 npm install --no-audit --no-fund --loglevel=error --omit=optional $deps >/dev/null) ||
    die "npm install $deps failed"
  # --omit=optional leaves out the SDK's platform binary of the real codex (the tests point
  # codexPathOverride at ours) but also vitest's native rollup and esbuild: those two by name.
  native=$(cd "$work" && node -e '
    const { platform, arch } = process;
    const opt = (p) => require("./node_modules/" + p + "/package.json").optionalDependencies;
    const r = "@rollup/rollup-" + platform + "-" + arch + (platform === "linux" ? "-gnu" : "");
    const e = "@esbuild/" + platform + "-" + arch;
    console.log(r + "@" + opt("rollup")[r], e + "@" + opt("esbuild")[e]);') ||
    die "cannot tell which rollup and esbuild binaries this platform needs"
  (cd "$work" && timeout 300 npm install --no-audit --no-fund --loglevel=error --omit=optional \
    $native >/dev/null) || die "npm install $native failed"
  echo "$deps" >"$work/.deps"
fi
# The helper as a user installs it: a copy (not a symlink), so its package.json "files" and
# "exports" are what is tested (removed first: npm keeps a copy of the same version otherwise).
rm -rf "$work/node_modules/codex-mock"
(cd "$work" && timeout 120 npm install --no-audit --no-fund --loglevel=error --offline \
  --omit=optional --install-links --no-save "$src/node" >/dev/null) || die "npm install ./node failed"
[ -f "$work/node_modules/codex-mock/index.d.ts" ] && [ ! -L "$work/node_modules/codex-mock" ] ||
  die "codex-mock is not installed as a package in $work/node_modules"

rm -rf "$work/test" && mkdir -p "$work/test"
cp "$src/node/test/"*.ts "$src/examples/vitest/readme.test.ts" "$work/test/"
cat >"$work/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
    "noEmit": true, "skipLibCheck": true, "types": ["node"]
  },
  "include": ["test/*.ts"]
}
JSON
echo "== tsc --noEmit"
# (the SDK's own .d.ts names a package it does not install: libraries' .d.ts are skipped there,
# and the helper's is checked on its own)
(cd "$work" && timeout 120 ./node_modules/.bin/tsc -p tsconfig.json &&
  timeout 120 ./node_modules/.bin/tsc --noEmit --strict node_modules/codex-mock/index.d.ts) ||
  die "the types do not check"
echo "== vitest run"
(cd "$work" && CODEX_MOCK_BIN_DIR="$build/bin" timeout 240 ./node_modules/.bin/vitest run \
  --reporter=verbose test/) || die "vitest failed"
echo "node test: ok"
