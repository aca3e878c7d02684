/* scenario — the in-memory model of one scenario file (docs/format.md,
 * docs/architecture.md#scenarios-and-selection): metadata, turns, steps.
 *
 * Produced by scenario_load() (scenario_load.h), consumed read-only by the planner. Everything
 * (strings, steps, items, jvals) lives in the scenario's arena and goes with scenario_free().
 * Strings are `mstr`: NUL-terminated for convenience, but `len` is authoritative because a
 * scenario may put a NUL inside a message. A zero-length `ptr == NULL` mstr means "not given". */
#ifndef CODEX_MOCK_SCENARIO_H
#define CODEX_MOCK_SCENARIO_H

#include "arena.h"
#include "chaos.h"
#include "diag.h"
#include "failures.h"
#include "jval.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCENARIO_FORMAT_VERSION 1

typedef struct {
    const char *ptr;
    size_t len;
} mstr;

typedef enum {
    ITEM_AGENT_MESSAGE,
    ITEM_REASONING,
    ITEM_COMMAND_EXECUTION,
    ITEM_FILE_CHANGE,
    ITEM_MCP_TOOL_CALL,
    ITEM_WEB_SEARCH,
    ITEM_TODO_LIST,
    ITEM_COLLAB_TOOL_CALL,
    ITEM_ERROR,
    ITEM_TYPE_COUNT
} item_type;

/* The wire names, indexed by item_type. */
extern const char *const ITEM_TYPE_NAMES[ITEM_TYPE_COUNT + 1];

/* Whether the real CLI announces an item of this type with item.started before its
 * item.completed: the ones that take time (a command, a patch, an MCP call, a web search, a
 * collab tool call) and the todo list, which is also updated in place. A message, reasoning or
 * an error only completes (docs/behaviour.md#items). The planner, lint and convert ask this. */
static inline bool item_type_gets_started(item_type t) {
    return t == ITEM_COMMAND_EXECUTION || t == ITEM_FILE_CHANGE || t == ITEM_MCP_TOOL_CALL ||
           t == ITEM_WEB_SEARCH || t == ITEM_TODO_LIST || t == ITEM_COLLAB_TOOL_CALL;
}

typedef enum {
    STATUS_NONE, /* the item type has no status field */
    STATUS_IN_PROGRESS,
    STATUS_COMPLETED,
    STATUS_FAILED,
    STATUS_DECLINED
} item_status;

extern const char *const ITEM_STATUS_NAMES[]; /* indexed by item_status; [STATUS_NONE] = NULL */

typedef enum { CHANGE_ADD, CHANGE_DELETE, CHANGE_UPDATE } change_kind;
extern const char *const CHANGE_KIND_NAMES[];

typedef struct {
    mstr path;
    change_kind kind;
} file_change_entry;

typedef enum { TODO_PENDING, TODO_IN_PROGRESS, TODO_COMPLETED } todo_status;

typedef struct {
    mstr text;
    bool completed;     /* the wire's field: status == TODO_COMPLETED */
    todo_status status; /* plan step status, for human mode's → / • / ✓ (not on the wire) */
} todo_entry;

typedef struct {
    mstr thread_id;
    const char *status; /* one of the agent states, validated by the loader */
    mstr message;       /* ptr NULL → null */
} agent_state;

typedef struct {
    mstr server, tool;
    const jval *arguments; /* NULL → {} */
    const jval *result;    /* NULL → null */
    mstr error;            /* ptr NULL → null, else {"message":…} */
} mcp_call;

typedef struct {
    mstr tool; /* spawn_agent, send_input, wait, close_agent */
    mstr sender;
    mstr *receivers;
    size_t n_receivers;
    mstr prompt; /* ptr NULL → null */
    agent_state *states;
    size_t n_states;
} collab_call;

/* One item of the JSONL stream, every field as the wire has it (docs/behaviour.md#jsonl-events,
 * docs/behaviour.md#items). */
