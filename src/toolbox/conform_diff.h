/* conform_diff — how `codex-mock conform` compares a real run with a fake one (docs/conform.md).
 *
 * conform_normalise() rewrites what legitimately differs between two runs into placeholders:
 * the run's own directories (<WORK>, <HOME>, <CODEX_HOME>), UUIDs (<UUID>), ISO-8601 times
 * (<TIME>), loopback ports (127.0.0.1:<PORT>) and generated request ids (req_ and 16 or more
 * letters or digits: req_<ID>) and run times (`in 12ms`, `in 1.5s`: in <DURATION>, as human
 * mode prints a command's; timing is compared separately). conform_compare_lines() compares two
 * normalised texts line by line and describes the first difference readably (line number,
 * both lines, and the first differing byte). conform_timing_ok() is the timing tolerance.
 * Everything writes into caller-owned bufs; nothing is printed. */
#ifndef CODEX_MOCK_CONFORM_DIFF_H
#define CODEX_MOCK_CONFORM_DIFF_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *work, *home, *codex_home; /* NULL: not replaced */
} conform_dirs;

void conform_normalise(const char *s, size_t len, const conform_dirs *d, buf *out);

/* true when equal; else *why gets e.g. "line 3 differs at byte 17:\n  real: …\n  fake: …". */
bool conform_compare_lines(const char *real, size_t real_len, const char *fake, size_t fake_len,
                           buf *why);

/* Line times (ms since spawn) agree when |real - fake| <= slack_ms + ratio * max(real, fake). */
bool conform_timing_ok(double real_ms, double fake_ms, double slack_ms, double ratio);

#endif
