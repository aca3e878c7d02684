/* serve_plan — a scenario as the model server answers it (docs/serve.md): the successive
 * Responses API answers the real CLI gets, one per `POST /v1/responses`.
 *
 * serve_plan_build() walks every turn's steps in order. Items the model produces (message,
 * reasoning, web search) go into the current streamed response; a step the real CLI executes
 * (command, file change, MCP call, todo list) becomes a tool call that ends the response, so the
 * next response carries what follows; a `usage` step ends the response with that usage.
 * `fail` / `reconnect` / `http_retries` become HTTP errors, cut or stalled streams, repeated as
 * often as the real retry loop asks (a terminal `fail` forever). Steps only the client can do
 * (exit, signal, raw bytes, stderr, closing stdout, raw events) are not the server's and are
 * listed in `unserved` (name and line) for callers that must know.
 *
 * Everything lives in the plan's arena; serve_plan_free() releases it. Building never fails:
 * a failure kind the server cannot produce is answered with HTTP 500 and named in `unserved`. */
#ifndef CODEX_MOCK_SERVE_PLAN_H
#define CODEX_MOCK_SERVE_PLAN_H

#include "arena.h"
#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SI_MESSAGE,          /* text, phase (NULL: none) */
    SI_REASONING,        /* text: one summary part */
    SI_FUNCTION_CALL,    /* name, ns (NULL: none), call_id, text: arguments JSON */
    SI_CUSTOM_TOOL_CALL, /* name, call_id, text: input */
    SI_WEB_SEARCH,       /* text: action JSON */
    SI_SLEEP             /* sleep_ms: a pause mid-stream */
} serve_item_kind;

typedef struct {
    serve_item_kind kind;
    const char *phase;
    const char *name, *ns, *call_id;
    const char *text;
    size_t text_len;
    int64_t sleep_ms;
} serve_item;

typedef enum {
    RESP_SSE,   /* 200 text/event-stream */
    RESP_HTTP,  /* a plain answer: status, headers, body */
    RESP_CLOSE, /* read the request, close without an answer */
    RESP_HANG   /* 200 + SSE headers, then nothing for hang_ms, then the connection drops */
} serve_resp_kind;

typedef enum { FINAL_COMPLETED, FINAL_FAILED, FINAL_INCOMPLETE, FINAL_NONE } serve_final;
typedef enum { CUT_NONE, CUT_ABORT, CUT_EOF } serve_cut;

typedef struct {
    const char *name, *value;
} serve_header;

typedef struct {
    serve_resp_kind kind;
    int repeat; /* how many requests it answers; -1: every request from here on */
    int turn;   /* 0-based turn of the scenario */
    int line;   /* scenario line of the step that shaped it */
    /* RESP_SSE */
    serve_item *items;
    size_t n_items;
    bool has_usage;
    usage use;
    serve_final final;
    const char *error_code, *error_message; /* FINAL_FAILED */
    const char *incomplete_reason;          /* FINAL_INCOMPLETE */
    int cut_after;                          /* SSE events sent before the cut; -1: no cut */
    serve_cut cut;
    /* RESP_HTTP (headers also for RESP_SSE) */
    int status;
    const char *content_type;
    const char *body;
    size_t body_len;
    serve_header *headers;
    size_t n_headers;
    /* RESP_HANG */
    int64_t hang_ms;
} serve_response;

typedef struct {
    const char *what; /* "exit", "signal", "raw", … */
    int line;
} serve_unserved;

typedef struct {
    arena mem;
    serve_response *v;
    size_t n;
    serve_unserved *unserved;
    size_t n_unserved;
    const char *model; /* cli.model, else "gpt-5.5" */
} serve_plan;

/* now_unix: the wall clock, for usage-limit reset times given relative to now. */
void serve_plan_build(const scenario *sc, int64_t now_unix, serve_plan *out);
void serve_plan_free(serve_plan *p);

/* The model's `cmd` for a scenario command: `/bin/bash -lc '<cmd>'` unwrapped (with '\''
 * undone), anything else as given. Allocated in `a`. */
const char *serve_unwrap_command(arena *a, const char *command, size_t len);

#endif
