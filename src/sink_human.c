#include "sink.h"

static void human_end(void *ctx, const play_end *end, buf *out, buf *err) {
    (void)ctx;
    if (end->reason == END_INTERRUPTED) {
        buf_puts(err, "turn interrupted\n");
        return;
    }
    /* stdout carries only the final message and a newline, and only on success */
    if (end->reason == END_EXIT && end->turn_completed && !end->turn_failed && end->final_message) {
        buf_append(out, end->final_message, end->final_len);
        buf_putc(out, '\n');
    }
}

sink sink_human(void) {
    return (sink){NULL, NULL, human_end};
}
