"""The pytest side: the `codex_mock` fixture, the `codex_scenario` marker, --codex-mock-bin."""

import os

import pytest

from .mock import CodexMock, find_binaries


def pytest_addoption(parser):
    group = parser.getgroup("codex-mock")
    group.addoption("--codex-mock-bin", metavar="DIR", default=None,
                    help="directory of codex-mock's fake `codex` (e.g. build/bin); default: "
                         "CODEX_MOCK_BIN_DIR, codex-mock on PATH, /usr/lib/codex-mock/bin")
    parser.addini("codex_mock_bin", "directory of codex-mock's fake `codex`", default=None)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "codex_scenario(name_or_list): the scenario (a list: a sequence) codex plays "
                   "in this test (codex_mock fixture)")


@pytest.fixture(scope="session")
def codex_mock_binaries(pytestconfig):
    """(fake codex directory, codex-mock) for the session."""
    d = (pytestconfig.getoption("codex_mock_bin") or pytestconfig.getini("codex_mock_bin")
         or os.environ.get("CODEX_MOCK_BIN_DIR"))
    if d and not os.path.isabs(d):
        d = os.path.join(str(pytestconfig.invocation_params.dir), d)
    try:
        return find_binaries(d)
    except LookupError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture
def codex_mock(request, tmp_path, monkeypatch, codex_mock_binaries):
    """This test's codex-mock: its own CODEX_HOME and state directory, the fake `codex` first
    on PATH, speed 0; see CodexMock."""

    def setenv(name, value):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    root = tmp_path / "codex-mock"
    root.mkdir()
    mock = CodexMock(root, *codex_mock_binaries, setenv=setenv)
    marker = request.node.get_closest_marker("codex_scenario")
    if marker is not None:
        if len(marker.args) != 1:
            pytest.fail("codex_scenario takes one scenario or one list", pytrace=False)
        what = marker.args[0]
        if isinstance(what, (list, tuple)):
            mock.sequence(what, **marker.kwargs)
        else:
            mock.use(what)
    return mock
