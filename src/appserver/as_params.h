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
/* `params` itself must be a map: 0, or -1 with "invalid type: …, expected struct NAME". */
int as_params_struct(const cJSON *params, const char *name, buf *err);

#endif
