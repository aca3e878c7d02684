/* as_write — the app-server's lines, keys in the real server's order (reference §2):
 *   response      {"id":ID,"result":RESULT}
 *   error         {"error":{"code":C,"message":M},"id":ID}
 *   notification  {"method":M,"params":P,"emittedAtMs":MS}
 *   server request {"method":M,"id":N,"params":P}
 * Each function appends one whole line with its "\n" to a caller-owned buf; `json` arguments are
 * already-serialised compact JSON. Nothing here fails or allocates beyond the buf. */
#ifndef CODEX_MOCK_AS_WRITE_H
#define CODEX_MOCK_AS_WRITE_H

#include "as_rpc.h"
#include "buf.h"

#include <stdint.h>

void asw_response(buf *b, const as_id *id, const char *json, size_t len);
void asw_error(buf *b, const as_id *id, int code, const char *message);
void asw_notification(buf *b, const char *method, const char *params, size_t len,
                      int64_t emitted_ms);
void asw_server_request(buf *b, const char *method, int64_t id, const char *params, size_t len);

#endif
