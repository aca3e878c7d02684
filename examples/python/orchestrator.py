"""A tiny orchestrator: runs `codex exec --json` and retries once when the turn fails.

This is the code under test in the example; codex-mock stands in for the real CLI in
test_orchestrator.py. It uses only the standard library.
"""

import json
import subprocess
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Attempt:
    exit_code: int
    events: list
    failed: bool
    message: Optional[str]


@dataclass
class Result:
    answer: Optional[str]
    attempts: list = field(default_factory=list)

    @property
    def ok(self):
        return self.answer is not None


def run_once(prompt, codex="codex", cwd=None, env=None, timeout=60):
    """One `codex exec --json --skip-git-repo-check PROMPT`: its events, parsed line by line."""
    proc = subprocess.run(
        [codex, "exec", "--json", "--skip-git-repo-check", prompt],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
    events = []
    for line in proc.stdout.splitlines():
        if line.strip():
            events.append(json.loads(line))
    failed = proc.returncode != 0 or any(e.get("type") == "turn.failed" for e in events)
    message = None
    for e in events:
        item = e.get("item") or {}
        if e.get("type") == "item.completed" and item.get("type") == "agent_message":
            message = item.get("text")
    return Attempt(proc.returncode, events, failed, message)


def ask(prompt, retries=1, **kwargs):
    """Ask codex; on a failed turn, try again up to `retries` more times."""
    result = Result(answer=None)
    for _ in range(retries + 1):
        attempt = run_once(prompt, **kwargs)
        result.attempts.append(attempt)
        if not attempt.failed:
            result.answer = attempt.message
            break
    return result
