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
} show_options;

void show_timeline(const scenario *sc, const show_options *o, buf *out);

#endif
