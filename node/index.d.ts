/** A rule of a codex-mock rules file (docs/rules.md). */
export interface CodexMockRule {
  name?: string;
  match?: {
    prompt?: string;
    command?: "exec" | "resume" | "fork" | "review";
    flags?: string[];
    cwd?: string;
    env?: Record<string, string | null>;
    invocation?: number;
  };
  scenario?: string;
  sequence?: string[];
  per?: "rule" | "thread";
}

export interface CodexMockOptions {
  /** A built-in scenario name or a scenario file every call plays (CODEX_MOCK_SCENARIO). */
  scenario?: string;
  /** Rules choosing the scenario per call: a list of rules, or a rules file's YAML text. */
  rules?: CodexMockRule[] | string;
  /** The directory of the fake `codex` (e.g. "build/bin"); default CODEX_MOCK_BIN_DIR, then
   * `codex-mock` on PATH, then /usr/lib/codex-mock/bin. */
  bin?: string;
  /** CODEX_MOCK_SPEED: 0 instant (default), 1 real pace, N times faster. */
  speed?: number;
  /** More variables for codex's environment. */
  env?: Record<string, string>;
  /** Where the per-test directory is made (default os.tmpdir()). */
  tmpDir?: string;
}

/** One journal line (docs/rules.md, "The journal"). */
export interface Invocation {
  invocation: number;
  start: string;
  end: string;
  argv: string[];
  command: string;
  cwd: string;
  prompt: string | null;
  stdin: string | null;
  env: Record<string, string>;
  rule?: string;
  scenario: string;
  thread_id?: string;
  exit_code: number;
  [key: string]: unknown;
}

/** What `codex-mock verify` checks; flag and prompt take one or several. */
export interface VerifyExpectations {
  times?: number;
  min?: number;
  max?: number;
  command?: "exec" | "resume" | "fork" | "review";
  flag?: string | string[];
  prompt?: string | string[];
  inOrder?: boolean;
}

export interface CodexMock {
  /** The fake `codex`: `new Codex({ codexPathOverride: mock.codexPath, env: mock.env })`. */
  readonly codexPath: string;
  readonly toolboxPath: string;
  readonly binDir: string;
  /** The per-test directory (home/, state/, written scenarios and rules). */
  readonly dir: string;
  readonly home: string;
  readonly state: string;
  /** The environment for codex: yours (CODEX_MOCK_* dropped), PATH with the fake first,
   * CODEX_HOME, CODEX_MOCK_STATE, CODEX_MOCK_SPEED and the scenario or rules. use(), rules()
   * and sequence() change this same object. */
  readonly env: Record<string, string>;
  use(scenario: string): CodexMock;
  /** Writes a scenario file in dir and returns its path (for use()). */
  scenario(yaml: string, name?: string): string;
  rules(rules: CodexMockRule[] | string): CodexMock;
  /** One scenario per call, in order; the last one repeats. */
  sequence(scenarios: string[], per?: "rule" | "thread"): CodexMock;
  journal(): Invocation[];
  /** The journal once it holds n calls (a call's line is written when its process exits);
   * rejects after timeoutMs (default 10000). A call the SDK kills — it sends SIGTERM after
   * turn.failed — journals only if it had exited already. */
  waitForCalls(n: number, timeoutMs?: number): Promise<Invocation[]>;
  /** Returns verify's "ok" line, or throws an AssertionError whose message is its report. */
  verify(expect?: VerifyExpectations): string;
  /** Empties the journal, the invocation counter and the sequences. */
  reset(): CodexMock;
  /** Removes the per-test directory. */
  dispose(): void;
}

export function codexMock(options?: CodexMockOptions): CodexMock;
export function findBinaries(
  bin?: string,
  pathList?: string,
): { binDir: string; toolboxPath: string };
export default codexMock;
