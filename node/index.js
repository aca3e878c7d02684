// codex-mock for Node test suites (vitest, jest, node:test): one fake `codex` per test, with its
// own CODEX_HOME, state directory, scenario and journal. No dependencies beyond Node itself.
import { AssertionError } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const DEBIAN_FAKE_DIR = "/usr/lib/codex-mock/bin";

function isExe(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function which(name, pathList) {
  for (const dir of (pathList ?? "").split(path.delimiter)) {
    if (dir && isExe(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** Where the fake `codex` and the `codex-mock` toolbox are: `bin` (or CODEX_MOCK_BIN_DIR), a
 * directory holding the fake `codex`; else `codex-mock` on PATH, asked (`codex-mock env`); else
 * the Debian package's /usr/lib/codex-mock/bin. */
export function findBinaries(bin = process.env.CODEX_MOCK_BIN_DIR, pathList = process.env.PATH) {
  const onPath = which("codex-mock", pathList);
  if (bin) {
    const dir = path.resolve(bin);
    if (!isExe(path.join(dir, "codex"))) {
      throw new Error(`codex-mock: no fake \`codex\` in ${dir} (bin / CODEX_MOCK_BIN_DIR)`);
    }
    for (const tool of [path.join(dir, "codex-mock"), path.join(dir, "../../../bin/codex-mock"), onPath]) {
      if (tool && isExe(tool)) return { binDir: dir, toolboxPath: path.resolve(tool) };
    }
    throw new Error(`codex-mock: found ${dir}/codex but no codex-mock beside it or on PATH`);
  }
  if (onPath) {
    const r = spawnSync(onPath, ["env"], { encoding: "utf8", timeout: 30000 });
    const m = r.status === 0 && /^export PATH='?(.*?)'?:"?\$PATH"?\n?$/.exec(r.stdout);
    if (m && isExe(path.join(m[1], "codex"))) return { binDir: m[1], toolboxPath: onPath };
  }
  if (isExe(path.join(DEBIAN_FAKE_DIR, "codex")) && isExe("/usr/bin/codex-mock")) {
    return { binDir: DEBIAN_FAKE_DIR, toolboxPath: "/usr/bin/codex-mock" };
  }
  throw new Error(
    "codex-mock: not found: pass { bin: 'build/bin' } or set CODEX_MOCK_BIN_DIR, put codex-mock " +
      `on PATH, or install the Debian package (${DEBIAN_FAKE_DIR})`,
  );
}

function list(v) {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** A fake codex for one test. See index.d.ts for the options and the returned object. */
export function codexMock(options = {}) {
  const { binDir, toolboxPath } = findBinaries(options.bin ?? process.env.CODEX_MOCK_BIN_DIR);
  const dir = fs.mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), "codex-mock-"));
  const home = path.join(dir, "home");
  const state = path.join(dir, "state");
  fs.mkdirSync(home);
  fs.mkdirSync(state);
  let files = 0;

  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("CODEX_MOCK_") && v !== undefined) env[k] = v;
  }
  Object.assign(env, {
    PATH: binDir + path.delimiter + (process.env.PATH ?? "/usr/bin:/bin"),
    CODEX_HOME: home,
    CODEX_MOCK_STATE: state,
    CODEX_MOCK_SPEED: String(options.speed ?? 0),
    ...(options.env ?? {}),
  });

  const tool = (...args) => spawnSync(toolboxPath, args, { encoding: "utf8", timeout: 60000 });

  const mock = {
    codexPath: path.join(binDir, "codex"),
    toolboxPath,
    binDir,
    dir,
    home,
    state,
    env,

    use(scenario) {
      delete env.CODEX_MOCK_RULES;
      env.CODEX_MOCK_SCENARIO = scenario;
      return mock;
    },

    scenario(yaml, name) {
      const file = path.join(dir, name ?? `scenario-${++files}.yaml`);
      fs.writeFileSync(file, yaml);
      return file;
    },

    rules(rules) {
      // JSON is YAML: the flow style needs no YAML writer
      const text =
        typeof rules === "string" ? rules : JSON.stringify({ codex_mock_rules: 1, rules }, null, 2) + "\n";
      const file = path.join(dir, `rules-${++files}.yaml`);
      fs.writeFileSync(file, text);
      delete env.CODEX_MOCK_SCENARIO;
      env.CODEX_MOCK_RULES = file;
      return mock;
    },

    sequence(scenarios, per = "rule") {
      return mock.rules([{ name: "sequence", sequence: scenarios, per }]);
    },

    journal() {
      const r = tool("journal", "--state", state, "--json");
      if (r.status !== 0) throw new Error(`codex-mock journal failed (${r.status}): ${r.stderr}`);
      return r.stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
    },

    // A call's journal line is written when its process ends, which can be after the SDK has
    // already seen turn.failed and rejected: wait for the lines before asserting on them.
    async waitForCalls(n, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const calls = mock.journal();
        if (calls.length >= n) return calls;
        if (Date.now() > deadline) {
          throw new Error(`codex-mock: ${calls.length} of ${n} calls journaled after ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },

    verify(expect = {}) {
      const args = ["verify", "--state", state];
      for (const [opt, v] of [
        ["--times", expect.times],
        ["--min", expect.min],
        ["--max", expect.max],
        ["--command", expect.command],
      ]) {
        if (v !== undefined) args.push(opt, String(v));
      }
      for (const f of list(expect.flag)) args.push("--flag", f);
      for (const p of list(expect.prompt)) args.push("--prompt", p);
      if (expect.inOrder) args.push("--in-order");
      const r = tool(...args);
      if (r.status === 1) {
        throw new AssertionError({ message: r.stdout.replace(/\n$/, ""), operator: "codex-mock verify" });
      }
      if (r.status !== 0) throw new Error(`codex-mock verify: ${r.stderr.trim() || r.status}`);
      return r.stdout.trim();
    },

    reset() {
      execFileSync(toolboxPath, ["reset", "--state", state], { stdio: "ignore", timeout: 60000 });
      return mock;
    },

    dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.rules !== undefined) mock.rules(options.rules);
  if (options.scenario !== undefined) mock.use(options.scenario);
  return mock;
}

export default codexMock;
