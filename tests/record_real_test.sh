#!/usr/bin/env bash
# Record the REAL Codex CLI (label `record`): install @openai/codex@0.171.0 from npm into a
# cache under the build tree, drive it with `codex-mock serve` (the built-in scenarios
# plain-message, command-success, http-401-unauthorized and stream-cut-retries-exhausted as the
# model), record each run with `codex-mock record`, then let the conformance suite convert and
# replay every recording (strict): same bytes, exit code and timing.
# Usage: record_real_test.sh BUILD_DIR
# Needs node/npm (registry access once): missing, it fails loudly.
set -euo pipefail
build=$(cd "$1" && pwd)
version=0.171.0

die() { printf '\n*** record test: %s ***\n\n' "$*" >&2; exit 1; }
command -v npm >/dev/null || die "npm is missing: install node and npm (the real CLI is an npm package)"

# Keep CODEX_HOME and the cwd out of /tmp (tools/README.md): the build tree it is.
root="$build/record-real"
cache="$build/real-codex-$version"
codex="$cache/node_modules/.bin/codex"
if ! [ -x "$codex" ] || [ "$("$codex" --version 2>/dev/null)" != "codex-cli $version" ]; then
  echo "record test: installing @openai/codex@$version into $cache" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  (cd "$cache" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error \
     "@openai/codex@$version" >/dev/null) || die "npm install @openai/codex@$version failed"
fi
[ "$("$codex" --version)" = "codex-cli $version" ] || die "the installed codex is not $version"

rm -rf "$root" && mkdir -p "$root/recordings"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT

# record NAME SCENARIO PROMPT [extra codex args]
record() {
  local name=$1 scenario=$2 prompt=$3; shift 3
  local run="$root/$name"
  mkdir -p "$run/work" "$run/codex_home" "$run/home"
  printf '# demo\n' > "$run/work/README.md"
  # the model server: the scenario's answers; it writes codex's config.toml itself
  "$build/bin/codex-mock" serve "$scenario" --port-file "$run/port" \
    --config "$run/codex_home/config.toml" --log "$run/requests.jsonl" --max-seconds 120 \
    >"$run/server.out" 2>"$run/server.err" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$run/port" ] && break; sleep 0.05; done
  [ -s "$run/port" ] || die "codex-mock serve did not start: $(cat "$run/server.err")"
  local rc=0
  (cd "$run/work" && env -i PATH="$(dirname "$codex"):/usr/bin:/bin" HOME="$run/home" \
     USER="${USER:-root}" LANG=C.UTF-8 CODEX_HOME="$run/codex_home" \
     CODEX_API_KEY=dummy-key-for-fake-server \
     "$build/bin/codex-mock" record --name "$name" --out "$root/recordings/$name" -- \
     codex exec --json --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox "$@" \
     "$prompt" </dev/null >"$run/stdout" 2>"$run/stderr") || rc=$?
  kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""
  [ -f "$root/recordings/$name/argv.json" ] || die "$name: nothing recorded (exit $rc)"
  echo "record test: recorded $name (exit $rc, $(wc -l < "$root/recordings/$name/stdout.jsonl") stdout lines)" >&2
  cmp -s "$run/stdout" "$root/recordings/$name/stdout.jsonl" ||
    echo "record test: note: $name stdout passed through differs from the (scrubbed) recording" >&2
}

record plain-message plain-message "Say hello in one short sentence."
record command command-success "Show me what is in this directory."
record http-401 http-401-unauthorized "Say hello."
record reconnect-loop stream-cut-retries-exhausted "Say hello." \
  -c model_providers.codex_mock.stream_max_retries=3

# Every recording must have its rollout (the session file written during the run).
for d in plain-message command; do
  ls "$root/recordings/$d/rollout/"rollout-*.jsonl >/dev/null 2>&1 || die "$d: no rollout collected"
done

echo "record test: converting and replaying every recording" >&2
CODEX_MOCK_CONFORMANCE_DIR="$root/recordings" CODEX_MOCK_CONFORMANCE_STRICT=1 \
  CODEX_MOCK_TEST_TMP="$root" "$build/tests/test_conformance_all" ||
  die "a recording of the real CLI does not replay identically (see above)"
echo "record test: all recordings of the real CLI replay identically" >&2