typedef struct {
    item_type type;
    item_status status;
    mstr id; /* not given → the planner assigns item_N */
    union {
        struct {
            mstr text; /* agent_message, reasoning, error */
            /* agent_message, read only by the app-server face: the stream deltas (they join to
             * `text`; n_chunks 0 → the chunker decides) and the time between them */
            mstr *chunks;
            size_t n_chunks;
            bool has_chunk_delay;
            int64_t chunk_delay_ns;
        } text;
        struct {
            mstr command;
            mstr output;
            bool has_exit_code; /* false → null */
            int64_t exit_code;
            int64_t duration_ns; /* how long it ran (human mode's "in Nms"; not on the wire) */
            /* read only by the app-server face: the output's deltas (they join to `output`;
             * n_chunks 0 → one delta) and the time between them */
            mstr *chunks;
            size_t n_chunks;
            bool has_chunk_delay;
            int64_t chunk_delay_ns;
        } cmd;
        struct {
            file_change_entry *v;
            size_t n;
            mstr diff; /* unified diff human mode prints after the paths (not on the wire) */
        } fc;
        mcp_call *mcp; /* the larger variants live out of line to keep steps small */
        struct {
            mstr search_id; /* the provider's id: the second "id" key on the wire */
            mstr query;
            const jval *action; /* NULL → {"type":"search","query":<query>} */
        } ws;
        struct {
            todo_entry *v;
            size_t n;
            mstr explanation; /* plan explanation human mode prints first (not on the wire) */
        } todo;
        collab_call *collab;
    } u;
} item;

typedef struct {
    int64_t input_tokens;
    int64_t cached_input_tokens;
    int64_t cache_write_input_tokens;
    int64_t output_tokens;
    int64_t reasoning_output_tokens;
} usage;

typedef enum {
    EV_THREAD_STARTED,
    EV_TURN_STARTED,
    EV_ITEM_STARTED,
    EV_ITEM_UPDATED,
    EV_ITEM_COMPLETED,
    EV_TURN_COMPLETED,
    EV_TURN_FAILED,
    EV_ERROR,
    EV_TYPE_COUNT
} event_type;

extern const char *const EVENT_TYPE_NAMES[EV_TYPE_COUNT + 1];

/* One JSONL event. `item` for the item events, `usage` for turn.completed (has_usage false →
 * the turn's own usage), `message` for error and turn.failed, `thread_id` for thread.started
 * (not given → the invocation's thread id). */
typedef struct {
    event_type type;
    item item;
    usage usage;
    bool has_usage;
    mstr message;
    mstr thread_id;
} event;

typedef enum {
    TRANSPORT_HTTP,      /* custom providers: every notice shown, 1/M … M/M */
    TRANSPORT_WEBSOCKET, /* the built-in provider: 1/M hidden, then the HTTPS fallback item */
    TRANSPORT_NETWORK    /* unreachable network: "waiting for network", unbounded by default */
} transport_kind;

/* A `reconnect` or `fail` step: the retry loop the real CLI runs
 * (docs/behaviour.md#retries-and-reconnects). */
typedef struct {
    const failure_kind *kind; /* catalogue entry, or NULL when `cause` is given */
    failure_params params;    /* strings in the scenario's arena */
    bool has_resets_in;
    int64_t resets_in_ns; /* usage limit: resets this long after the run starts */
    mstr cause;           /* explicit cause text (reconnect only) */
    const char *
        *messages; /* `message: [a, b, …]`: attempt n uses messages[n-1], the last repeats */
    size_t n_messages;
    int attempts;       /* visible notices; -1 = forever */
    int max;            /* M of "n/M" (stream_max_retries) */
    int hidden_retries; /* invisible request retries per attempt */
    bool hidden_only;   /* http_retries: only those invisible retries, then success */
    bool fail;          /* retries exhausted → error + turn.failed; else the turn goes on */
    transport_kind transport;
    bool log; /* WebSocket: the tracing line on stderr at each failed connect */
    bool has_advised;
    int64_t advised_ns; /* server-advised delay between attempts */
    /* `backoff: [d1, d2, …]`: the waits after each failed attempt (the last repeats), instead
     * of the computed backoff and its jitter: a recording's own waits, replayed exactly */
    const int64_t *backoff_ns;
    size_t n_backoff;
    bool has_request_time;
    int64_t request_ns; /* how long one failing request takes */
} retry_spec;

