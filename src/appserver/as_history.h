/* as_history — a thread's past turns, read back from its rollout file (the one exec and the
 * app-server write, state/session.h) in the shape `thread/resume` answers with (corpus 15):
 * each turn {id, rootTurnId, items: [userMessage, agentMessage…], itemsView "full", status,
 * error, startedAt, completedAt, durationMs}.
 *
 * as_history_read() appends the JSON array of turns to *turns and fills *h (heap strings:
 * as_history_free). Returns 0, or -1 when the file cannot be read (*err heap). */
#ifndef CODEX_MOCK_AS_HISTORY_H
#define CODEX_MOCK_AS_HISTORY_H

#include "buf.h"

#include <stdint.h>

typedef struct {
    char *preview;      /* the first user message, or NULL */
    char *last_turn_id; /* or NULL */
    char *git_sha, *git_branch;
    /* session_meta's source, originator, model_provider and cwd; the last turn_context's model
     * (each NULL when absent) */
    char *source, *originator, *provider, *cwd, *model;
    int64_t created_ms, updated_ms;
    int n_turns;
    int64_t first_turn_ordinal; /* the first task_started line's ordinal (turns cursor) */
    int64_t last_item_ordinal;  /* the last item_completed line's ordinal (items cursor) */
} as_history;

int as_history_read(const char *path, buf *turns, as_history *h, char **err);
void as_history_free(as_history *h);

#endif
