#!/usr/bin/env bash
# Record the REAL `codex app-server` (label `record`): install @openai/codex@$CODEX_VERSION
# (default 0.171.0) from npm into BUILD_DIR/appserver-real (the cache tests/appserver/real_test.sh
# uses), and record two sessions of it with `codex-mock record`, driven by the app-server
# conformance driver (tests/test_conformance_appserver) with the recorded corpus client and
# tests/appserver/tools/fake_responses_server.py as the model:
#   07_plain_text_turn           a plain turn
#   09_command_untrusted_accept  a command approval, accepted
# The driver runs a wrapper as the server binary (CODEX_MOCK_APPSERVER_BIN) that execs
#   codex-mock record --out RECORDINGS/<session> -- codex app-server
# with CODEX_MOCK_REAL_CODEX naming the npm `codex`.
#
# Checked for each recording:
#  1. the recorder passed every byte through: the server lines the client saw (the driver's
#     CODEX_MOCK_APPSERVER_DUMP) are the recording's s2c lines, in order; the client lines are
#     in it too, c2s and s2c interleaved as they crossed, t_ms never going back; the approval
#     session holds the server request (id 0) and the client's answer;
#  2. normalised as the corpus is ({{RUN}}, {{BASE_URL}}), `codex-mock convert` turns it into a
#     scenario, and the driver replays the recorded client against our fake playing that
#     scenario (CODEX_MOCK_APPSERVER_CORPUS / _SCENARIOS, strict): the same server lines after
#     the driver's normalisation, stderr, exit, and timing within the driver's bounds times
#     CODEX_MOCK_TEST_TIME_SCALE (8 unless set: ±200 ms at least, loose — the real server's own
#     latencies that no scenario key carries, such as its thread/start answer, grow from 35 ms
#     to 150 ms on a loaded machine, and the fake answers in its corpus median).
#
# Usage: record_real_test.sh BUILD_DIR SOURCE_DIR. Needs node/npm/python3 (registry access
# once): missing, it fails loudly, as tests/record_real_test.sh does.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
version=${CODEX_VERSION:-0.171.0}
die() { printf '\n*** appserver record test: %s ***\n\n' "$*" >&2; exit 1; }
say() { printf 'appserver record test: %s\n' "$*" >&2; }
command -v node >/dev/null || die "node is missing (the real CLI is an npm package)"
command -v npm >/dev/null || die "npm is missing (the real CLI is an npm package)"
command -v python3 >/dev/null || die "python3 is missing (the fake model server)"

cache="$build/appserver-real"
bin="$cache/node_modules/.bin/codex"
if ! [ -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "codex-cli $version" ]; then
  say "installing @openai/codex@$version into $cache"
  rm -rf "$cache" && mkdir -p "$cache"
  (cd "$cache" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --loglevel=error "@openai/codex@$version" >/dev/null) ||
    die "npm install @openai/codex@$version failed"
fi
[ "$("$bin" --version)" = "codex-cli $version" ] || die "the installed codex is not $version"

