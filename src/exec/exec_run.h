/* exec_run — the fake `codex exec` (and `exec resume|fork|review`) from parsed arguments to
 * exit code, in the real CLI's start-up order (docs/behaviour.md).
 *
 * One run context goes through the phases in order — pre-flight, state, select+load, prompt,
 * checks, thread, sinks, play — and every phase either hands on or sets the exit code and
 * stops the chain; one cleanup path (finish) writes the journal line and frees everything,
 * whichever phase stopped. Errors the real CLI would print are printed with its texts and its
 * exit codes; codex-mock's own (a scenario that does not load, a bad rules file) are printed
 * as `codex-mock: …` and exit EXIT_MOCK_ERROR.
 *
 * The caller keeps ownership of everything in exec_request; `preloaded` (a scenario read
 * before the arguments were parsed, to choose the version profile) is taken when used: the
 * run sets it to NULL then, else the caller still frees it. */
#ifndef CODEX_MOCK_EXEC_RUN_H
#define CODEX_MOCK_EXEC_RUN_H

#include "cli.h"
#include "run.h"
#include "scenario.h"
#include "settings.h"

typedef struct {
    invocation *inv;
    const version_profile *vp;
    run_clock *rc; /* the run may shift rc->spawn by the time a stdin read blocked */
    const mock_settings *settings;
    int argc;
    char **argv;
    scenario *preloaded; /* may be NULL; set to NULL when the run takes it */
} exec_request;

int exec_run(exec_request *req);

#endif
