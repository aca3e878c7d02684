/* chaos — seeded random faults injected into any scenario (CODEX_MOCK_CHAOS or the scenario's
 * `chaos:` key), so a test suite can shake an orchestrator's retry logic reproducibly.
 *
 * Before each item step the planner draws, from its own seeded rng: a reconnect (1–3 notices,
 * then the turn goes on), a stall, or a failure that ends the turn (stream_closed, retries
 * exhausted). The same seed gives the same faults. chaos_parse() reads the text form
 * `reconnect=0.2,stall=0.1,stall_for=3s,fail=0.05`; errors fill *err (the caller decides the
 * file/variable name it names) and return -1. */
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
} chaos_spec;

int chaos_parse(const char *text, chaos_spec *out, diag *err);

#endif