typedef enum {
    STEP_ITEM,      /* sugar: message, reasoning, command, file_change, mcp_tool_call, ... */
    STEP_TODO_LIST, /* sugar: started, then updated on each later todo_list, completed at turn end
                     */
    STEP_USAGE,     /* sets the usage the turn reports */
    STEP_EVENT,     /* a raw event, exactly as given */
    STEP_STDERR,    /* bytes to stderr (a line: newline added when missing) */
    STEP_RAW,       /* exact bytes to stdout */
    STEP_SLEEP,     /* time passes, nothing is written (u.sleep < 0: forever — a hang) */
    STEP_EXIT,      /* the process exits with a code */
    STEP_RETRY,     /* reconnect / fail: notices on the real schedule, then recover or fail */
    STEP_SIGNAL,    /* the process dies by a signal (SIGKILL, SIGSEGV, …) */
    STEP_CLOSE_STDOUT, /* stdout is closed; the process lives on */
    STEP_MODEL_REQUEST /* a model request that shows no item (a hidden tool such as tool search):
                          the app-server's usage pair for it; exec shows nothing */
} step_kind;

/* `approval:` on a command, file_change or mcp_tool_call step: the step is one the real
 * server's approval policy stops (read only by the app-server face, docs/app-server.md). */
struct step;
typedef struct {
    bool has_reason;
    mstr reason; /* an escalation's justification: on-request asks only for these */
    /* steps played after the item when the client accepts / declines (or answers with an
     * error), before the turn's next step; in the scenario's arena */
    const struct step *on_accept, *on_decline;
    size_t n_on_accept, n_on_decline;
    /* `expect:` what the scenario's author expects the client to answer (accept,
     * acceptForSession, acceptWithExecpolicyAmendment, decline, cancel, error; a recorded
     * session's answer, written by convert); NULL: anything goes. The fake follows the answer
     * it gets either way; a different one is noted on stderr and in the journal. */
    const char *expect;
} approval_spec;

/* The values `expect:` takes (NULL-terminated). */
extern const char *const APPROVAL_EXPECT_NAMES[];

typedef struct step {
    step_kind kind;
    int line, col;                 /* position in the scenario file */
    const approval_spec *approval; /* NULL: the step never asks */
    bool has_after, has_at, has_duration;
    bool exact;          /* STEP_STDERR: write the bytes as given, no newline added */
    bool has_template;   /* some string of the step holds a {{placeholder}} */
    int64_t after_ns;    /* delay since the previous output */
    int64_t at_ns;       /* absolute offset since spawn */
    int64_t duration_ns; /* command / tool calls: between item.started and item.completed */
    union {
        item item;               /* STEP_ITEM, STEP_TODO_LIST */
        const event *ev;         /* STEP_EVENT (in the arena: events are large) */
        usage usage;             /* STEP_USAGE */
        mstr bytes;              /* STEP_STDERR, STEP_RAW; STEP_MODEL_REQUEST: the tool's name */
        int64_t sleep;           /* STEP_SLEEP */
        int exit_code;           /* STEP_EXIT */
        int signal;              /* STEP_SIGNAL */
        const retry_spec *retry; /* STEP_RETRY */
    } u;
} step;

typedef struct {
    int line, col;
    step *steps;
    size_t n_steps;
    bool has_started_after, has_completed_after, has_startup;
    int64_t startup_ns; /* this turn's spawn → thread.started (a resumed run starts faster) */
    int64_t started_after_ns;   /* turn.started after thread.started (or the previous output) */
    int64_t completed_after_ns; /* turn.completed after the last step */
} turn;

/* `cli:` — what the emulated CLI is configured as (header values, version profile, key
 * requirement, schema mode). Unset strings are NULL. */
typedef enum { SCHEMA_MODE_UNSET, SCHEMA_MODE_WARN, SCHEMA_MODE_STRICT } schema_mode;

typedef struct {
    const char *version; /* "0.169.0", "0.60.0", …: printed version and profile */
    const char *model, *provider, *reasoning_effort, *reasoning_summaries;
    bool requires_api_key; /* no key (CODEX_API_KEY / auth.json) → the missing-key failure */
    bool before_prompt;    /* steps play before the prompt is read (config-time failures) */
    bool history;          /* append the prompt to CODEX_HOME/history.jsonl (0.60-era spec) */
    schema_mode schema;    /* --output-schema checking of the final message */
} cli_config;

/* `conform:` — what `codex-mock conform` needs to play the scenario through the real CLI
 * (docs/format.md "conform"): files in the work dir, extra CLI arguments, the prompt, or why it
 * cannot. Strings are not templates. */
