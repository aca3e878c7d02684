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
#include "jval.h"

#include <cjson/cJSON.h>
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

/* mcpServer/elicitation/request for an MCP tool call that needs approval (0.171.0's
 * core/src/mcp_tool_call.rs, feature tool_call_mcp_elicitation, stable and on by default):
 *   {threadId, turnId, serverName, environmentId: null, mode: "form",
 *    _meta: {codex_approval_kind: "mcp_tool_call", persist: ["session","always"],
 *            tool_params: <arguments>, tool_params_display: [{name, value, display_name}]},
 *    message: "Allow the <server> MCP server to run tool \"<tool>\"?",
 *    requestedSchema: {type: "object", properties: {}}}
 * `arguments` NULL: no tool_params; not an object: no tool_params_display (sorted by name). */
void asr_mcp_elicitation(buf *b, const char *thread_id, const char *turn_id, const char *server,
                         size_t server_len, const char *tool, size_t tool_len,
                         const jval *arguments);

/* How the real server reads an elicitation answer {action, content, _meta}: */
typedef enum {
    ASR_MCP_ACCEPT,  /* action accept: the tool runs */
    ASR_MCP_SESSION, /* accept with _meta.persist "session" or "always": remembered too */
    ASR_MCP_DECLINE, /* "user rejected MCP tool call" */
    ASR_MCP_CANCEL   /* cancel, a JSON-RPC error, an unreadable answer:
                        "user cancelled MCP tool call" */
} asr_mcp_answer;
asr_mcp_answer asr_mcp_read(const cJSON *result, const char **journaled);
#define ASR_MCP_DECLINED_TEXT "user rejected MCP tool call"
#define ASR_MCP_CANCELLED_TEXT "user cancelled MCP tool call"

/* The other requests (a scenario step each: user_input, dynamic_tool_call, auth_refresh,
 * permissions; `body` is the step's mapping as written). Shapes from the 0.171.0 schema, key
 * order from the protocol's v2 structs:
 *   item/tool/requestUserInput      {threadId, turnId, itemId, questions: [{id, header,
 *                                    question, isOther, isSecret, options}], isBlocking: true,
 *                                    autoResolutionMs: null}
 *   item/tool/call                  {threadId, turnId, callId, namespace, tool, arguments}
 *   account/chatgptAuthTokens/refresh {reason: "unauthorized", previousAccountId}
 *   item/permissions/requestApproval {threadId, turnId, itemId, startedAtMs, environmentId,
 *                                    cwd, reason, permissions} */
void asr_user_input(buf *b, const char *thread_id, const char *turn_id, const char *item_id,
                    const jval *body);
void asr_tool_call(buf *b, const char *thread_id, const char *turn_id, const char *call_id,
                   const jval *body);
void asr_auth_refresh(buf *b, const jval *body);
void asr_permissions(buf *b, const char *thread_id, const char *turn_id, const char *item_id,
                     int64_t started_ms, const char *cwd, const jval *body);
/* A dynamicToolCall item, left open for the caller's startedAtMs/completedAtMs: {type, id,
 * namespace, tool, arguments, status, contentItems, success, durationMs}. `result`: the
 * client's answer when done (NULL: none, or an error). */
void asr_tool_call_item(buf *b, const char *id, const jval *body, bool done, const cJSON *result,
                        int64_t duration_ms);

/* Appends the entry (comma separated from what `list` holds) to `list`. When `expected` is
 * given and an answer came that differs, writes one `codex-mock:` note on `err_fd`. */
void asr_journal(buf *list, int err_fd, const asr_entry *e);

#endif
