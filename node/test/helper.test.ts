// The helper against the fake `codex` (run by tests/node_test.sh with vitest): codexMock's
// environment, journal, verify (its AssertionError), reset, dispose, and the TypeScript SDK
// through codexPathOverride.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { Codex } from "@openai/codex-sdk";
import { codexMock, findBinaries, type CodexMock, type Invocation } from "codex-mock";

const mocks: CodexMock[] = [];
function mock(options: Parameters<typeof codexMock>[0] = {}): CodexMock {
  const m = codexMock(options);
  mocks.push(m);
  return m;
}
afterEach(() => {
  for (const m of mocks.splice(0)) m.dispose();
});

// How code under test runs codex: by name, from PATH, with the environment it is given.
function codex(env: Record<string, string>, prompt: string) {
  return spawnSync("codex", ["exec", "--json", "--skip-git-repo-check", prompt], {
    env,
    encoding: "utf8",
    timeout: 60000,
  });
}

describe("codexMock", () => {
  test("gives each mock its own home and state, and the fake codex first on PATH", () => {
    const a = mock({ scenario: "command-success" });
    const b = mock({ scenario: "command-success" });
    expect(a.home).not.toBe(b.home);
    expect(a.env.CODEX_HOME).toBe(a.home);
    expect(a.env.CODEX_MOCK_STATE).toBe(a.state);
    expect(a.env.CODEX_MOCK_SPEED).toBe("0");
    expect(a.env.PATH.split(":")[0]).toBe(a.binDir);
    const which = spawnSync("sh", ["-c", "command -v codex"], { env: a.env, encoding: "utf8" });
    expect(which.stdout.trim()).toBe(a.codexPath);
    expect(codex(a.env, "one").status).toBe(0);
    expect(a.journal()).toHaveLength(1);
    expect(b.journal()).toEqual([]);
  });

  test("journal() returns the calls as objects", () => {
    const m = mock({ scenario: "rate-limit-429" });
    expect(codex(m.env, "fix the tests").status).toBe(1);
    const [call]: Invocation[] = m.journal();
    expect(call.scenario).toBe("rate-limit-429");
    expect(call.exit_code).toBe(1);
    expect(call.prompt).toBe("fix the tests");
    expect(call.argv.slice(1, 3)).toEqual(["exec", "--json"]);
  });

  test("rules and sequences choose the scenario per call; reset starts over", () => {
    const m = mock({ rules: [{ name: "flaky", sequence: ["usage-limit-429", "command-success"] }] });
    expect([codex(m.env, "a").status, codex(m.env, "b").status, codex(m.env, "c").status]).toEqual([1, 0, 0]);
    expect(m.journal().map((c) => c.rule)).toEqual(["flaky", "flaky", "flaky"]);
    m.reset();
    expect(m.journal()).toEqual([]);
    expect(codex(m.env, "d").status).toBe(1);
    m.use("default");
    expect(m.env.CODEX_MOCK_RULES).toBeUndefined();
    expect(codex(m.env, "e").status).toBe(0);
  });

  test("verify() passes quietly, or throws verify's report as an AssertionError", () => {
    const m = mock({ scenario: "default" });
    codex(m.env, "fix the tests");
    expect(m.verify({ times: 1, flag: "--json", prompt: ["^fix"], inOrder: true })).toBe(
      "ok: 1 invocation match",
    );
    let error: unknown;
    try {
      m.verify({ times: 2, flag: "--ephemeral" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("AssertionError");
    expect((error as Error).message).toBe(
      "codex-mock verify: expectations not met\n" +
        "  expected 2 invocations, found 1\n" +
        "  #1 was called without --ephemeral\n" +
        `recorded invocations (${m.state}):\n` +
        "  #1 codex exec --json --skip-git-repo-check 'fix the tests'  -> exit 0  (scenario default)",
    );
    expect(() => m.verify({ prompt: "(" })).toThrow(/bad regular expression/);
  });

  test("scenario() writes a file use() can play", () => {
    const m = mock();
    m.use(m.scenario("codex_mock: 1\nsteps:\n  - message: 'hello {{prompt}}'\n"));
    expect(codex(m.env, "world").stdout).toContain('"text":"hello world"');
  });

  test("dispose() removes the per-test directory", () => {
    const m = codexMock();
    expect(fs.existsSync(m.dir)).toBe(true);
    m.dispose();
    expect(fs.existsSync(m.dir)).toBe(false);
  });

  test("findBinaries: an explicit directory, codex-mock on PATH, or a clear error", () => {
    const m = mock();
    expect(findBinaries(m.binDir)).toEqual({ binDir: m.binDir, toolboxPath: m.toolboxPath });
    const viaPath = findBinaries(undefined, m.binDir);
    expect(fs.realpathSync(viaPath.binDir)).toBe(fs.realpathSync(m.binDir));
    expect(() => findBinaries(m.dir)).toThrow(/no fake `codex` in/);
  });
});

describe("the TypeScript SDK through the helper", () => {
  test("run() returns the scenario's items and answer", async () => {
    const m = mock({ scenario: "command-success" });
    const sdk = new Codex({ codexPathOverride: m.codexPath, env: m.env });
    const thread = sdk.startThread({ skipGitRepoCheck: true, workingDirectory: m.dir });
    const turn = await thread.run("list the files");
    expect(turn.items.map((i) => i.type)).toEqual(["reasoning", "command_execution", "agent_message"]);
    expect(turn.finalResponse).toBe("The directory contains README.md and notes.txt.");
    // the SDK asks for --experimental-json and writes the prompt to stdin
    m.verify({ times: 1, flag: ["--experimental-json", "--skip-git-repo-check"], prompt: "^list the files$" });
  });

  test("a failing scenario rejects run() with the scenario's error", async () => {
    const m = mock({ scenario: "http-401-unauthorized" });
    const sdk = new Codex({ codexPathOverride: m.codexPath, env: m.env });
    await expect(sdk.startThread({ skipGitRepoCheck: true }).run("hi")).rejects.toThrow(/401/);
    // (the SDK stops reading at turn.failed and sends SIGTERM: whether the call still
    // journals depends on whether it exited first, so the journal is not asserted here)
  });

  test("waitForCalls() waits for the journal lines", async () => {
    const m = mock({ scenario: "command-success" });
    const sdk = new Codex({ codexPathOverride: m.codexPath, env: m.env });
    const thread = sdk.startThread({ skipGitRepoCheck: true });
    await thread.run("one");
    await thread.run("two");
    expect((await m.waitForCalls(2)).map((c) => c.command)).toEqual(["exec", "resume"]);
    await expect(m.waitForCalls(3, 100)).rejects.toThrow(/2 of 3 calls journaled after 100 ms/);
  });
});
