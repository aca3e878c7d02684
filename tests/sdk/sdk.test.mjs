// The real TypeScript SDK (@openai/codex-sdk, installed by tests/sdk_test.sh) drives the fake
// `codex` through codexPathOverride, unchanged: docs/behaviour.md#sdk-contract is the contract.
// Environment: CODEX_BIN (the fake codex), SDK_ENTRY (the SDK's dist/index.js), WORK_DIR.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const { CODEX_BIN, SDK_ENTRY, WORK_DIR } = process.env;
assert.ok(CODEX_BIN && SDK_ENTRY && WORK_DIR, "run through tests/sdk_test.sh");
const { Codex } = await import(pathToFileURL(SDK_ENTRY).href);

let serial = 0;
// A scenario file, a working directory and a CODEX_HOME of its own for each case.
function fixture(yaml, extraEnv = {}) {
  const dir = path.join(WORK_DIR, `case-${process.pid}-${serial++}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "work", ".git"), { recursive: true });
  fs.mkdirSync(path.join(dir, "home"), { recursive: true });
  const file = path.join(dir, "scenario.yaml");
  fs.writeFileSync(file, yaml);
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: path.join(dir, "home"),
    CODEX_HOME: path.join(dir, "home"),
    CODEX_MOCK_SCENARIO: file,
    CODEX_MOCK_SPEED: "0",
    CODEX_MOCK_SEED: "7",
    CODEX_MOCK_NOW: "2026-11-21T07:38:03Z",
    ...extraEnv,
  };
  const codex = new Codex({ codexPathOverride: CODEX_BIN, env });
  const threadOptions = { workingDirectory: path.join(dir, "work"), skipGitRepoCheck: true };
  return { dir, file, env, codex, threadOptions };
}

const ANSWER = `codex_mock: 1
steps:
  - reasoning: "**Looking**"
  - command: "/bin/bash -lc 'ls -1'"
    output: "README.md\\n"
    exit_code: 0
  - message: "The directory holds README.md."
  - usage: {input_tokens: 4096, cached_input_tokens: 2048, output_tokens: 128}
`;

test("run() returns the final message, the completed items and the usage", async () => {
  const { codex, threadOptions } = fixture(ANSWER);
  const thread = codex.startThread(threadOptions);
  const turn = await thread.run("list the files");
  assert.equal(turn.finalResponse, "The directory holds README.md.");
  assert.deepEqual(
    turn.items.map((i) => [i.id, i.type]),
    [
      ["item_0", "reasoning"],
      ["item_1", "command_execution"],
      ["item_2", "agent_message"],
    ],
  );
  assert.equal(turn.items[0].text, "**Looking**");
  assert.equal(turn.items[1].command, "/bin/bash -lc 'ls -1'");
  assert.equal(turn.items[1].aggregated_output, "README.md\n");
  assert.equal(turn.items[1].exit_code, 0);
  assert.equal(turn.items[1].status, "completed");
  assert.deepEqual(turn.usage, {
    input_tokens: 4096,
    cached_input_tokens: 2048,
    cache_write_input_tokens: 0,
    output_tokens: 128,
    reasoning_output_tokens: 0,
  });
  assert.match(thread.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test("runStreamed() yields the scenario's events in order, as `codex exec --json` prints them", async () => {
  const { codex, threadOptions, env } = fixture(ANSWER);
  const thread = codex.startThread(threadOptions);
  const { events } = await thread.runStreamed("list the files");
  const got = [];
  for await (const ev of events) got.push(ev);
  assert.deepEqual(
    got.map((e) => e.type + (e.item ? `:${e.item.type}` : "")),
    [
      "thread.started",
      "turn.started",
      "item.completed:reasoning",
      "item.started:command_execution",
      "item.completed:command_execution",
      "item.completed:agent_message",
      "turn.completed",
    ],
  );
  // The same events, field for field, as the binary prints on its own (same seed and clock).
  const direct = spawnSync(
    CODEX_BIN,
    ["exec", "--json", "--skip-git-repo-check", "list the files"],
    { cwd: threadOptions.workingDirectory, env, encoding: "utf8" },
  );
  assert.equal(direct.status, 0, direct.stderr);
  const want = direct.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  // Thread ids aside: their UUIDv7 time is CODEX_MOCK_NOW plus the few milliseconds the process
  // took to get there, which vary from run to run.
  const uuid7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const maskId = (e) => {
    if (e.type !== "thread.started") return e;
    assert.match(e.thread_id, uuid7);
    return { ...e, thread_id: "<uuid7>" };
  };
  assert.deepEqual(got.map(maskId), want.map(maskId));
});

test("a turn.failed scenario rejects with its message", async () => {
  const { codex, threadOptions } = fixture(`codex_mock: 1
steps:
  - message: "partial"
  - event: {type: error, message: "the model exploded"}
  - event: {type: turn.failed, error: {message: "the model exploded"}}
  - exit: 1
`);
  const thread = codex.startThread(threadOptions);
  await assert.rejects(thread.run("go"), (e) => {
    assert.equal(e.message, "the model exploded");
    return true;
  });
});

test("a built-in failure (http-401-unauthorized) rejects with the binary's turn.failed text", async () => {
  const builtin = fixture("", { CODEX_MOCK_SCENARIO: "http-401-unauthorized" });
  // The text the binary itself ends the turn with.
  const direct = spawnSync(CODEX_BIN, ["exec", "--json", "--skip-git-repo-check", "go"], {
    cwd: builtin.threadOptions.workingDirectory,
    env: builtin.env,
    encoding: "utf8",
  });
  assert.equal(direct.status, 1, direct.stderr);
  const failed = direct.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l))
    .find((e) => e.type === "turn.failed");
  assert.ok(failed, direct.stdout);
  assert.match(failed.error.message, /401/);
  const thread = builtin.codex.startThread(builtin.threadOptions);
  await assert.rejects(thread.run("go"), (e) => {
    assert.equal(e.message, failed.error.message);
    return true;
  });
});

test("a non-zero exit without turn.failed rejects with `Codex Exec exited with code N: <stderr>`", async () => {
  const { codex, threadOptions } = fixture(`codex_mock: 1
steps:
  - message: "half way"
  - stderr: "thread 'main' panicked at core/src/lib.rs:1:1\\n"
  - exit: 3
`);
  const thread = codex.startThread(threadOptions);
  await assert.rejects(thread.run("go"), (e) => {
    assert.equal(
      e.message,
      "Codex Exec exited with code 3: Reading prompt from stdin...\n" +
        "thread 'main' panicked at core/src/lib.rs:1:1\n",
    );
    return true;
  });
});

test("outputSchema reaches the binary (--output-schema FILE): strict mode checks the answer", async () => {
  const schema = {
    type: "object",
    properties: { answer: { type: "string" } },
    required: ["answer"],
    additionalProperties: false,
  };
  const yaml = `codex_mock: 1
steps:
  - message: '{"answer":"hi"}'
`;
  const ok = fixture(yaml, { CODEX_MOCK_SCHEMA: "strict" });
  const turn = await ok.codex.startThread(ok.threadOptions).run("answer", { outputSchema: schema });
  assert.equal(turn.finalResponse, '{"answer":"hi"}');
  assert.deepEqual(JSON.parse(turn.finalResponse), { answer: "hi" });

  // The same reply against a schema it does not satisfy: only a schema that reached the binary
  // can fail the run.
  const bad = fixture(yaml, { CODEX_MOCK_SCHEMA: "strict" });
  const intSchema = { ...schema, properties: { answer: { type: "integer" } } };
  await assert.rejects(
    bad.codex.startThread(bad.threadOptions).run("answer", { outputSchema: intSchema }),
    (e) => {
      assert.match(e.message, /^Codex Exec exited with code 1: /);
      assert.match(e.message, /\/answer: expected integer, found string/);
      return true;
    },
  );
  // and without a schema the same run succeeds
  const none = fixture(yaml, { CODEX_MOCK_SCHEMA: "strict" });
  const plain = await none.codex.startThread(none.threadOptions).run("answer");
  assert.equal(plain.finalResponse, '{"answer":"hi"}');
});

test("a second run() on the same thread resumes it (`exec resume <id>`)", async () => {
  const { codex, threadOptions, env } = fixture(`codex_mock: 1
turns:
  - steps:
      - message: "first answer"
      - usage: {input_tokens: 100, cached_input_tokens: 0, output_tokens: 10}
  - steps:
      - message: "second answer"
      - usage: {input_tokens: 200, cached_input_tokens: 50, output_tokens: 20}
`);
  const thread = codex.startThread(threadOptions);
  const first = await thread.run("one");
  assert.equal(first.finalResponse, "first answer");
  const id = thread.id;
  const second = await thread.run("two");
  assert.equal(thread.id, id, "the resumed run keeps the thread id");
  assert.equal(second.finalResponse, "second answer");
  assert.deepEqual(second.items.map((i) => i.id), ["item_0"]);
  // usage is cumulative for the thread (docs/behaviour.md#resume-and-fork)
  assert.equal(second.usage.input_tokens, 300);
  assert.equal(second.usage.output_tokens, 30);

  // resumeThread(id) on a new Codex instance reaches the same thread
  const again = new Codex({ codexPathOverride: CODEX_BIN, env }).resumeThread(id, threadOptions);
  const third = await again.run("three");
  assert.equal(again.id, id);
  assert.equal(third.finalResponse, "second answer"); // the last turn repeats
});
