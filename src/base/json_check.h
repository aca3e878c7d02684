/* json_check — is this text JSON, and if not, what would serde_json say?
 *
 * The real CLI parses files (the --output-schema file, auth.json) with serde_json and prints
 * its error, e.g. `expected ident at line 1 column 2`. cJSON can parse but reports only a
 * position, so this module re-walks the text with serde_json's grammar and error rules
 * (serde_json 1.x `from_str`: error kinds, which error wins, and the line/column convention —
 * `column` counts bytes from the line start to the error, 0 at EOF of an empty text).
 *
 * json_check() returns true for valid JSON; otherwise false and appends the message (without
 * a trailing newline) to *msg. Covered: every syntax error kind of serde_json (EOF in a
 * value/list/object/string, expected value/ident/`:`/`,` or `]`/`,` or `}`, key must be a
 * string, trailing characters/comma, invalid escape/number, control character in a string,
 * lone surrogates in \u escapes, recursion limit of 128). Not covered: "number out of range"
 * (a float literal beyond f64 is accepted here). The input must already be valid UTF-8 (the
 * real CLI reads the file as a String first). */
#ifndef CODEX_MOCK_JSON_CHECK_H
#define CODEX_MOCK_JSON_CHECK_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

bool json_check(const char *text, size_t len, buf *msg);

/* True when [s, s + len) is valid UTF-8. */
bool json_utf8_valid(const char *s, size_t len);
/* The index of the first byte that is not part of valid UTF-8 (Rust's valid_up_to), or len. */
size_t utf8_valid_up_to(const char *s, size_t len);

#endif
