/* as_write — see as_write.h. */
#include "as_write.h"

#include "jsonw.h"

void asw_response(buf *b, const as_id *id, const char *json, size_t len) {
    buf_puts(b, "{\"id\":");
    as_id_write(b, id);
    buf_puts(b, ",\"result\":");
    buf_append(b, json, len);
    buf_puts(b, "}\n");
}

void asw_error(buf *b, const as_id *id, int code, const char *message) {
    buf_printf(b, "{\"error\":{\"code\":%d,\"message\":", code);
    jsonw_cstring(b, message);
    buf_puts(b, "},\"id\":");
    as_id_write(b, id);
    buf_puts(b, "}\n");
}

void asw_notification(buf *b, const char *method, const char *params, size_t len,
                      int64_t emitted_ms) {
    buf_puts(b, "{\"method\":");
    jsonw_cstring(b, method);
    buf_puts(b, ",\"params\":");
    buf_append(b, params, len);
    buf_printf(b, ",\"emittedAtMs\":%lld}\n", (long long)emitted_ms);
}

void asw_server_request(buf *b, const char *method, int64_t id, const char *params, size_t len) {
    buf_puts(b, "{\"method\":");
    jsonw_cstring(b, method);
    buf_printf(b, ",\"id\":%lld,\"params\":", (long long)id);
    buf_append(b, params, len);
    buf_puts(b, "}\n");
}
