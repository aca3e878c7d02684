/* show — a scenario's expanded timeline as a person reads it, or as JSON lines for machines
 * (docs/convert.md, docs/architecture.md#toolbox).
 *
 * show_timeline() plans one turn at real pace (seeded: same seed, same times) and appends one
 * row per output to `out`: time since spawn, the gap before it drawn as a bar to scale (the
 * longest gap fills the bar), the stream (stdout / stderr / exit), the event and a short
 * summary. The stdin notice moment (`preflight`) comes first. With `json`, each row is a JSON
 * object on its own line: t_ms, gap_ms, stream, event, item_type, id, summary, and the exact
 * bytes written. Never fails; nothing is printed. */
#ifndef CODEX_MOCK_SHOW_H
#define CODEX_MOCK_SHOW_H

#include "buf.h"
#include "scenario.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    size_t turn;
    uint64_t seed;
    const char *cwd;
    bool json;
    bool human_mode; /* events as the human sink shows them (nothing but the final message) */
    /* the app-server's conversation: the client's requests and its answers to the approvals
     * the scenario asks for, as rows of stream "client" (codex-mock show --app-server, or a
     * scenario only the app-server plays or that asks for approvals) */
    bool app_server;
} show_options;

void show_timeline(const scenario *sc, const show_options *o, buf *out);

/* True for a scenario only the app-server face plays, or one that asks for approvals: show
 * then draws the client's side too. */
bool show_wants_app_server(const scenario *sc);

#endif