# CODEX_HOME under the system's temp dir makes the real binary print a warning first ("WARNING:
# proceeding, even though we could not create PATH aliases: Refusing to create helper binaries
# under temporary dir …") that the fake does not emulate yet, so a build tree there (a clone in
# /tmp, as .ci/run makes) records and replays in the user's cache directory instead, as
# tests/conform_real_test.sh does.
root="$build/appserver-record-real"
case "$build/" in
  "${TMPDIR:-/tmp}"/* | /tmp/*)
    root="${XDG_CACHE_HOME:-$HOME/.cache}/codex-mock-appserver-record/$(printf '%s' "$build" | cksum | cut -d' ' -f1)"
    say "the build tree is under a temp dir; runs in $root" ;;
esac
rm -rf "$root" && mkdir -p "$root/recordings" "$root/scenarios" "$root/dump" "$root/scratch"
sessions=(07_plain_text_turn 09_command_untrusted_accept)

for s in "${sessions[@]}"; do
  rec="$root/recordings/$s"
  wrap="$root/wrap-$s.sh"
  # the driver gives the server only the recorded environment: the paths are written in here
  cat >"$wrap" <<EOF
#!/bin/sh
dirname "\$PWD" > "$root/$s.run"
CODEX_MOCK_REAL_CODEX="$bin" exec "$build/bin/codex-mock" record --name "$s" --out "$rec" -- codex "\$@"
EOF
  chmod +x "$wrap"
  say "recording $s (the real $version under codex-mock record)"
  # Whether the real binary matches the corpus is real_test.sh's business: here the recording
  # is the ground truth, so the driver's verdict is only shown.
  CODEX_MOCK_APPSERVER_BIN="$wrap" \
    CODEX_MOCK_APPSERVER_MODEL_SERVER="$src/tests/appserver/tools/fake_responses_server.py" \
    CODEX_MOCK_APPSERVER_TIMING=report CODEX_MOCK_APPSERVER_ONLY="$s" \
    CODEX_MOCK_APPSERVER_DUMP="$root/dump" CODEX_MOCK_TEST_TMP="$root/scratch" \
    "$build/tests/test_conformance_appserver" >"$root/$s.record.log" 2>&1 ||
    say "note: the real binary's session differs from the corpus's (see $root/$s.record.log)"
  [ -f "$rec/transcript.jsonl" ] || die "$s: nothing recorded ($root/$s.record.log)"
  [ -s "$root/$s.run" ] || die "$s: the wrapper did not run"
done

say "checking the recordings against what the client saw"
python3 - "$root" "${sessions[@]}" <<'EOF' || die "a recording is not what crossed the pipes"
import json, os, sys
root, sessions = sys.argv[1], sys.argv[2:]
ok = True
def rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]
for s in sessions:
    rec = rows(f"{root}/recordings/{s}/transcript.jsonl")
    seen = rows(f"{root}/dump/{s}/transcript.jsonl")
    got = [r["line"] for r in rec if r["dir"] == "s2c"]
    want = [r["line"] for r in seen if r["dir"] == "s2c"]
    if got != want:
        ok = False
        print(f"{s}: the recording's server lines differ from the client's ({len(got)} vs {len(want)})")
        for i, (a, b) in enumerate(zip(got, want)):
            if a != b:
                print(f"  first at line {i + 1}:\n  recorded: {a[:200]}\n  client:   {b[:200]}")
                break
    c2s = [r["line"] for r in rec if r["dir"] == "c2s"]
    sent = [r["line"] for r in seen if r["dir"] == "c2s"]
    if c2s != sent:
        ok = False
        print(f"{s}: the recording's client lines differ from what the client sent")
    times = [r["t_ms"] for r in rec]
    if times != sorted(times):
        ok = False
        print(f"{s}: t_ms goes back in the transcript")
    if not rec or rec[0]["dir"] != "c2s":
        ok = False
        print(f"{s}: the transcript does not start with the client's initialize")
    stdout = open(f"{root}/recordings/{s}/stdout.txt", encoding="utf-8").read()
    if stdout != "".join(l + "\n" for l in got):
        ok = False
        print(f"{s}: stdout.txt is not the s2c lines")
    if s.startswith("09"):
        if not any('"method":"item/commandExecution/requestApproval","id":0' in l for l in got):
            ok = False
            print(f"{s}: no approval request with id 0 in the recording")
        if not any(l.startswith('{"id":0,"result":{"decision":"accept"') for l in c2s):
            ok = False
            print(f"{s}: no accepting answer from the client in the recording")
    ex = json.load(open(f"{root}/recordings/{s}/exit.json"))
    if ex["returncode"] != 0 or ex["ended_by"] != "exited after stdin EOF":
        ok = False
        print(f"{s}: exit.json says {ex}")
    print(f"{s}: {len(c2s)} client and {len(got)} server lines recorded, as the client saw them")
sys.exit(0 if ok else 1)
EOF

# Normalised as the corpus is, so that the driver can replay it in a scratch folder of its own.
for s in "${sessions[@]}"; do
  run=$(cat "$root/$s.run")
  python3 - "$root/recordings/$s" "$run" <<'EOF'
import os, re, sys
top, run = sys.argv[1], sys.argv[2]
for d, _, files in os.walk(top):
    for name in files:
        p = os.path.join(d, name)
        data = open(p, "rb").read()
        new = data.replace(run.encode(), b"{{RUN}}")
        new = re.sub(rb"http://127\.0\.0\.1:[0-9]+", b"{{BASE_URL}}", new)
        if new != data:
            tmp = p + ".tmp"
            open(tmp, "wb").write(new)
            os.replace(tmp, p)
EOF
  cp "$src/tests/corpus/app-server-$version/$s/scenario.json" "$root/recordings/$s/" 2>/dev/null || true
done

for s in "${sessions[@]}"; do
  say "converting $s"
  "$build/bin/codex-mock" convert "$root/recordings/$s" -o "$root/scenarios/$s.yaml" \
    2>"$root/$s.convert.err" ||
    die "$s: codex-mock convert failed on the app-server recording: $(head -c 2000 "$root/$s.convert.err")"
done

say "replaying each converted scenario with the fake under the recorded client"
CODEX_MOCK_APPSERVER_CORPUS="$root/recordings" CODEX_MOCK_APPSERVER_SCENARIOS="$root/scenarios" \
  CODEX_MOCK_APPSERVER_ONLY="$(IFS=,; echo "${sessions[*]}")" CODEX_MOCK_CONFORMANCE_STRICT=1 \
  CODEX_MOCK_TEST_TIME_SCALE="${CODEX_MOCK_TEST_TIME_SCALE:-8}" CODEX_MOCK_TEST_TMP="$root/scratch" \
  "$build/tests/test_conformance_appserver" ||
  die "a converted recording of the real app-server does not replay identically (see above)"
say "both recordings of the real app-server convert and replay identically"
