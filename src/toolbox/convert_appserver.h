/* convert_appserver — a recorded `codex app-server` session (the corpus layout of
 * tests/corpus/app-server-0.171.0: DIR/transcript.jsonl, or DIR/procN/transcript.jsonl for
 * several processes) → one scenario YAML per process that the fake app-server plays so that,
 * under the recorded client, it writes the recorded server lines (docs/convert.md#app-server).
 *
 * What is read from the transcript alone: the start-up (first answer), the model and provider
 * (thread/start's answer), per turn the wait before it goes active (`started_after`), and its
 * items in order with their recorded offsets as `after` / `duration`: `message` (its deltas as
 * `chunks`), `reasoning` (its summary parts), `command` (output chunks, exit code), `file_change`
 * (changes, the turn's diff), `mcp_tool_call`, the approvals asked (`approval:` with the
 * `reason`, and the client's recorded answer as `expect:`),
 * model requests that show no item (`model_request:`), the turn's usage (the sum of its
 * tokenUsage `last` values), failures (`fail:` with the recorded `backoff:` waits, the HTTP
 * status and message), a turn that never ends (`stall: forever`; a started message that never
 * completes keeps its recorded deltas), a process that ended by itself (`exit:`/`signal:` in
 * its turn, or `after_initialize:`), and raw junk before the first answer
 * (`before_initialize:`). Threads whose turns would play from the same scenario turn get
 * scenarios of their own and a rules file that picks them by prompt.
 *
 * Every YAML is proven loadable (scenario_load_mem) and lint-clean of errors before it is
 * returned, and each turn is planned as the fake plays it and compared with the recording
 * (items, order, message texts, start offsets to 0.5 ms until the first approval); a
 * difference, and what could not be carried, is listed in `notes` (and as `# note:` lines in
 * the YAML).
 * The caller owns out->yaml (convert_as_result_free). Errors return -1 with *err filled; nothing
 * is printed. */
#ifndef CODEX_MOCK_CONVERT_APPSERVER_H
#define CODEX_MOCK_CONVERT_APPSERVER_H

#include "buf.h"
#include "convert.h"
#include "diag.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    /* what goes between the output's stem and its extension: "" (the process's scenario),
     * ".procN" (process N of several), then ".threadK" (a further thread's scenario) or
     * ".rules" (the rules file choosing between them by prompt) */
    char *suffix;
    buf yaml;
} convert_as_file;

typedef struct {
    convert_as_file *files; /* in order: per process, its scenario, threads, rules */
    size_t n;
} convert_as_result;

void convert_as_result_free(convert_as_result *r);

/* True when dir holds an app-server recording: dir/transcript.jsonl or dir/proc1/transcript.jsonl.
 */
bool convert_is_appserver(const char *dir);

/* `stem` is the output file's name without folder and extension (the rules file names the
 * scenarios by it); NULL: the recording folder's name. */
int convert_appserver(const char *dir, const convert_options *o, const char *stem,
                      convert_as_result *out, convert_notes *notes, diag *err);

/* One process's transcript (the JSONL text) and its exit.json text (NULL: unknown) → YAML.
 * `name` names the scenario. Exposed for the unit test. */
int convert_appserver_proc(const char *transcript, size_t len, const char *exit_json,
                           const char *name, buf *yaml, convert_notes *notes, diag *err);

#endif
