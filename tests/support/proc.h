/* proc — test support: run a built binary with given argv, environment changes, cwd and
 * stdin; capture stdout and stderr bytes, the arrival time of every line (ms since spawn),
 * and how the process ended. Optionally send a signal at a time, or close stdout early.
 *
 * proc_run() returns 0 when the process ran (whatever its exit), -1 when it could not be
 * started. The result owns its buffers: proc_result_free().
 *
 * CODEX_MOCK_TEST_TIME_SCALE (a number >= 1, default 1) says how many times slower than
 * natively the programs under test may start and run: tools/valgrind sets it, as memcheck makes
 * a process start take ~0.5 s and run 20-50 times slower. The tests widen their wall-clock
 * bounds with proc_ms() — timeouts, "within N ms", allowances for a process's start, signals
 * meant to land once a program has got somewhere — and never use it to skip or loosen a byte,
 * line-count, exit-code or content check. */
#ifndef CODEX_MOCK_TEST_PROC_H
#define CODEX_MOCK_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    double ms;  /* arrival time since spawn */
    char *text; /* the line without its newline (NUL-terminated) */
    size_t len;
} timed_line;

typedef struct {
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
    timed_line *out_lines;
    size_t n_out;
    timed_line *err_lines;
    size_t n_err;
    bool exited;     /* WIFEXITED */
    int exit_code;   /* when exited */
    int term_signal; /* when killed by a signal */
    bool timed_out;  /* killed by proc_run after timeout_ms */
    double duration_ms;
} proc_result;

typedef struct {
    const char *const *argv;  /* argv[0] is the path to run; NULL-terminated */
    const char *const *env;   /* "NAME=value" set on top of the current environment */
    const char *const *unset; /* names removed from the environment */
    const char *cwd;          /* NULL: current directory */
    const char *stdin_data;   /* written then closed; NULL → /dev/null */
    size_t stdin_len;
    double stdin_close_after_ms; /* keep stdin open this long before closing it */
    int signal;                  /* sent after signal_after_ms (0 = none) */
    double signal_after_ms;
    int signal_after_lines;       /* … or once this many stdout lines arrived (with signal) */
    int close_stdout_after_lines; /* close our end of stdout after N lines (0 = never) */
    double timeout_ms;            /* default 20000; proc_run multiplies it by the time scale */
} proc_spec;

int proc_run(const proc_spec *spec, proc_result *out);
void proc_result_free(proc_result *r);

/* CODEX_MOCK_TEST_TIME_SCALE (see above): 1 when unset; a bad value is reported once on stderr
 * and counts as 1. */
double proc_time_scale(void);
/* A wall-clock bound of `ms` natively, widened by the time scale: ms * proc_time_scale(). */
double proc_ms(double ms);

#endif
