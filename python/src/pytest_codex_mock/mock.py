"""CodexMock: one test's codex-mock — its directories, environment, scenario and journal.

Standard library only. Every method that changes what `codex` does writes the test's own
environment (os.environ through `setenv`, which the fixture backs with monkeypatch), so code
under test that spawns `codex` sees it without being told.
"""

import json
import os
import shlex
import shutil
import subprocess

DEBIAN_FAKE_DIR = "/usr/lib/codex-mock/bin"


class Invocation(dict):
    """One journal line (docs/rules.md, "The journal"): a dict whose keys read as attributes
    (`inv.prompt`, `inv.argv`, `inv.exit_code`, `inv.scenario`, ...); a missing key is None."""

    def __getattr__(self, name):
        return self.get(name)


def _is_exe(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_binaries(bin_dir=None, path=None):
    """(fake codex directory, codex-mock toolbox) or raises LookupError saying what was tried.

    bin_dir: a directory holding the fake `codex` (and maybe `codex-mock`). Without it:
    `codex-mock` on PATH, asked where its fake is (`codex-mock env`); then the Debian layout."""
    path = os.environ.get("PATH", "") if path is None else path
    on_path = shutil.which("codex-mock", path=path)
    if bin_dir:
        bin_dir = os.path.abspath(bin_dir)
        if not _is_exe(os.path.join(bin_dir, "codex")):
            raise LookupError("codex-mock: no fake `codex` in %s (--codex-mock-bin / "
                              "CODEX_MOCK_BIN_DIR)" % bin_dir)
        for tool in (os.path.join(bin_dir, "codex-mock"),
                     os.path.join(bin_dir, "..", "..", "..", "bin", "codex-mock"), on_path):
            if tool and _is_exe(tool):
                return bin_dir, os.path.abspath(tool)
        raise LookupError("codex-mock: found %s/codex but no codex-mock beside it or on PATH"
                          % bin_dir)
    if on_path:
        out = subprocess.run([on_path, "env"], capture_output=True, text=True, timeout=30)
        words = shlex.split(out.stdout)
        if out.returncode == 0 and len(words) == 2 and words[1].startswith("PATH="):
            fake = words[1][len("PATH="):].rsplit(":$PATH", 1)[0]
            if _is_exe(os.path.join(fake, "codex")):
                return fake, on_path
    if _is_exe(os.path.join(DEBIAN_FAKE_DIR, "codex")) and _is_exe("/usr/bin/codex-mock"):
        return DEBIAN_FAKE_DIR, "/usr/bin/codex-mock"
    raise LookupError("codex-mock: not found: give --codex-mock-bin DIR (e.g. build/bin) or "
                      "CODEX_MOCK_BIN_DIR, put codex-mock on PATH, or install the Debian "
                      "package (%s)" % DEBIAN_FAKE_DIR)


def _as_list(v):
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


class CodexMock:
    """A test's codex-mock. `root` is a fresh directory (the fixture gives tmp_path/codex-mock);
    `setenv(name, value_or_None)` changes the process environment (monkeypatch.setenv/delenv)."""

    def __init__(self, root, bin_dir, toolbox, setenv):
        self.bin_dir = bin_dir
        self.codex = os.path.join(bin_dir, "codex")
        self.toolbox = toolbox
        self.root = str(root)
        self.home = os.path.join(self.root, "home")
        self.state = os.path.join(self.root, "state")
        os.makedirs(self.home, exist_ok=True)
        os.makedirs(self.state, exist_ok=True)
        self._setenv = setenv
        self._files = 0
        for name in [k for k in os.environ if k.startswith("CODEX_MOCK_")]:
            setenv(name, None)  # the test decides, not the shell that started pytest
        setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
        setenv("CODEX_HOME", self.home)
        setenv("CODEX_MOCK_STATE", self.state)
        setenv("CODEX_MOCK_SPEED", "0")

    # --- what codex plays -----------------------------------------------------------------
    def setenv(self, name, value):
        """Sets (or with None, unsets) a variable for this test's codex calls."""
        self._setenv(name, None if value is None else str(value))
        return self

    def speed(self, speed):
        """CODEX_MOCK_SPEED: 0 instant (the fixture's default), 1 real pace, N N times faster."""
        return self.setenv("CODEX_MOCK_SPEED", speed)

    def use(self, scenario):
        """Every call plays this built-in name or scenario file (CODEX_MOCK_SCENARIO)."""
        self.setenv("CODEX_MOCK_RULES", None)
        return self.setenv("CODEX_MOCK_SCENARIO", os.fspath(scenario))

    def scenario(self, yaml_text, name=None):
        """Writes a scenario file in the test's directory and returns its path."""
        self._files += 1
        path = os.path.join(self.root, name or "scenario-%d.yaml" % self._files)
        with open(path, "w", encoding="utf-8") as f:
            f.write(yaml_text)
        return path

    def rules(self, rules):
        """A rules file (docs/rules.md): YAML text, or a list of rule dicts. Returns its path."""
        if not isinstance(rules, str):
            # JSON is YAML: the flow style needs no YAML writer
            rules = json.dumps({"codex_mock_rules": 1, "rules": list(rules)}, indent=2) + "\n"
        self._files += 1
        path = os.path.join(self.root, "rules-%d.yaml" % self._files)
        with open(path, "w", encoding="utf-8") as f:
            f.write(rules)
        self.setenv("CODEX_MOCK_SCENARIO", None)
        self.setenv("CODEX_MOCK_RULES", path)
        return path

    def sequence(self, scenarios, per="rule", name="sequence"):
        """One scenario per call, in order; the last one repeats. per="thread": each thread
        has its own position."""
        return self.rules([{"name": name, "sequence": [os.fspath(s) for s in scenarios],
                            "per": per}])

    # --- running ------------------------------------------------------------------------------
    @property
    def env(self):
        """A copy of the environment the test's codex calls get."""
        return dict(os.environ)

    def run(self, *args, input=None, timeout=60, cwd=None):
        """Runs the fake `codex ARGS` (text mode); returns subprocess.CompletedProcess."""
        return subprocess.run([self.codex, *args], input=input if input is not None else "",
                              capture_output=True, text=True, timeout=timeout, cwd=cwd)

    def _tool(self, *args):
        return subprocess.run([self.toolbox, *args, ], capture_output=True, text=True,
                              timeout=60)

    # --- the journal --------------------------------------------------------------------------
    def journal(self):
        """The calls so far, oldest first, as Invocation dicts."""
        out = self._tool("journal", "--state", self.state, "--json")
        if out.returncode != 0:
            raise RuntimeError("codex-mock journal failed (%d): %s" % (out.returncode, out.stderr))
        return [Invocation(json.loads(l)) for l in out.stdout.splitlines() if l.startswith("{")]

    def verify(self, times=None, min=None, max=None, command=None, flag=None, prompt=None,
               in_order=False):
        """`codex-mock verify`: returns its "ok" line, or raises AssertionError whose message is
        verify's report (what is unmet, then the recorded calls). flag/prompt: one or a list."""
        args = ["verify", "--state", self.state]
        for opt, v in (("--times", times), ("--min", min), ("--max", max),
                       ("--command", command)):
            if v is not None:
                args += [opt, str(v)]
        for f in _as_list(flag):
            args += ["--flag", f]
        for p in _as_list(prompt):
            args += ["--prompt", p]
        if in_order:
            args.append("--in-order")
        out = self._tool(*args)
        if out.returncode == 1:
            raise AssertionError(out.stdout.rstrip("\n"))
        if out.returncode != 0:
            raise ValueError("codex-mock verify: %s" % (out.stderr.strip() or out.returncode))
        return out.stdout.strip()

    def reset(self):
        """Empties the journal, the invocation counter and the sequences."""
        out = self._tool("reset", "--state", self.state)
        if out.returncode != 0:
            raise RuntimeError("codex-mock reset failed: %s" % out.stderr)
