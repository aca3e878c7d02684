/* yamlw — YAML text that our loader (yread, libyaml) reads back to exactly the given bytes.
 *
 * Used by `codex-mock convert` to write scenarios. Appends to a caller-owned buf. A scalar is
 * written plain only when it is an identifier-like word that YAML cannot mistake for anything
 * else (a number, a bool, null); everything else is double-quoted with YAML escapes: \" \\ \0
 * \t \n \r, \xNN for other C0 controls and DEL, \uNNNN for C1 controls (U+0085 included),
 * U+2028, U+2029, U+FEFF and the noncharacters U+FFFE/U+FFFF, which libyaml would otherwise
 * fold or reject. Bytes that are not valid UTF-8 cannot be written as YAML text at all: those
 * functions return -1 (and append nothing) so the caller can choose another representation —
 * yamlw_binary(), a `!!binary` scalar (base64) that yread reads back as the same bytes.
 *
 * yamlw_json() writes a cJSON value as a YAML flow node ({k: v}, [a, b]): strings as
 * yamlw_scalar() writes them (plain only when YAML cannot read them as anything but a string),
 * integers as integers, other numbers with 17 significant digits, a duplicated key kept as it is
 * (cJSON keeps both members). No allocation is left behind; nothing is printed. */
#ifndef CODEX_MOCK_YAMLW_H
#define CODEX_MOCK_YAMLW_H

#include "buf.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* True when the bytes are valid UTF-8 (what YAML can carry). */
bool yamlw_valid_utf8(const char *s, size_t len);
/* Plain when safe, else double-quoted. Returns 0, or -1 for invalid UTF-8. */
int yamlw_scalar(buf *b, const char *s, size_t len);
/* Always double-quoted. Returns 0, or -1 for invalid UTF-8. */
int yamlw_quoted(buf *b, const char *s, size_t len);
/* Any bytes as `!!binary "BASE64"` (one line). Never fails. */
void yamlw_binary(buf *b, const char *s, size_t len);
/* Text for the rest of a `# ` comment line, which YAML reads back as a comment whatever the
 * bytes: tab and line breaks become spaces, bytes that are not UTF-8 and characters libyaml
 * rejects or takes for a line break (the ones yamlw_quoted() escapes) become U+FFFD. Appends no
 * newline; never fails. */
void yamlw_comment_text(buf *b, const char *s, size_t len);
/* A cJSON value as a YAML flow node. Returns 0, or -1 (appending nothing) when a string or key
 * is not valid UTF-8 or holds a NUL cJSON could not keep (the caller passes `raw_has_nul`, see
 * convert.c). */
int yamlw_json(buf *b, const cJSON *v);

#endif