typedef struct {
    mstr path, content;
} conform_file;

typedef struct {
    conform_file *files;
    size_t n_files;
    mstr *args; /* before the prompt, after `exec --json` and the conform flags */
    size_t n_args;
    mstr prompt;      /* ptr NULL → "Say hello." */
    mstr skip;        /* ptr NULL → conform plays it; else the reason it is skipped */
    mstr session_gap; /* ptr NULL → session line kinds compared; else why they are not */
    mstr human_gap;   /* ptr NULL → conform --human plays it; else why it is skipped there */
    bool timing_off;  /* `timing: false`: per-line timing is not compared */
} conform_spec;

/* `protocol_faults:` — JSON-RPC faults of the app-server face (docs/app-server.md#protocol-faults).
 * Each applies to every request of its method. */
typedef enum {
    PROTO_WRONG_ID,              /* the answer carries another id */
    PROTO_NO_ANSWER,             /* the request is handled but never answered */
    PROTO_REQUEST_BEFORE_ANSWER, /* turn/start: its turn's first server request comes first */
    PROTO_GHOST_THREAD,          /* turn/start: a turn of a thread nobody started runs alongside */
} proto_fault_kind;

typedef struct {
    proto_fault_kind kind;
    mstr method;     /* the client's request method it applies to */
    bool has_id;     /* wrong_id: `id:` given */
    bool id_is_text; /* … as a string */
    int64_t id_int;
    mstr id_text;
} proto_fault;

/* A big scenario being read as it is played (scenario_open_file(), docs/format.md "Big
 * scenarios"): its turns are not in the model but come from the stream. */
typedef struct scenario_stream scenario_stream;

typedef struct {
    arena mem;
    const char *file; /* path it was loaded from, or "<built-in default>" */
    int format_version;
    mstr name, description;
    mstr thread_id;          /* fixed thread id, else generated */
    bool no_implicit_events; /* implicit_events: false — print only what the steps say */
    chaos_spec chaos;        /* chaos: "reconnect=0.2,…" — seeded faults (see chaos.h) */
    bool sigint_kills;       /* on_sigint: die — no handler, as `codex login` (default: exit 1) */
    unsigned faces;          /* `faces:` FACE_* bits (faces.h); 0: not given, derived */
    /* `before_initialize:` / `after_initialize:` — process steps (raw, stderr, exit, signal,
     * close_stdout) the app-server plays when the first `initialize` comes: before its answer,
     * or after the answer and its start-up notifications (docs/app-server.md#process-faults).
     * In the arena; exec never plays them. */
    const struct step *handshake[2];
    size_t n_handshake[2];
    const proto_fault *proto_faults; /* `protocol_faults:` (app-server only), in the arena */
    size_t n_proto_faults;
    int64_t drip_ns; /* `drip:` the app-server writes stdout a byte at a time, this apart; 0: off */
    bool has_preflight, has_startup;
    int64_t preflight_ns; /* spawn → "Reading … from stdin..." notice and the stdin read */
    int64_t startup_ns;   /* spawn → thread.started */
    cli_config cli;       /* `cli:` */
    conform_spec conform; /* `conform:` */
    turn *turns;          /* NULL with a stream */
    size_t n_turns;
    scenario_stream *stream; /* non-NULL: the turns are read as they are played */
} scenario;

void scenario_free(scenario *sc);

/* The played turn of a streamed scenario, once: skips the turns before `index` (checking them),
 * opens that turn (the last one when there are fewer) and reads its first steps ahead. *t holds
 * the turn's options (no steps); the flags say whether a raw thread.started / turn.started
 * comes before the turn's first other event. -1 on an error (scenario_stream_error). */
int scenario_stream_turn(scenario_stream *st, size_t index, const turn **t,
                         bool *has_thread_started, bool *has_turn_started);
/* The played turn's next step: 1 and *out (valid until the next call), 0 after its last step
 * (the rest of the file read and checked), -1 on an error. */
int scenario_stream_next(scenario_stream *st, const step **out);
/* The error that stopped the stream, or NULL. */
const diag *scenario_stream_error(const scenario_stream *st);
void scenario_stream_close(scenario_stream *st);

#endif
