import subprocess

def test_a_second_call_succeeds_after_the_usage_limit(codex_mock):
    codex_mock.sequence(["usage-limit-429", "command-success"])
    argv = ["codex", "exec", "--json", "--skip-git-repo-check", "fix the tests"]
    first, second = subprocess.run(argv), subprocess.run(argv)
    assert (first.returncode, second.returncode) == (1, 0)
    codex_mock.verify(times=2, flag="--json", prompt="fix the tests")
    journal = codex_mock.journal()
    assert [call.scenario for call in journal] == ["usage-limit-429", "command-success"]
