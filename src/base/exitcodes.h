/* exitcodes — the exit codes codex-mock's programs use (README "Exit codes").
 *
 * The fake `codex` exits as the real CLI would (0 success, 1 failed turn or fatal error,
 * 2 usage error, 101 broken pipe, 128+N killed by signal N) or with whatever a scenario's
 * `exit` step says; a scenario can ask for any code 0–255 except EXIT_MOCK_ERROR, which is
 * reserved for "codex-mock itself was misconfigured" (a scenario that does not exist or does not
 * load, a bad CODEX_MOCK_* variable), so a test can tell that from "codex failed".
 *
 * The toolbox (`codex-mock lint|show|convert|journal|verify|reset`) uses EXIT_OK, EXIT_USAGE,
 * EXIT_MOCK_ERROR (it could not do its job) and EXIT_CHECK_FAILED: the file it checked or
 * converted has errors, or verify's expectations are not met. `record` exits with the recorded
 * CLI's own code. (docs/architecture.md#exit-codes) */
#ifndef CODEX_MOCK_EXITCODES_H
#define CODEX_MOCK_EXITCODES_H

enum {
    EXIT_OK = 0,
    EXIT_TURN_FAILED = 1,
    EXIT_LOGIN_FAILED = 1, /* `codex login|logout`: the real CLI's failure (also "Not logged in") */
    EXIT_USAGE = 2,
    EXIT_PANIC = 101,
    EXIT_MOCK_ERROR = 78,  /* sysexits' EX_CONFIG */
    EXIT_CHECK_FAILED = 1, /* toolbox: lint found errors, convert failed, verify differs */
};

#endif
