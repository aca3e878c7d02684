#!/usr/bin/env bash
# Records what the real `codex exec --remote …` of 0.171.0 prints with nothing listening at the
# address, one folder per case below: argv (one word a line, after `codex`), env (NAME=value
# lines added to PATH, HOME, CODEX_HOME, CODEX_API_KEY), stdout, stderr (CODEX_HOME written as
# {{CODEX_HOME}}), exit_code. stdin is /dev/null; the cwd is an empty directory (no git).
# Usage: record.sh PATH_TO_REAL_CODEX      (npm install @openai/codex@0.171.0: the musl binary
# is node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex)
# Keep the scratch directory out of /tmp: there the real binary adds a warning line. Cases that
# depend on the machine (DNS, IPv6) are left out: the fake prints the same texts for them.
set -euo pipefail
real=$1
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d "$HOME/remote-record.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home/.codex" "$scratch/work"
"$real" --version | grep -qx 'codex-cli 0.171.0' || { echo "not codex-cli 0.171.0" >&2; exit 1; }

# name | env (space-separated NAME=value, or -) | argv after `codex`
cases='
ws-refused|-|exec --remote ws://127.0.0.1:9/ --skip-git-repo-check hi
ws-refused-json-no-slash|-|exec --json --remote ws://127.0.0.1:9 hi
ws-refused-backtrace|RUST_BACKTRACE=1|exec --remote ws://127.0.0.1:9/ --skip-git-repo-check hi
ws-refused-backtrace-off|RUST_BACKTRACE=1 RUST_LIB_BACKTRACE=0|exec --remote ws://127.0.0.1:9/ hi
wss-refused-token-set|TOKEN=abc|exec --remote wss://127.0.0.1:9/ --remote-auth-token-env TOKEN hi
unix-missing|-|exec --remote unix:///nonexistent/app.sock hi
unix-default|-|exec --remote unix:// hi
no-scheme|-|exec --remote 127.0.0.1:9 hi
no-scheme-backtrace|RUST_BACKTRACE=1|exec --remote 127.0.0.1:9 hi
bad-address|-|exec --remote not-an-address hi
wss-no-port|-|exec --remote wss://127.0.0.1 hi
path-and-query|-|exec --remote ws://127.0.0.1:9/abc?x=1 hi
token-env-unset|RUST_BACKTRACE=1|exec --remote ws://127.0.0.1:9/ --remote-auth-token-env NOPE_UNSET hi
token-env-empty|TOKEN=|exec --remote ws://127.0.0.1:9/ --remote-auth-token-env TOKEN hi
token-env-without-remote|RUST_BACKTRACE=1|exec --remote-auth-token-env NOPE_UNSET hi
resume-last|RUST_BACKTRACE=1|exec resume --remote ws://127.0.0.1:9/ --last hi
resume-uuid-refused|-|exec resume --remote ws://127.0.0.1:9/ 019a0000-0000-7000-8000-000000000000 hi
fork|-|exec fork --remote ws://127.0.0.1:9/ 019a0000-0000-7000-8000-000000000000 hi
review|RUST_BACKTRACE=1|exec review --remote ws://127.0.0.1:9/ --uncommitted
review-bad-address|-|exec review --remote 127.0.0.1:9 --uncommitted
review-token-unset|-|exec review --remote ws://127.0.0.1:9/ --remote-auth-token-env NOPE --uncommitted
no-prompt|-|exec --remote ws://127.0.0.1:9/
missing-value|-|exec --remote
given-twice|-|exec --remote ws://127.0.0.1:9/ --remote ws://127.0.0.1:9/ hi
'
while IFS='|' read -r name envs argv; do
  [ -n "$name" ] || continue
  d="$here/$name"
  rm -rf "$d" && mkdir -p "$d"
  printf '%s\n' $argv > "$d/argv"
  : > "$d/env"
  [ "$envs" = - ] || printf '%s\n' $envs > "$d/env"
  rc=0
  # shellcheck disable=SC2086
  (cd "$scratch/work" && env -i PATH=/usr/bin:/bin HOME="$scratch/home" \
     CODEX_HOME="$scratch/home/.codex" CODEX_API_KEY=dummy $([ "$envs" = - ] || echo $envs) \
     "$real" $argv </dev/null >"$d/stdout" 2>"$d/stderr.raw") || rc=$?
  sed "s#$scratch/home/.codex#{{CODEX_HOME}}#g" "$d/stderr.raw" > "$d/stderr" && rm "$d/stderr.raw"
  echo "$rc" > "$d/exit_code"
  echo "$name: exit $rc" >&2
done <<< "$cases"
