/* bytediff — test support: compare two byte strings and, when they differ, say where in a way a
 * person can read: the first differing offset (and its line and column), both lengths, and
 * some escaped context of both sides around that offset with a caret under it.
 *
 * bytediff_report() returns -1 when the bytes are equal (nothing printed), otherwise the first
 * differing offset (a common prefix of the shorter side counts: the offset is its length), after
 * printing the account to `out` with `what` (e.g. "plain-message/stdout") as its title.
 * bytediff_escape() appends one byte as it is shown: printable ASCII as is, `\n`, `\t`, `\r`,
 * `\\`, others as `\xNN`; it returns the number of characters written (at most 4). */
#ifndef CODEX_MOCK_TEST_BYTEDIFF_H
#define CODEX_MOCK_TEST_BYTEDIFF_H

#include <stddef.h>
#include <stdio.h>

long bytediff_report(FILE *out, const char *what, const char *expected, size_t expected_len,
                     const char *got, size_t got_len);
int bytediff_escape(FILE *out, unsigned char c);

#endif
