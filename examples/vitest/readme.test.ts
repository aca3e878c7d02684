import { expect, test } from "vitest";
import { Codex } from "@openai/codex-sdk";
import { codexMock } from "codex-mock";

test("the SDK gets the scenario's answer", async () => {
  const mock = codexMock({ scenario: "command-success" });
  const codex = new Codex({ codexPathOverride: mock.codexPath, env: mock.env });
  const turn = await codex.startThread({ skipGitRepoCheck: true }).run("list the files");
  expect(turn.finalResponse).toBe("The directory contains README.md and notes.txt.");
  mock.verify({ times: 1, flag: "--experimental-json", prompt: "list the files" });
  mock.dispose();
});
