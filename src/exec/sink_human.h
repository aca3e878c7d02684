/* sink_human — the real CLI's default (non-`--json`) output (docs/behaviour.md#human-mode).
 *
 * stdout gets only the final message and "\n", and only when the turn completed without a
 * turn.failed. stderr gets, as the events are played:
 *   thread.started      the header block (`OpenAI Codex v…`, `--------`, workdir, model,
 *                       provider, approval, sandbox, reasoning effort, reasoning summaries,
 *                       session id = the event's thread id, `--------`), then `user` and the
 *                       prompt, then the bubblewrap warning when asked for;
 *   reasoning           its text; agent_message: `codex` and the text;
 *   command             `exec` / `<command> in <workdir>` when it starts; ` succeeded in Nms:` or
 *                       ` exited N in Nms:`, at most 20 output lines and a blank line when done;
 *   file_change         `apply patch`; then `patch: completed|failed`, one path per line and the
 *                       item's diff text (if any) followed by "\n";
 *   mcp_tool_call       `mcp: server/tool started`, then `mcp: server/tool (completed|failed)`;
 *   web_search          `web search: <query>` at start and completion;
 *   todo_list           started/updated: the explanation (if any), then `  → step` (in
 *                       progress), `  • step` (pending), `  ✓ step` (completed);
 *   error item          `warning: <text>`;
 *   error event         `ERROR: <message>`, a `Reconnecting... …` notice without its
 *                       parenthesised cause; turn.failed: `ERROR: <message>` (so a terminal
 *                       error shows twice, as in the real CLI);
 *   turn.completed      `tokens used` and (input − cached) + output with thousands separators;
 *   SIGINT              `turn interrupted`.
 * With `color`, the styles of §3.3 (ANSI SGR) are applied; stdout is never coloured.
 *
 * The caller owns the state and the option strings (they must outlive the run). sink_human()
 * in sink.h is the bare form (no header, no progress: final message and interruption only). */
#ifndef CODEX_MOCK_SINK_HUMAN_H
#define CODEX_MOCK_SINK_HUMAN_H

#include "sink.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *version;   /* printed after `OpenAI Codex v` */
    bool research_preview; /* 0.60-era: ` (research preview)` after the version */
    const char *workdir, *model, *provider, *approval, *sandbox, *reasoning_effort,
        *reasoning_summaries;
    const char *prompt; /* echoed after `user` */
    bool color;
    bool bwrap_warning; /* Linux without bwrap on PATH, sandboxed: the real CLI's warning */
} human_opts;

typedef struct {
    human_opts o;
} human_state;

sink sink_human_full(human_state *st, const human_opts *o);

/* `1234567` → `1,234,567` (negative numbers keep their sign). */
void human_thousands(buf *b, int64_t v);
/* The `ERROR:` text of an error event: a reconnect notice loses its ` (cause)`. */
void human_error_text(buf *b, const char *msg, size_t len);

#endif
