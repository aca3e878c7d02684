/* appserver — `codex app-server`: the JSON-RPC face of the scenarios over stdio
 * (docs/app-server.md).
 *
 * appserver_main() runs the whole process: it reads newline-delimited JSON-RPC from stdin,
 * answers on stdout as the real 0.171.0 does, plays the selected scenario's turns for
 * `turn/start`, and returns the exit code (stdin EOF, invalid UTF-8 and SIGTERM → 0). SIGINT
 * during a turn kills the process by the signal, as the real one dies. `argv` holds the words
 * after `app-server`: `--listen stdio://` (or none) is accepted; any other listener is a
 * codex-mock error (stderr, exit 78). The clock, spawn time and settings are the caller's. */
#ifndef CODEX_MOCK_APPSERVER_H
#define CODEX_MOCK_APPSERVER_H

#include "clock.h"
#include "settings.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const mock_clock *clk;
    int64_t spawn; /* monotonic ns the process was spawned at */
    double speed;  /* CODEX_MOCK_SPEED */
    bool has_seed;
    uint64_t seed;                 /* CODEX_MOCK_SEED */
    int64_t wall_start;            /* Unix ms at spawn */
    const mock_settings *settings; /* CODEX_MOCK_SCENARIO and its path, … */
    int argc;                      /* the whole command line, for the journal */
    char *const *argv;
} appserver_params;

int appserver_main(int argc, char **argv, const appserver_params *p);

#endif
