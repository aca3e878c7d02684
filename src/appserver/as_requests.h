/* as_requests — server → client requests of the app-server face beyond the command and file
 * change approvals that as_turn.c builds: their params in the real 0.171.0's key order
 * (openai/codex codex-rs/app-server-protocol, checked against the schema in
 * tests/corpus/app-server-0.171.0/schema/), how an answer is read, and the journal entry every
 * request (approvals included) leaves.
 *
 * Builders append one compact JSON object (the request's `params`) to a caller-owned buf;
 * readers look at the client's `result` (NULL: a JSON-RPC error answer). Nothing here fails
 * or allocates beyond the bufs and what it returns (heap, the caller frees). Internal to
 * src/appserver. */
#ifndef CODEX_MOCK_AS_REQUESTS_H
#define CODEX_MOCK_AS_REQUESTS_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One request for the journal's `approvals` list (docs/app-server.md "Sessions and the
 * journal"). */
typedef struct {
    int64_t request_id;
    const char *method;  /* the server request's method */
    const char *item_id; /* NULL: none (auth refresh) */
    const char *type;    /* command, file_change, mcp_elicitation, permissions, user_input,
                            dynamic_tool_call, auth_refresh */
    const char *subject; /* what was asked: the command, the paths, the tool, … */
    size_t subject_len;
    const char *decision; /* the answer as journaled; NULL: none came */
    const char *answer;   /* the answer's content, compact JSON (journaled as `answer`); NULL */
    int64_t latency_ns;   /* request → answer; < 0: none came */
    const char *expected; /* the scenario's `expect:`; NULL: none */
    bool timed_out;       /* the scenario's `timeout:` passed without an answer */
} asr_entry;

/* Appends the entry (comma separated from what `list` holds) to `list`. When `expected` is
 * given and an answer came that differs, writes one `codex-mock:` note on `err_fd`. */
void asr_journal(buf *list, int err_fd, const asr_entry *e);

#endif
