#!/usr/bin/env bash
# The README shows an example verbatim: README_FILE has a fenced block (```LANG) whose text is
# exactly EXAMPLE_FILE's. Usage: readme_example_check.sh README_FILE EXAMPLE_FILE LANG
set -euo pipefail
readme=$1 example=$2 lang=$3
blocks=$(awk -v lang="$lang" '
  $0 == "```" lang { on = 1; n++; next }
  on && $0 == "```" { on = 0; next }
  on { print n "\t" $0 }' "$readme")
for n in $(printf '%s\n' "$blocks" | cut -f1 | sort -u); do
  if [ "$(printf '%s\n' "$blocks" | awk -F'\t' -v n="$n" '$1 == n' | cut -f2-)" = "$(cat "$example")" ]; then
    exit 0
  fi
done
echo "readme_example_check: no \`\`\`$lang block in $readme is the text of $example" >&2
exit 1
