#!/bin/sh
# The golden-case driver can fail: a changed byte, a wrong exit, and a scenario without a case
# are each reported (exit 1) with what differs; --update puts the bytes back; an app-server-only
# scenario passes only through a played_by case naming a test that plays it.
#   tests/golden_cases_selfcheck.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1 src=$2
drv=$build/tests/golden_cases
tmp=$(mktemp -d /tmp/codex-mock-golden-selfcheck-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/cases" "$tmp/scenarios"
cp -R "$src/tests/cases/plain-message" "$src/tests/cases/killed-by-signal" "$tmp/cases/"
cp "$src/scenarios/plain-message.yaml" "$src/scenarios/killed-by-signal.yaml" "$tmp/scenarios/"
fail() { echo "golden_cases_selfcheck: $*" >&2; exit 1; }
run() { "$drv" --cases "$tmp/cases" --scenarios "$tmp/scenarios" "$@" >"$tmp/out" 2>&1; }

run || fail "the untouched copies do not pass: $(cat "$tmp/out")"

# one byte of stdout changed: exit 1, the offset, both sides escaped
sed -i 's/"text":"/"text":"X/' "$tmp/cases/plain-message/stdout"
if run; then fail "a changed stdout byte passed"; fi
grep -q '^plain-message/stdout: differs at byte 179 (line 3, column 79)$' "$tmp/out" ||
  fail "no byte diff for stdout: $(cat "$tmp/out")"
grep -q '^FAIL plain-message$' "$tmp/out" || fail "no FAIL line: $(cat "$tmp/out")"

# a wrong exit (a signal death recorded as an exit code)
echo 0 >"$tmp/cases/killed-by-signal/exit"
if run killed-by-signal; then fail "a wrong exit passed"; fi
grep -q '^killed-by-signal/exit: differs at byte 0' "$tmp/out" || fail "no exit diff: $(cat "$tmp/out")"

# --update writes the bytes back; then everything passes again
run --update || fail "--update failed: $(cat "$tmp/out")"
grep -q '^UPDATED plain-message stdout$' "$tmp/out" || fail "no UPDATED line: $(cat "$tmp/out")"
cmp -s "$tmp/cases/plain-message/stdout" "$src/tests/cases/plain-message/stdout" ||
  fail "--update did not restore plain-message/stdout"
cmp -s "$tmp/cases/killed-by-signal/exit" "$src/tests/cases/killed-by-signal/exit" ||
  fail "--update did not restore killed-by-signal/exit"
run || fail "after --update: $(cat "$tmp/out")"

# a scenario without a case fails; --update writes a skeleton for it
cp "$src/scenarios/default.yaml" "$tmp/scenarios/brand-new.yaml"
if run; then fail "a scenario without a case passed"; fi
grep -q '^FAIL brand-new: scenarios/brand-new.yaml has no case' "$tmp/out" ||
  fail "no missing-case message: $(cat "$tmp/out")"
run --update || fail "--update with a new scenario failed: $(cat "$tmp/out")"
for f in argv env stdin stdout stderr exit; do
  [ -f "$tmp/cases/brand-new/$f" ] || fail "the skeleton has no $f"
done
grep -qx 'CODEX_MOCK_SCENARIO=brand-new' "$tmp/cases/brand-new/env" || fail "skeleton env"
run || fail "after the skeleton: $(cat "$tmp/out")"
# an app-server-only scenario: its case names the e2e test that plays it (played_by)
cp "$src/scenarios/appserver-exit-at-turn-start.yaml" "$tmp/scenarios/"
if run; then fail "an app-server scenario without a case passed"; fi
grep -q '^FAIL appserver-exit-at-turn-start: app-server only; it needs' "$tmp/out" ||
  fail "no missing played_by message: $(cat "$tmp/out")"
cp -R "$src/tests/cases/appserver-exit-at-turn-start" "$tmp/cases/"
run || fail "the played_by case does not pass: $(cat "$tmp/out")"
grep -q '^ok   appserver-exit-at-turn-start (app-server only: played by tests/test_e2e_appserver_faults.c)$' \
  "$tmp/out" || fail "no ok line for the played_by case: $(cat "$tmp/out")"
echo test_e2e_toolbox.c >"$tmp/cases/appserver-exit-at-turn-start/played_by"
if run; then fail "a played_by test that does not play the scenario passed"; fi
grep -q '^FAIL appserver-exit-at-turn-start: tests/test_e2e_toolbox.c does not play it' "$tmp/out" ||
  fail "no wrong-test message: $(cat "$tmp/out")"
echo test_e2e_appserver_faults.c >"$tmp/cases/appserver-exit-at-turn-start/played_by"
sed -i '/^faces:/d' "$tmp/scenarios/appserver-exit-at-turn-start.yaml"
if run; then fail "a played_by case of an exec scenario passed"; fi
grep -q "^FAIL appserver-exit-at-turn-start: a played_by case is for app-server-only" "$tmp/out" ||
  fail "no exec-scenario message: $(cat "$tmp/out")"
echo "golden_cases_selfcheck: ok"
