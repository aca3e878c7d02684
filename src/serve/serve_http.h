/* serve_http — the model server itself: libmicrohttpd on 127.0.0.1, one thread per connection,
 * answering `POST …/responses` from a serve_plan in order (docs/serve.md).
 *
 * serve_start() binds 127.0.0.1:<port> (0: a free port, see serve_port()) and serves until
 * serve_stop(), which also wakes streams that are pausing or stalled. Every request is logged as
 * one JSON line to `log` (if not NULL) and summarised on `summary` (if not NULL): sequence, time
 * since start, method, path, body size, model, input items, tools, and the answer given. Other
 * paths get 404 with a JSON error; a WebSocket upgrade gets 404 as the corpus server answered;
 * requests after the plan is used up get HTTP 500 "codex-mock serve: script exhausted".
 * The plan must outlive the server. Errors (bind failure) are returned in *err. */
#ifndef CODEX_MOCK_SERVE_HTTP_H
#define CODEX_MOCK_SERVE_HTTP_H

#include "diag.h"
#include "serve_plan.h"

#include <stdio.h>

typedef struct serve_server serve_server;

typedef struct {
    const serve_plan *plan;
    int port;
    FILE *log;
    FILE *summary;
} serve_options;

int serve_start(const serve_options *o, serve_server **out, diag *err);
int serve_port(const serve_server *s);
/* Requests answered from the plan so far (the `…/responses` ones). */
size_t serve_responses_served(serve_server *s);
void serve_stop(serve_server *s);

#endif
