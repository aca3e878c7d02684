/* as_params — reading a request's `params` with serde's error texts, so a wrong type or a
 * missing field is answered as the real server answers it (reference §4):
 *   invalid type: integer `42`, expected a string
 *   missing field `threadId`
 * Each getter returns 0 (found: *out set), 1 (absent or null and optional: *out untouched) or
 * -1 with the text (without the "Invalid request: " prefix) appended to *err. Values point into
 * the cJSON tree. */
#ifndef CODEX_MOCK_AS_PARAMS_H
#define CODEX_MOCK_AS_PARAMS_H

#include "buf.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* serde's "unexpected" part for a JSON value: integer `42`, string "x", map, sequence, … */
void as_params_unexpected(buf *b, const cJSON *v);

int as_param_string(const cJSON *params, const char *key, bool required, const char **out,
                    buf *err);
int as_param_int(const cJSON *params, const char *key, bool required, int64_t *out, buf *err);
int as_param_bool(const cJSON *params, const char *key, bool required, bool *out, buf *err);
/* An array (any elements): *out is the cJSON array. */
int as_param_array(const cJSON *params, const char *key, bool required, const cJSON **out,
                   buf *err);
/* `params` itself must be a map: 0, or -1 with "invalid type: …, expected struct NAME" (a
 * sequence shorter than the struct: "invalid length N, expected struct NAME with K elements"). */
int as_params_struct(const cJSON *params, const char *name, buf *err);

/* An optional unit-variant enum given as a string (`variants` NULL-terminated): "unknown
 * variant `x`, expected one of `a`, `b`". `expected` non-NULL: a map is accepted too (its key is
 * the variant) and other types say "expected <expected>" (e.g. "string or map"). */
int as_param_enum(const cJSON *params, const char *key, const char *const *variants,
                  const char *expected, const cJSON **out, buf *err);
/* An internally tagged enum value `v` (tag member `tag`): *out is the variant (from
 * `variants`); errors "invalid type: …, expected internally tagged enum NAME", "missing field
 * `type`", "unknown variant …". */
int as_param_tagged(const cJSON *v, const char *tag, const char *enum_name,
                    const char *const *variants, const char **out, buf *err);
/* A thread id as the uuid crate reads it: 0 and the canonical lower-case hyphenated form in
 * out, or -1 with the crate's text ("invalid character: … found `n` at 1", "invalid length: …",
 * "invalid group count: …", "invalid group length in group …"). */
int as_uuid_parse(const char *s, char out[37], buf *err);

#endif
