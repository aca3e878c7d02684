#!/usr/bin/env bash
# End-to-end test of `codex-mock serve` (label e2e): one scenario per failure kind in
# tests/serve/e2e-*.yaml; serve is spawned, curl talks HTTP to it, and what comes back — curl's
# exit code, the status line and headers (Date dropped), the body (created_at zeroed) — must be
# byte for byte tests/serve/expected/NAME.txt. Then the request log, SIGTERM during a stalled
# stream, and a request after the script is used up.
# Usage: serve_e2e_test.sh BUILD_DIR SOURCE_DIR   (SERVE_E2E_WRITE=1 rewrites the expected files)
set -uo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
serve="$build/bin/codex-mock"
data="$src/tests/serve"
root="$build/serve-e2e"
rm -rf "$root" && mkdir -p "$root"
command -v curl >/dev/null || { echo "serve e2e: curl is missing (tools/setup installs it)" >&2; exit 1; }
fails=0
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; }
trap cleanup EXIT

start() { # start NAME SCENARIO
  rm -f "$root/$1.port"
  "$serve" serve "$2" --port-file "$root/$1.port" --log "$root/$1.log" --quiet \
    >"$root/$1.out" 2>"$root/$1.err" &
  pid=$!
  for _ in $(seq 100); do [ -s "$root/$1.port" ] && break; sleep 0.05; done
  [ -s "$root/$1.port" ] || { echo "serve e2e: $1: serve did not start: $(cat "$root/$1.err")" >&2; exit 1; }
  url="http://127.0.0.1:$(cat "$root/$1.port")/v1/responses"
}
stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid"; local rc=$?; pid=""; return $rc; }

# ask NAME: one POST; prints curl's exit code, headers and body, normalised
ask() {
  curl -sS -N --max-time "${MAX_TIME:-5}" -D "$root/$1.hdr" -o "$root/$1.body" -X POST \
    -H 'content-type: application/json' -d '{"model":"gpt-5.5","input":[],"stream":true}' \
    "$url" 2>/dev/null
  local rc=$?
  printf 'curl exit %s\n' "$rc"
  tr -d '\r' <"$root/$1.hdr" | grep -vi '^date:'
  [ ! -f "$root/$1.body" ] || sed -e 's/"created_at":[0-9]*/"created_at":0/g' "$root/$1.body"
}

check() { # check NAME [SED-EXPR]: the answer to one request against expected/NAME.txt
  local name=$1 expr=${2:-s/^//}
  start "$name" "$data/$name.yaml"
  ask "$name" | sed -e "$expr" >"$root/$name.got"
  stop || { echo "serve e2e: $name: serve did not exit 0 on SIGTERM" >&2; fails=$((fails + 1)); }
  if [ -n "${SERVE_E2E_WRITE:-}" ]; then cp "$root/$name.got" "$data/expected/$name.txt"; fi
  if diff -u "$data/expected/$name.txt" "$root/$name.got" >&2; then
    echo "serve e2e: $name ok" >&2
  else
    echo "serve e2e: $name: the answer differs (above: - expected, + got)" >&2
    fails=$((fails + 1))
  fi
}

mkdir -p "$data/expected"
check e2e-401
check e2e-429
check e2e-503
check e2e-usage-limit 's/^retry-after: [0-9]*$/retry-after: N/'
check e2e-failed
check e2e-eof
check e2e-cut     # curl 18: the connection dropped inside the chunked body
MAX_TIME=1 check e2e-stall   # curl 28: headers, then nothing until curl gives up
check e2e-close   # curl 52: no answer at all

# hidden retries: two 500s, then the stream; a fourth request finds the script used up
start e2e-500 "$data/e2e-500.yaml"
{ ask a; ask b; ask c | grep -c '^event: '; ask d; } >"$root/e2e-500.got"
stop
[ -n "${SERVE_E2E_WRITE:-}" ] && cp "$root/e2e-500.got" "$data/expected/e2e-500.txt"
if diff -u "$data/expected/e2e-500.txt" "$root/e2e-500.got" >&2; then echo "serve e2e: e2e-500 ok" >&2
else echo "serve e2e: e2e-500: differs" >&2; fails=$((fails + 1)); fi
# ... and each of the four is in the request log, in order
n=$(grep -c '"method":"POST","path":"/v1/responses"' "$root/e2e-500.log")
[ "$n" = 4 ] || { echo "serve e2e: the log has $n requests, not 4" >&2; fails=$((fails + 1)); }
grep -q '"seq":4,.*"answer":"500 script exhausted"' "$root/e2e-500.log" ||
  { echo "serve e2e: the log does not say the 4th request found the script used up" >&2; fails=$((fails + 1)); }

# SIGTERM while a stream stalls: serve stops at once and exits 0
start term "$data/e2e-stall.yaml"
curl -sS -N --max-time 20 -X POST -d '{}' "$url" >/dev/null 2>&1 &
cpid=$!
sleep 0.3
t0=$(date +%s%N)
stop; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$cpid" 2>/dev/null
if [ "$rc" != 0 ] || [ "$ms" -gt 2000 ]; then
  echo "serve e2e: SIGTERM during a stall: exit $rc after ${ms} ms (want 0 within 2 s)" >&2
  fails=$((fails + 1))
else
  echo "serve e2e: SIGTERM during a stall: exit 0 after ${ms} ms" >&2
fi

# the printed URL and config point at the bound port
start banner "$data/e2e-401.yaml"
port=$(cat "$root/banner.port")
stop
grep -q "^codex-mock serve: listening on http://127.0.0.1:$port/v1 " "$root/banner.out" &&
  grep -q "^base_url = \"http://127.0.0.1:$port/v1\"$" "$root/banner.out" &&
  grep -q -- "-c model_providers.codex_mock.base_url=http://127.0.0.1:$port/v1" "$root/banner.out" ||
  { echo "serve e2e: the banner does not name port $port:" >&2; cat "$root/banner.out" >&2; fails=$((fails + 1)); }

[ "$fails" = 0 ] && echo "serve e2e: all passed" >&2
exit $((fails > 0))
