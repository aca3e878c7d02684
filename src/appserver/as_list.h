/* as_list — `thread/list` (docs/app-server.md): the threads of this process and those whose
 * rollout files are in CODEX_HOME — earlier app-server processes' and `codex exec`'s —
 * filtered, sorted and paged as the real 0.171.0 does. Internal to src/appserver.
 *
 * Threads: the loaded ones (with a user message, not ephemeral, archived as flagged here), and
 * every rollout-*.jsonl under CODEX_HOME/sessions (CODEX_HOME/archived_sessions for
 * `archived: true`) whose thread is not loaded and that recorded a user message, read back as
 * thread objects (source, originator, provider, model, cwd and git from the file). Filters:
 * `sourceKinds` (default: the interactive sources `cli` and `vscode`, so exec threads need
 * `sourceKinds: ["exec"]`), `modelProviders` and `cwd` (exact), `searchTerm` (a substring of
 * the name or preview), `includedThreadIds` / `excludedThreadIds`. Order: `sortKey`
 * `created_at` (default) or `updated_at`/`recency_at`, then the id; `sortDirection` `desc`
 * (default) or `asc`. Pages: `limit` (default 25, at most 100), `nextCursor`
 * "<key time, RFC 3339 seconds>|<last id>" when more follow, `cursor` continuing strictly after
 * it; `backwardsCursor` the first row's time in milliseconds. `readStates` point at each listed
 * thread's latest turn.
 *
 * as_list_threads() appends the result object to *out and returns 0, or returns -1 with *err
 * (heap) the error text (a cursor it cannot read: "invalid cursor: <cursor>"). */
#ifndef CODEX_MOCK_AS_LIST_H
#define CODEX_MOCK_AS_LIST_H

#include "as_server.h"

#include <cjson/cJSON.h>

typedef struct {
    int64_t limit; /* -1: the default */
    const char *cursor;
    bool archived;
    const char *sort_key;                  /* NULL: created_at */
    bool ascending;                        /* sortDirection asc */
    const cJSON *cwd;                      /* a string or an array of them, or NULL */
    const cJSON *providers, *source_kinds; /* arrays or NULL */
    const char *search;
    const cJSON *included, *excluded; /* arrays or NULL */
} as_list_opts;

int as_list_threads(as_server *s, const as_list_opts *o, buf *out, char **err);

#endif
