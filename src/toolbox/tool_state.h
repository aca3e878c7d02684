/* tool_state — the toolbox commands over codex-mock's state directory (state.h):
 * `codex-mock journal` prints the recorded invocations as a person reads them,
 * `codex-mock verify` checks expectations on them (count, command, flags, prompts, order) and
 * exits 1 with a readable account of what differs, `codex-mock reset` empties the state.
 *
 * Each takes the arguments after its command word and returns the exit code: 0 ok, 1
 * expectations not met (verify), 2 usage error, 78 when the state cannot be read. Output goes
 * to stdout, errors to stderr. */
#ifndef CODEX_MOCK_TOOL_STATE_H
#define CODEX_MOCK_TOOL_STATE_H

#include "settings.h"

int tool_journal(int argc, char **argv, const mock_settings *set);
int tool_verify(int argc, char **argv, const mock_settings *set);
int tool_reset(int argc, char **argv, const mock_settings *set);

#endif
