/* as_requests — see as_requests.h. */
#include "as_requests.h"

#include "jsonw.h"

#include <string.h>
#include <unistd.h>

void asr_journal(buf *list, int err_fd, const asr_entry *e) {
    if (list->len) buf_putc(list, ',');
    buf_printf(list, "{\"request_id\":%lld,\"method\":", (long long)e->request_id);
    jsonw_cstring(list, e->method);
    buf_puts(list, ",\"item_id\":");
    if (e->item_id)
        jsonw_cstring(list, e->item_id);
    else
        buf_puts(list, "null");
    buf_puts(list, ",\"type\":");
    jsonw_cstring(list, e->type);
    buf_puts(list, ",\"subject\":");
    jsonw_string(list, e->subject ? e->subject : "", e->subject ? e->subject_len : 0);
    buf_puts(list, ",\"decision\":");
    if (e->decision)
        jsonw_cstring(list, e->decision);
    else
        buf_puts(list, "null");
    if (e->answer) {
        buf_puts(list, ",\"answer\":");
        buf_puts(list, e->answer);
    }
    buf_puts(list, ",\"latency_ms\":");
    if (e->latency_ns >= 0)
        buf_printf(list, "%.1f", (double)e->latency_ns / 1e6);
    else
        buf_puts(list, "null");
    if (e->timed_out) buf_puts(list, ",\"timed_out\":true");
    if (e->expected) {
        buf_puts(list, ",\"expected\":");
        jsonw_cstring(list, e->expected);
    }
    buf_putc(list, '}');
    if (e->expected && e->decision && strcmp(e->expected, e->decision)) {
        buf n;
        buf_init(&n);
        buf_printf(&n, "codex-mock: server request %lld (%s ", (long long)e->request_id, e->method);
        buf_append(&n, e->subject ? e->subject : "", e->subject ? e->subject_len : 0);
        buf_printf(&n, ") was answered %s; the scenario expects %s\n", e->decision, e->expected);
        ssize_t w = write(err_fd, n.data, n.len);
        (void)w;
        buf_free(&n);
    }
}
