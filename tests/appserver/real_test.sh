#!/usr/bin/env bash
# The app-server conformance driver and schema check against the REAL `codex app-server`
# (label `appserver-real`): proves that tests/test_conformance_appserver's replay and
# normalisation give byte-identical server lines for the real binary, so that a difference
# found in our fake is the fake's.
#
# Installs @openai/codex@$CODEX_VERSION (default 0.171.0) from npm into BUILD_DIR/appserver-real
# once, then runs BUILD_DIR/tests/test_conformance_appserver with
#   CODEX_MOCK_APPSERVER_BIN          the npm `codex` (node wrapper + musl binary, as recorded)
#   CODEX_MOCK_APPSERVER_MODEL_SERVER tests/appserver/tools/fake_responses_server.py (a copy of
#                                     shared/tools/), started per process with its script
#   CODEX_MOCK_APPSERVER_HOME         $HOME (the sandbox's pyenv line comes from there)
#   CODEX_MOCK_APPSERVER_TIMING=report  the real start-up varies (130–270 ms idle, seconds on a
#                                     loaded machine): timing misses are printed, not counted
#   CODEX_MOCK_APPSERVER_ONLY         $SESSIONS (default below: the sessions the real binary
#                                     replays identically on a quiet machine)
# and validates what the real server wrote against the corpus's JSON Schema.
#
# Sessions left out of the default, and why (the real binary itself varies there):
#   08_command_approval_never        the sandbox's pyenv warning sometimes comes as an
#                                    outputDelta of its own (one line more)
#   09_command_untrusted_accept      the same: an extra empty-after-normalisation outputDelta
#   11_command_on_request_escalation_accept  under load the escalated command sometimes hangs
#                                    until the 10 s exec timeout: no item/completed
#   26_mcp_tool_call_approval_never  mcpServer/startupStatus/updated races thread/status/changed
#                                    and turn/started (the MCP server starts concurrently)
#
# Usage: real_test.sh BUILD_DIR SOURCE_DIR. Exit 77 (skipped) when node/npm/python3 are missing
# or the install fails (no registry): the message says so.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
version=${CODEX_VERSION:-0.171.0}
skip() { printf '\n*** appserver-real: skipped: %s ***\n\n' "$*" >&2; exit 77; }
command -v node >/dev/null || skip "node is missing"
command -v npm >/dev/null || skip "npm is missing"
command -v python3 >/dev/null || skip "python3 is missing"

cache="$build/appserver-real"
bin="$cache/node_modules/.bin/codex"
if ! [ -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "codex-cli $version" ]; then
  echo "appserver-real: installing @openai/codex@$version into $cache" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  (cd "$cache" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --loglevel=error "@openai/codex@$version" >/dev/null) ||
    skip "npm install @openai/codex@$version failed (no registry?)"
fi

dump="$build/appserver-real-dump"
rm -rf "$dump"
default="01_handshake_then_eof,02_request_before_initialize,03_initialize_twice"
default+=",04_unknown_method_and_bad_params,05_malformed_lines,06_invalid_utf8_on_stdin"
default+=",07_plain_text_turn,13_file_change_approval_accept,14_two_turns_one_thread"
default+=",15_thread_resume_new_process,17_turn_interrupt,18_http_401_unauthorized"
default+=",20_http_500_then_success,22_context_window_exceeded,23_model_list"
default+=",24_thread_list_after_two_threads,28_sigint_during_turn,29_stdin_eof_during_turn"
default+=",30_initialize_capabilities_opt_out,31_sigterm_idle"
CODEX_MOCK_APPSERVER_BIN="$bin" \
  CODEX_MOCK_APPSERVER_MODEL_SERVER="$src/tests/appserver/tools/fake_responses_server.py" \
  CODEX_MOCK_APPSERVER_HOME="$HOME" CODEX_MOCK_APPSERVER_TIMING=report \
  CODEX_MOCK_APPSERVER_ONLY="${SESSIONS:-$default}" CODEX_MOCK_APPSERVER_DUMP="$dump" \
  "$build/tests/test_conformance_appserver" 2> >(grep -v '^fake-server: ' >&2)
python3 "$src/tests/appserver/schema_check.py" "$src/tests/corpus/app-server-0.171.0/schema" \
  "$dump"
