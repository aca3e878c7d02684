"""How an orchestrator's own test suite uses codex-mock (standard library only).

    python3 -m unittest test_orchestrator          # with build/bin/codex on PATH, or
    CODEX_MOCK_BIN=/path/to/build/bin python3 test_orchestrator.py

codex-mock's `codex` is put first on PATH, so the orchestrator runs it as it would run the
real CLI. A rules file makes the first call hit the usage limit and the second succeed; the
journal then says what the orchestrator did, and `codex-mock verify` checks it.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import orchestrator

HERE = os.path.dirname(os.path.abspath(__file__))

RULES = """\
codex_mock_rules: 1
rules:
  - name: flaky
    match:
      prompt: "fix the tests"
    sequence: [usage-limit-429, command-success]
  - name: everything-else
    scenario: default
"""


def find_bin():
    """The directory holding codex and codex-mock: CODEX_MOCK_BIN, argv[1], or PATH."""
    d = os.environ.get("CODEX_MOCK_BIN")
    if not d:
        codex = shutil.which("codex-mock")
        d = os.path.dirname(codex) if codex else os.path.join(HERE, "..", "..", "build", "bin")
    return os.path.abspath(d)


BIN = find_bin()


class OrchestratorTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="codex-mock-example-")
        self.addCleanup(self.tmp.cleanup)
        home = os.path.join(self.tmp.name, "home")
        os.mkdir(home)
        self.state = os.path.join(self.tmp.name, "state")
        rules = os.path.join(self.tmp.name, "rules.yaml")
        with open(rules, "w") as f:
            f.write(RULES)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_MOCK_")}
        env.update(
            PATH=BIN + os.pathsep + env.get("PATH", ""),
            CODEX_HOME=home,
            CODEX_MOCK_STATE=self.state,
            CODEX_MOCK_RULES=rules,
            CODEX_MOCK_SPEED="0",  # no recorded delays: the test runs in milliseconds
        )
        self.env = env

    def verify(self, *args):
        return subprocess.run(
            ["codex-mock", "verify", *args],
            env=self.env,
            capture_output=True,
            text=True,
        )

    def test_retries_once_after_usage_limit(self):
        result = orchestrator.ask("fix the tests", env=self.env, cwd=self.tmp.name)

        self.assertEqual(len(result.attempts), 2)
        first, second = result.attempts
        self.assertTrue(first.failed)
        self.assertEqual(first.exit_code, 1)
        self.assertIn("turn.failed", [e["type"] for e in first.events])
        self.assertFalse(second.failed)
        self.assertEqual(result.answer, "The directory contains README.md and notes.txt.")

        ok = self.verify("--times", "2", "--prompt", "fix the tests", "--flag", "--json")
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("ok: 2 invocations match", ok.stdout + ok.stderr)

        wrong = self.verify("--times", "1", "--prompt", "fix the tests")
        self.assertEqual(wrong.returncode, 1, wrong.stdout + wrong.stderr)
        self.assertIn("expected 1 invocation", wrong.stdout + wrong.stderr)

    def test_no_retry_when_first_call_succeeds(self):
        result = orchestrator.ask("say hello", env=self.env, cwd=self.tmp.name)
        self.assertTrue(result.ok)
        self.assertEqual(len(result.attempts), 1)
        ok = self.verify("--times", "1")
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1 and os.path.isdir(sys.argv[1]):
        BIN = os.path.abspath(sys.argv.pop(1))
    unittest.main()
