/* as_rpc — one line from the client → a JSON-RPC message, classified as the real app-server's
 * serde `JSONRPCMessage` (an untagged enum: Request, Notification, Response, Error) does it.
 *
 * - Not JSON → AS_MSG_INVALID with serde_json's error text (json_check) in `error`.
 * - JSON but no variant fits (not an object, no string `method`, an `id` without `result` or
 *   `error`, …) → AS_MSG_INVALID, "data did not match any variant of untagged enum
 *   JSONRPCMessage".
 * - A string `method` with an `id` that is an integer in i64 range or a string → AS_MSG_REQUEST;
 *   with any other id (a float such as 1.5 or 1.0, null, a bool, an object) the Request variant
 *   fails and the line is read as a Notification — which is why such requests get no answer.
 * - `id` + `result` → AS_MSG_RESPONSE; `id` + `error` → AS_MSG_ERROR.
 * The id's integer-ness is read from its raw text (cJSON keeps only a double): `-0` is 0.
 *
 * as_rpc_parse() fills *m; `root` (cJSON) and the strings are owned by *m: as_rpc_free(). The
 * line must be valid UTF-8 (the reader checks it). */
#ifndef CODEX_MOCK_AS_RPC_H
#define CODEX_MOCK_AS_RPC_H

#include "buf.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    AS_MSG_INVALID,
    AS_MSG_REQUEST,
    AS_MSG_NOTIFICATION,
    AS_MSG_RESPONSE,
    AS_MSG_ERROR
} as_msg_kind;

typedef struct {
    bool is_string;
    int64_t i;
    char *s; /* heap when is_string */
    size_t len;
} as_id;

typedef struct {
    as_msg_kind kind;
    as_id id;            /* REQUEST, RESPONSE, ERROR */
    const char *method;  /* REQUEST, NOTIFICATION: into root */
    const cJSON *params; /* NULL when absent */
    bool has_params;     /* `params` present (even null) */
    const cJSON *result; /* RESPONSE */
    cJSON *root;
    buf error; /* INVALID: serde's text */
} as_msg;

void as_rpc_parse(const char *line, size_t len, as_msg *m);
void as_rpc_free(as_msg *m);

as_id as_id_copy(const as_id *id);
void as_id_free(as_id *id);
bool as_id_equal(const as_id *a, const as_id *b);
/* The id as JSON (a number or a string). */
void as_id_write(buf *b, const as_id *id);

/* Finds the raw text of top-level member `key` of the JSON object text (valid JSON); false
 * when absent. */
bool as_rpc_raw_member(const char *text, size_t len, const char *key, const char **start,
                       size_t *n);

#endif
