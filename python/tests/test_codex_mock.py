"""The codex_mock fixture against the fake `codex exec` (run by tests/python_test.sh, also with
`pytest -n 4`)."""

import json
import os
import shutil
import subprocess

import pytest

from pytest_codex_mock import Invocation, find_binaries


def codex(*args, input=""):
    """How code under test runs codex: by name, from PATH, with the inherited environment."""
    return subprocess.run(["codex", "exec", "--json", "--skip-git-repo-check", *args],
                          input=input, capture_output=True, text=True, timeout=60)


def events(run):
    return [json.loads(l)["type"] for l in run.stdout.splitlines()]


def test_environment_is_the_tests_own(codex_mock, tmp_path):
    assert shutil.which("codex") == codex_mock.codex
    assert os.path.realpath(codex_mock.codex).startswith(os.path.realpath(codex_mock.bin_dir))
    assert os.environ["CODEX_HOME"] == codex_mock.home
    assert os.environ["CODEX_MOCK_STATE"] == codex_mock.state
    assert codex_mock.home.startswith(str(tmp_path))
    assert codex_mock.env["CODEX_MOCK_SPEED"] == "0"
    assert codex_mock.journal() == []


def test_use_a_builtin_scenario(codex_mock):
    codex_mock.use("command-success")
    run = codex("list the files")
    assert run.returncode == 0, run.stderr
    assert "command_execution" in run.stdout
    assert events(run)[-1] == "turn.completed"
    [call] = codex_mock.journal()
    assert isinstance(call, Invocation)
    assert (call.scenario, call.exit_code, call.prompt, call.command) == \
        ("command-success", 0, "list the files", "exec")
    assert call.argv[1:3] == ["exec", "--json"]
    assert call.no_such_key is None


@pytest.mark.codex_scenario("rate-limit-429")
def test_marker_chooses_the_scenario(codex_mock):
    run = codex("hi")
    assert run.returncode == 1
    assert events(run)[-1] == "turn.failed"
    assert codex_mock.journal()[0].scenario == "rate-limit-429"


@pytest.mark.codex_scenario(["usage-limit-429", "command-success"])
def test_marker_with_a_list_is_a_sequence(codex_mock):
    assert [codex("go").returncode for _ in range(3)] == [1, 0, 0]


def test_sequence_and_verify(codex_mock):
    codex_mock.sequence(["usage-limit-429", "command-success"])
    first, second = codex("fix the tests"), codex("fix the tests again")
    assert (first.returncode, second.returncode) == (1, 0)
    assert codex_mock.verify(times=2, flag="--json", prompt=["^fix", "again"], in_order=True) \
        == "ok: 2 invocations match"
    assert [c.scenario for c in codex_mock.journal()] == ["usage-limit-429", "command-success"]


def test_failing_verify_raises_with_verifys_report(codex_mock):
    codex_mock.use("default")
    codex("fix the tests")
    with pytest.raises(AssertionError) as e:
        codex_mock.verify(times=3, flag="--ephemeral")
    message = str(e.value)
    assert message.startswith("codex-mock verify: expectations not met\n"
                              "  expected 3 invocations, found 1\n"
                              "  #1 was called without --ephemeral\n"
                              "recorded invocations (%s):\n" % codex_mock.state)
    assert "#1 codex exec --json --skip-git-repo-check 'fix the tests'  -> exit 0  " \
           "(scenario default)" in message


def test_verify_usage_error_is_not_an_assertion(codex_mock):
    with pytest.raises(ValueError, match="bad regular expression"):
        codex_mock.verify(prompt="(")


def test_rules_as_dicts(codex_mock):
    codex_mock.rules([
        {"name": "tests", "match": {"prompt": "tests"}, "scenario": "usage-limit-429"},
        {"name": "rest", "scenario": "command-success"},
    ])
    assert codex("fix the tests").returncode == 1
    assert codex("say hi").returncode == 0
    assert [(c.rule, c.scenario) for c in codex_mock.journal()] == \
        [("tests", "usage-limit-429"), ("rest", "command-success")]


def test_own_scenario_file_and_run(codex_mock):
    path = codex_mock.scenario("codex_mock: 1\nsteps:\n  - message: 'hello {{prompt}}'\n")
    codex_mock.use(path)
    run = codex_mock.run("exec", "--json", "--skip-git-repo-check", "world")
    assert run.returncode == 0, run.stderr
    assert '"text":"hello world"' in run.stdout


def test_reset_empties_the_journal_and_sequences(codex_mock):
    codex_mock.sequence(["usage-limit-429", "command-success"])
    assert codex("a").returncode == 1
    codex_mock.reset()
    assert codex_mock.journal() == []
    assert codex("b").returncode == 1  # the sequence starts over


# Under -n 4 these run at once in several workers: each test's journal holds its calls only.
@pytest.mark.parametrize("n", range(1, 9))
def test_parallel_tests_do_not_share_state(codex_mock, n):
    for i in range(n):
        assert codex("call %d of test %d" % (i, n)).returncode == 0
    codex_mock.verify(times=n, prompt="of test %d$" % n)
    assert [c.invocation for c in codex_mock.journal()] == list(range(1, n + 1))


def test_find_binaries(codex_mock, tmp_path):
    assert find_binaries(codex_mock.bin_dir) == (codex_mock.bin_dir, codex_mock.toolbox)
    # by codex-mock on PATH: it says where its fake is
    tool_dir = os.path.dirname(codex_mock.toolbox)
    fake, tool = find_binaries(None, path=tool_dir)
    assert os.path.realpath(os.path.join(fake, "codex")) == os.path.realpath(codex_mock.codex)
    with pytest.raises(LookupError, match="no fake `codex` in"):
        find_binaries(str(tmp_path))


def test_a_failing_verify_in_a_users_suite(pytester, codex_mock):
    """What a user sees: the test fails with verify's report as the assertion message."""
    pytester.makepyfile("""
        import subprocess
        def test_called_twice(codex_mock):
            subprocess.run(["codex", "exec", "--json", "--skip-git-repo-check", "only once"],
                           capture_output=True)
            codex_mock.verify(times=2)
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           "--codex-mock-bin", codex_mock.bin_dir)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: codex-mock verify: expectations not met",
        "*expected 2 invocations, found 1",
        "*#1 codex exec --json --skip-git-repo-check 'only once'  -> exit 0  (scenario default)",
    ])
