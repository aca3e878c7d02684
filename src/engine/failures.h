/* failures — the real CLI's failure catalogue (docs/behaviour.md#retries-and-reconnects,
 * docs/behaviour.md#failure-texts): for each named failure, how many invisible request retries and
 * visible stream retries the real CLI makes, and the exact terminal message, built from parameters
 * (url, request id, message, plan, …).
 *
 * failure_find() looks a name up (NULL if unknown; failure_names() lists them for hints).
 * failure_message() writes the terminal text into a caller-owned buf; it needs the wall clock
 * (Unix seconds) only for usage-limit reset times, which it formats in local time (TZ) as the
 * real CLI does. Nothing here allocates except through the buf. */
#ifndef CODEX_MOCK_FAILURES_H
#define CODEX_MOCK_FAILURES_H

#include "buf.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *name;
    const char *summary;   /* one line, for lint/show/explain */
    int http_retries;      /* invisible request-level retries per attempt (5xx, transport) */
    int stream_retries;    /* visible "Reconnecting... n/M" notices before the terminal error */
    bool advised_delay_ok; /* takes advised_delay (then retried that far apart) */
} failure_kind;

/* Parameters a `fail` step can set; NULL / 0 means the catalogue default. */
typedef struct {
    const char *url;        /* default https://api.openai.com/v1/responses */
    const char *request_id; /* default: none for kinds that print it only when known */
    const char *message;    /* error.message of the body (401, 403, 404, SSE failures, …) */
    const char *body;       /* raw body (400, 502, 503) */
    const char *plan;       /* usage limit plan_type */
    bool has_resets_at;
    int64_t resets_at;      /* Unix seconds */
    const char *model;      /* model_not_found */
    const char *env_var;    /* missing_env_var */
    const char *cf_ray;     /* cloudflare_403 */
    bool owner;             /* workspace credits / spend cap: the owner's wording */
    const char *limit_name; /* usage limit for a named (non-codex) limit */
} failure_params;

const failure_kind *failure_find(const char *name, size_t len);
/* NULL-terminated list of names. */
const char *const *failure_names(void);
/* The terminal message (also the cause in reconnect notices). */
void failure_message(buf *b, const failure_kind *k, const failure_params *p, int64_t now_unix);
/* The usage-limit reset time as the real CLI prints it: `10:26 PM` on the same local day,
 * else `Nov 23rd, 2026 2:13 AM`. */
void format_reset_time(buf *b, int64_t resets_at, int64_t now_unix);

#endif
