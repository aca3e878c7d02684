#include "event_json.h"
#include "sink.h"

static void jsonl_event(void *ctx, const event *ev, buf *out, buf *err) {
    (void)ctx;
    (void)err;
    event_write_json(out, ev);
}

sink sink_jsonl(void) {
    return (sink){NULL, jsonl_event, NULL};
}
