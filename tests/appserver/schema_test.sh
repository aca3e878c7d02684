#!/usr/bin/env bash
# Every message `codex app-server` writes validates against the real binary's JSON Schema
# (label `conformance`; tests/appserver/schema_check.py, python3-jsonschema):
#   1. every recorded server line of tests/corpus/app-server-0.171.0 passes — this proves the
#      method → schema mapping;
#   2. tests/appserver/data/schema_bad.jsonl (a recorded session with five lines broken: a
#      wrong type, a missing emittedAtMs, a value outside an enum, an unknown method, an answer
#      to no request) fails with exactly those five reports — the check is not blind;
#   3. what our server wrote in test_conformance_appserver and test_e2e_appserver_items (their
#      dump, BUILD_DIR/appserver-dump; both are CTest fixtures of this test) passes. While the fake writes no server line at all (issue
#      12 not there yet), this step is skipped with that message and the test exits 77.
# Usage: schema_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1 src=$2
schema="$src/tests/corpus/app-server-0.171.0/schema"
check() { python3 "$src/tests/appserver/schema_check.py" "$schema" "$@"; }
python3 -c 'import jsonschema' 2>/dev/null || {
  echo "appserver schema: python3-jsonschema is missing (tools/setup installs it)" >&2
  exit 1
}

echo "== the recorded sessions"
check "$src/tests/corpus/app-server-0.171.0" || {
  echo "FAIL: recorded server lines do not validate: the mapping method → schema is wrong" >&2
  exit 1
}

echo "== five broken lines are found"
out=$(check "$src/tests/appserver/data/schema_bad.jsonl" 2>/dev/null)
rc=$?
n=$(printf '%s\n' "$out" | grep -c .)
if [ "$rc" -ne 1 ] || [ "$n" -ne 5 ]; then
  printf '%s\n' "$out"
  echo "FAIL: expected exit 1 and 5 reports, got exit $rc and $n" >&2
  exit 1
fi

echo "== what our server wrote (test_conformance_appserver's dump)"
dump="$build/appserver-dump"
if ! [ -d "$dump" ]; then
  echo "FAIL: no $dump: test_conformance_appserver (this test's fixture) did not run" >&2
  exit 1
fi
lines=$(cat "$dump"/*/transcript.jsonl "$dump"/*/*/transcript.jsonl 2>/dev/null |
  grep -c '"dir":"s2c"')
if [ "$lines" -eq 0 ]; then
  echo "SKIPPED: bin/codex app-server wrote no server line in any session (issue 12: the" \
    "fake app-server is not there yet)" >&2
  exit 77
fi
check "$dump"
