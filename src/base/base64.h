/* base64 — the standard alphabet (RFC 4648 §4, `=` padding), for YAML's `!!binary` scalars:
 * bytes that are not UTF-8 text (a recorded line with invalid UTF-8) travel through a scenario
 * file as base64.
 *
 * base64_encode() appends the encoding of `len` bytes to `out` (no line breaks).
 * base64_decode() appends the decoded bytes of `text` to `out`; whitespace (YAML folds long
 * !!binary scalars over several lines) is skipped. It returns 0, or -1 when the text is not
 * base64 (a character outside the alphabet, padding in the middle, a length that is not a
 * multiple of 4 once whitespace is dropped); *bad is then the offset in `text` where it failed,
 * and `out` may hold a part of the bytes. */
#ifndef CODEX_MOCK_BASE64_H
#define CODEX_MOCK_BASE64_H

#include "buf.h"

#include <stddef.h>

void base64_encode(buf *out, const void *data, size_t len);
int base64_decode(buf *out, const char *text, size_t len, size_t *bad);

#endif
