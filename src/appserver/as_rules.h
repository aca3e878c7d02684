/* as_rules — which scenario a `turn/start` plays (CODEX_MOCK_RULES, docs/rules.md,
 * docs/app-server.md "Scenarios per turn"). Internal to src/appserver.
 *
 * Without a rules file every turn plays the process's scenario (CODEX_MOCK_SCENARIO, s->sc).
 * With one, each turn/start is matched as an invocation whose command is `app-server`, whose
 * prompt is the turn's input text, whose cwd is the thread's, whose flags are the process's
 * argv and whose invocation number is the turn/start's number in this process (1-based). The
 * rule's scenario (a sequence: its position per rule or per thread, kept in the state
 * directory as exec keeps it) is loaded once and kept until the server ends; the thread's Nth
 * turn plays that scenario's Nth turn. The process's scenario still gives the process-wide keys
 * (`startup`, `cli`).
 *
 * as_rules_open() loads the file at start-up (-1: the diag printed on stderr, exit 78).
 * as_rules_pick() returns the scenario, or NULL with *why set (heap, the caller frees): no rule
 * matches, or the scenario does not load — the turn/start is then answered with a codex-mock
 * error. as_rules_free() releases the rules and every scenario loaded. */
#ifndef CODEX_MOCK_AS_RULES_H
#define CODEX_MOCK_AS_RULES_H

#include "as_server.h"

int as_rules_open(as_server *s, const mock_settings *set);
const scenario *as_rules_pick(as_server *s, as_thread *th, const char *text, char **why);
void as_rules_free(as_server *s);

#endif
