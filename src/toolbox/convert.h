/* convert — a recording (recording.h) or a session rollout file → scenario YAML that replays
 * the same bytes (docs/convert.md, docs/architecture.md#toolbox).
 *
 * convert_recording() writes readable sugar where it is exact (message, reasoning, warning,
 * command, file_change, mcp_tool_call, web_search, todo_list, usage, with `after`/`duration`/
 * `startup`/`preflight`/`started_after`/`completed_after` from the recorded offsets) and raw
 * `event:` / `raw:` steps where it is not. It proves its own output: the YAML is loaded with
 * scenario_load_mem(), planned at real pace and rendered; any line whose bytes or due time
 * differ from the recording is re-emitted one layer lower (sugar → event → raw bytes) until the
 * plan equals the recording. What even raw bytes cannot carry (bytes that are not UTF-8, an
 * exit code YAML may not ask for, a stdin notice codex-mock prints on its own) is reported in
 * `notes` and as `# note:` comments in the YAML.
 *
 * Recordings without timing (a bare `--json` capture) get no timing keys: the pace model
 * applies, and only bytes are proven. convert_rollout() rebuilds the JSONL stream a session
 * rollout implies (event_msg / response_item lines) and converts that.
 *
 * The YAML is appended to a caller-owned buf; notes are heap strings freed with
 * convert_notes_free(). Errors (unreadable input, a recording that is not one) return -1 with
 * *err filled; nothing is printed. */
#ifndef CODEX_MOCK_CONVERT_H
#define CODEX_MOCK_CONVERT_H

#include "buf.h"
#include "diag.h"
#include "recording.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    bool template_thread_id; /* leave the thread id out: the fake generates one per run */
    const char *source;      /* what was converted, for the header comment */
    int rollout_turn;        /* convert_rollout: which turn (1-based; 0 = the first) */
} convert_options;

typedef struct {
    char **v;
    size_t n;
} convert_notes;

void convert_notes_free(convert_notes *n);

/* Adds a note (printf-style) unless the same text is already there: once is enough. */
void convert_note(convert_notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int convert_recording(const recording *r, const convert_options *o, buf *yaml, convert_notes *notes,
                      diag *err);

/* Rollout file → the recording it implies (stdout only, no timing); used by convert_rollout.
 * *r is initialised either way: recording_free() it. */
int rollout_to_recording(const char *path, int turn, recording *r, convert_notes *notes, diag *err);
int convert_rollout(const char *path, const convert_options *o, buf *yaml, convert_notes *notes,
                    diag *err);
/* The same on a rollout's bytes in memory (no NUL needed; they stay the caller's). `source`
 * (rollout_to_recording_mem) or o->source (convert_rollout_mem; NULL: "<rollout>") names the
 * file in messages. */
int rollout_to_recording_mem(const char *data, size_t len, const char *source, int turn,
                             recording *r, convert_notes *notes, diag *err);
int convert_rollout_mem(const char *data, size_t len, const convert_options *o, buf *yaml,
                        convert_notes *notes, diag *err);

/* True when the file's first line is a rollout envelope (`session_meta`). */
bool convert_is_rollout(const char *path);

#endif
