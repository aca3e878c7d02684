/* chaos — seeded random faults injected into any scenario (CODEX_MOCK_CHAOS or the scenario's
 * `chaos:` key), so a test suite can shake an orchestrator's retry logic reproducibly.
 *
 * Before each item step the planner draws, from its own seeded rng: a reconnect (1–3 notices,
 * then the turn goes on), a stall, or a failure that ends the turn (stream_closed, retries
 * exhausted). The same seed gives the same faults.
 *
 * The app-server face (docs/app-server.md#chaos) draws its process and protocol faults from its
 * own seeded rng too: at `initialize` (exit_after_initialize, kill_after_initialize), at each
 * turn/start (exit_at_turn_start), for each request (wrong_id, no_answer), for each line
 * written (torn, close_stdout), and once per process (drip, with drip_delay per byte).
 *
 * chaos_parse() reads the text form `reconnect=0.2,stall=0.1,stall_for=3s,fail=0.05,torn=0.01`;
 * errors fill *err (the caller decides the file/variable name it names) and return -1. */
#ifndef CODEX_MOCK_CHAOS_H
#define CODEX_MOCK_CHAOS_H

#include "diag.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool enabled;
    double reconnect; /* probability per item step */
    double stall;
    double fail;
    int64_t stall_ns; /* how long a stall lasts (default 5 s) */
    /* the app-server's faults (probabilities) */
    double exit_after_initialize; /* once, at initialize: exit 1 after its answer */
    double kill_after_initialize; /* once, at initialize: SIGKILL after its answer */
    double exit_at_turn_start;    /* per turn/start: exit 1 once its answer is out */
    double wrong_id;              /* per request: the answer carries the id + 1000 */
    double no_answer;             /* per request: never answered */
    double torn;                  /* per line: half of it, then exit 0 */
    double close_stdout;          /* per line: stdout closed after it, the process lives on */
    double drip;                  /* once per process: stdout a byte at a time */
    int64_t drip_ns;              /* drip_delay: between two bytes (default 1 ms) */
} chaos_spec;

int chaos_parse(const char *text, chaos_spec *out, diag *err);

/* True when a key of the app-server's is non-zero. */
bool chaos_app_server(const chaos_spec *c);

#endif
