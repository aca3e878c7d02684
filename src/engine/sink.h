/* sink — where played events go (jsonl, human, session, last-message, journal:
 * docs/architecture.md#events).
 *
 * The player calls every sink in order for each event when it is due, then once at the end.
 * Sinks append bytes to the player's stdout/stderr buffers (never write to fds themselves, so
 * the player keeps lines whole and ordered) or write their own files. A sink owns its ctx;
 * the caller that builds it frees it. Sink callbacks cannot fail the run: a sink that cannot
 * write its file reports it on `err` and goes on, as the real CLI does with -o. */
#ifndef CODEX_MOCK_SINK_H
#define CODEX_MOCK_SINK_H

#include "buf.h"
#include "scenario.h"

#include <stdbool.h>

typedef enum {
    END_EXIT,        /* the timeline ended (normally or by an exit step) */
    END_INTERRUPTED, /* a watched signal (SIGINT) stopped it */
    END_BROKEN_PIPE  /* the stdout reader went away */
} end_reason;

typedef struct {
    end_reason reason;
    int exit_code;
    bool turn_completed;       /* a turn.completed was played */
    bool turn_failed;          /* a turn.failed was played */
    const char *final_message; /* last agent_message text of the turn, or NULL */
    size_t final_len;
} play_end;

typedef struct {
    void *ctx;
    void (*on_event)(void *ctx, const event *ev, buf *out, buf *err);
    void (*on_end)(void *ctx, const play_end *end, buf *out, buf *err);
    /* Optional: the player is about to wait, or is done — write out what the sink has
     * gathered, so a file is as current as stdout whenever time passes. */
    void (*on_flush)(void *ctx);
} sink;

/* `codex exec --json`: every event as its JSONL line on stdout. */
sink sink_jsonl(void);
/* The same in the 0.60-era profile: turn.completed's usage has three keys. */
sink sink_jsonl_legacy(void);
/* Default (human) mode: stdout gets only the final message and "\n" on success; an interrupted
 * run says `turn interrupted` on stderr. */
sink sink_human(void);

#endif
