/* lint — lifecycle rules on a scenario's planned timeline (docs/convert.md#codex-mock-lint-file,
 * docs/architecture.md#toolbox), beyond what the loader checks:
 *   - thread.started is the first event, once;
 *   - turn.started once, before items (a start-up warning item may come before it, §2.7);
 *   - one terminal event per turn (turn.completed or turn.failed), nothing after it, and a
 *     warning when a turn that prints events has none (the real CLI always prints one unless
 *     interrupted);
 *   - item.started only for item types that get one (docs/behaviour.md#items), item.updated only
 * for todo_list and file_change;
 *   - item ids not reused, started items completed;
 *   - turn.failed right after an `error` event with the same message (§4.8).
 * Each turn is planned as its own invocation (seeded, instant). Findings point at the step
 * that produced the event (implicit events: the turn). lint_scenario() appends to *out;
 * findings_free() releases them. Never fails, prints nothing. */
#ifndef CODEX_MOCK_LINT_H
#define CODEX_MOCK_LINT_H

#include "scenario.h"

#include <stddef.h>

typedef enum { FIND_WARNING, FIND_ERROR } finding_level;

typedef struct {
    finding_level level;
    int line, col;
    char *msg;
} finding;

typedef struct {
    finding *v;
    size_t n;
    size_t errors, warnings;
} findings;

void lint_scenario(const scenario *sc, findings *out);
void findings_free(findings *f);

#endif
