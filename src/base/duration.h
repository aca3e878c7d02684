/* duration — the scenario format's time values: `250ms`, `1.5s`, `2m`, `500us`, `1h`, `0`.
 *
 * Parsed exactly (decimal arithmetic, no floating point) into nanoseconds, so a recorded
 * offset such as `46.7ms` plans to exactly 46 700 000 ns. Errors return -1 and a static
 * message explaining the accepted forms; nothing is allocated. */
#ifndef CODEX_MOCK_DURATION_H
#define CODEX_MOCK_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)

/* Returns 0 and sets *out_ns, or -1 and sets *why. */
int duration_parse(const char *s, size_t len, int64_t *out_ns, const char **why);
/* Human form for display: `218ms`, `1.5s`, `46.7ms`, `123s` (0.1 ms resolution below a second,
 * 1 ms above), always in a form duration_parse() reads back. Writes into out (at least 32
 * bytes). */
void duration_format(int64_t ns, char *out, size_t outlen);

#endif
