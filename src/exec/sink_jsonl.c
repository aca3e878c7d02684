#include "event_json.h"
#include "sink.h"

static void jsonl_event(void *ctx, const event *ev, buf *out, buf *err) {
    (void)ctx;
    (void)err;
    event_write_json(out, ev);
}

sink sink_jsonl(void) {
    return (sink){NULL, jsonl_event, NULL, NULL};
}

/* The 0.60-era usage object had three keys (docs/behaviour.md#legacy-profile). */
static void jsonl_legacy_event(void *ctx, const event *ev, buf *out, buf *err) {
    (void)ctx;
    (void)err;
    if (ev->type != EV_TURN_COMPLETED) {
        event_write_json(out, ev);
        return;
    }
    const usage *u = &ev->usage;
    buf_printf(out,
               "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":%lld,"
               "\"cached_input_tokens\":%lld,\"output_tokens\":%lld}}\n",
               (long long)u->input_tokens, (long long)u->cached_input_tokens,
               (long long)u->output_tokens);
}

sink sink_jsonl_legacy(void) {
    return (sink){NULL, jsonl_legacy_event, NULL, NULL};
}
