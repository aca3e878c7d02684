#!/usr/bin/env bash
# The pytest plugin (label `python`): `pip install` of python/ into a scratch venv (Debian's
# pytest, setuptools and pip: --system-site-packages, --no-build-isolation, no index), then
# python/tests and the README's example (examples/pytest, checked to be the README's text)
# with the fixture against BUILD_DIR/bin, once plainly and once under `pytest -n 4`.
# Usage: python_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
die() { printf '\n*** python test: %s ***\n\n' "$*" >&2; exit 1; }
# Debian's packages are for Debian's interpreter (not a pyenv shim that may come first on PATH).
py=${CODEX_MOCK_PYTHON:-/usr/bin/python3}
[ -x "$py" ] || die "$py is missing (tools/setup installs python3)"
"$py" -c 'import pytest' 2>/dev/null || die "pytest is missing for $py (tools/setup installs python3-pytest)"
"$py" -c 'import venv, ensurepip' 2>/dev/null || die "venv is missing for $py (tools/setup installs python3-venv)"

"$src/tests/readme_example_check.sh" "$src/README.md" "$src/examples/pytest/test_readme_example.py" python ||
  die "README's pytest example differs from examples/pytest/test_readme_example.py"

work="$build/python-work"
rm -rf "$work" && mkdir -p "$work"
# pip builds in the source directory: give it a copy, so python/ stays clean
cp -r "$src/python" "$work/src"
timeout 120 "$py" -m venv --system-site-packages "$work/venv" || die "venv failed"
timeout 180 "$work/venv/bin/python" -m pip install --quiet --no-index --no-build-isolation \
  --disable-pip-version-check "$work/src" || die "pip install ./python failed"
# the plugin is the installed one, not the source tree
(cd "$work" && "$work/venv/bin/python" -c 'import pytest_codex_mock, sys; print(pytest_codex_mock.__file__)' |
  grep -q "$work/venv/") || die "pytest_codex_mock is not installed in the venv"

cp "$src/python/tests/"*.py "$src/examples/pytest/test_readme_example.py" "$work/"
run() {
  (cd "$work" && PYTHONDONTWRITEBYTECODE=1 timeout 240 "$work/venv/bin/python" -m pytest \
    -p no:cacheprovider --codex-mock-bin "$build/bin" -q "$@" conftest.py test_codex_mock.py \
    test_readme_example.py)
}
echo "== pytest"
run || die "pytest failed"
if "$py" -c 'import xdist' 2>/dev/null; then
  echo "== pytest -n 4"
  run -n 4 || die "pytest -n 4 failed"
else
  echo "python test: pytest-xdist is missing: -n 4 not run (tools/setup installs python3-pytest-xdist)"
fi
echo "python test: ok"
