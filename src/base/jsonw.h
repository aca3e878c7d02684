/* jsonw — JSON text exactly as the real CLI (serde_json) writes it.
 *
 * Appends to a caller-owned buf; never fails. Strings are written with serde_json's escaping:
 * `"` and `\` escaped, \n \r \t \f \b short forms, every other U+0000–U+001F as \u00xx with
 * lowercase hex, everything else (DEL, C1, U+2028, non-ASCII, `/`) raw. Strings are byte ranges
 * and may contain NUL. Floats use the shortest text that reads back to the same double, in
 * serde_json's (ryu's) shape: `1.0`, `0.25`, `1e20`, `1.5e-7`; non-finite becomes null. */
#ifndef CODEX_MOCK_JSONW_H
#define CODEX_MOCK_JSONW_H

#include "buf.h"

#include <stdbool.h>
#include <stdint.h>

void jsonw_string(buf *b, const char *s, size_t len);
void jsonw_cstring(buf *b, const char *s);
void jsonw_int(buf *b, int64_t v);
void jsonw_double(buf *b, double v);
void jsonw_bool(buf *b, bool v);
void jsonw_null(buf *b);
/* `"key":` — keys are written with the same escaping as strings. */
void jsonw_key(buf *b, const char *key);

#endif
