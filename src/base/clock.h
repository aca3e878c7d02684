/* clock — the time source handed to plan and play, so tests can run on a fake clock.
 *
 * A clock is a small vtable: monotonic now (ns), wall-clock now (Unix ms, for ids and
 * timestamps), and a wait that returns at an absolute monotonic deadline or earlier when one of
 * the watched signals arrives (the player's only way to notice SIGINT: no global flag). The
 * system clock needs no setup and owns nothing. */
#ifndef CODEX_MOCK_CLOCK_H
#define CODEX_MOCK_CLOCK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct mock_clock mock_clock;

struct mock_clock {
    int64_t (*mono_ns)(const mock_clock *c);
    int64_t (*wall_ms)(const mock_clock *c);
    /* Waits until mono_ns() >= deadline. Returns 0, or the number of a signal from `watch`
     * (which the caller keeps blocked) that arrived first and was consumed. */
    int (*wait_until)(const mock_clock *c, int64_t deadline_ns, const sigset_t *watch);
    void *ctx;
};

/* CLOCK_MONOTONIC, CLOCK_REALTIME and sigtimedwait(). */
const mock_clock *clock_system(void);

/* How long ago this process was spawned (forked), in ns, estimated from its own CPU time and
 * the time it spent waiting for a CPU (/proc/self/schedstat); 0 when unknown. The caller's
 * deadlines are offsets from spawn, but `main` runs only after exec and dynamic linking — most
 * of a millisecond, more on a loaded machine — so a clock started in `main` makes every line
 * late by that much. Time the process spent blocked (a cold page cache) is not counted, so the
 * estimate errs towards "late", never early. Capped at one second. */
int64_t clock_process_age_ns(void);

/* A clock like `base` whose wall time reads `start_ms` at monotonic time `start_mono` and
 * advances with the monotonic clock (CODEX_MOCK_NOW). The caller owns `ctx_storage`, which
 * must outlive the clock. */
typedef struct {
    const mock_clock *base;
    int64_t start_ms;
    int64_t start_mono;
} fixed_start;

/* Parses UTC RFC 3339 text ("2026-11-21T07:38:03Z", "2026-11-21T07:38:03.123Z": the form
 * rollout timestamps and CODEX_MOCK_NOW use) into Unix ms. Digits past the millisecond are
 * dropped. Returns false, leaving *unix_ms alone, when the text is not exactly that. */
bool clock_parse_utc(const char *text, int64_t *unix_ms);

/* Writes `unix_ms` as "2026-11-21T07:38:03.123Z" (the rollout and journal form) and a NUL.
 * Formatted by hand: a rollout stamps every line, and printf costs more than the rest of it. */
enum { CLOCK_UTC_SIZE = 32 };
void clock_format_utc(char out[CLOCK_UTC_SIZE], int64_t unix_ms);

mock_clock clock_fixed_start(fixed_start *ctx_storage, const mock_clock *base, int64_t start_ms,
                             int64_t start_mono);

#endif
