/* sse — the bytes of one streamed Responses API answer (docs/serve.md "Wire format").
 *
 * sse_render() expands a RESP_SSE serve_response into the event series the real API streams:
 * response.created, response.in_progress, per item output_item.added, its deltas (content part
 * and output_text deltas for messages, reasoning summary part and text deltas, function call
 * arguments and custom tool input deltas, web search phases), output_item.done, then
 * response.completed with usage (or response.failed / response.incomplete, or nothing). Each
 * event is one frame `event: TYPE\ndata: JSON\n\n` with a sequence_number; pauses (SI_SLEEP)
 * and the cut (cut_after) are kept as separate entries so the server can sleep or drop the
 * connection between frames. The stream owns its memory (sse_stream_free). */
#ifndef CODEX_MOCK_SSE_H
#define CODEX_MOCK_SSE_H

#include "buf.h"
#include "serve_plan.h"

#include <stdint.h>

typedef struct {
    size_t off, len;  /* the frame's bytes in sse_stream.bytes (len 0: a pause) */
    int64_t sleep_ms; /* a pause before the next frame */
} sse_chunk;

typedef struct {
    buf bytes;
    sse_chunk *v;
    size_t n, cap;
    size_t frames; /* frames kept (after the cut) */
} sse_stream;

/* response_id "resp_…", model as the request asked, created_at Unix seconds. */
void sse_render(const serve_response *r, const char *response_id, const char *model,
                int64_t created_at, sse_stream *out);
void sse_stream_free(sse_stream *s);

/* One frame: `event: TYPE\ndata: JSON\n\n`. */
void sse_frame(buf *b, const char *type, const char *json, size_t len);
/* The Responses API usage object: input_tokens, input_tokens_details.cached_tokens,
 * output_tokens, output_tokens_details.reasoning_tokens, total_tokens. */
void sse_usage_json(buf *b, const usage *u);

#endif
