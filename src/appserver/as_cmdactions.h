/* as_cmdactions — a commandExecution item's `commandActions` (reference §5, corpus 08/09/11):
 * what the real server makes of the script inside `/bin/bash -lc '…'`, by the rules the real
 * one summarises commands with:
 *
 * - the script is split into simple commands at `&&`, `||`, `|` and `;`; small formatting
 *   helpers of a pipeline (`wc`, `tr`, `cut`, `sort`, `uniq`, `xargs`, `tee`, `column`, `awk`,
 *   `yes`, `printf`, `head`/`tail` without a file, `sed` other than `sed -n N,Mp FILE`) drop out;
 * - `ls` → `{"type":"listFiles","command":…,"path":…}`, `rg`/`grep` → `{"type":"search",
 *   "command":…,"query":…,"path":…}` (paths shown by their last meaningful component);
 * - with several, a `true` drops out, then a leading `echo …` and a `cd …` followed by more;
 * - anything else (and any script with quoting, substitutions or redirections this reader does
 *   not follow) makes the whole script one `{"type":"unknown","command":SCRIPT}` — also when
 *   only one of several commands is unknown. File reads (`cat`, `sed -n`) are not told apart
 *   yet: they are `unknown` too.
 *
 * Appends the JSON array to `out`. */
#ifndef CODEX_MOCK_AS_CMDACTIONS_H
#define CODEX_MOCK_AS_CMDACTIONS_H

#include "buf.h"

#include <stddef.h>

/* `script`: the command inside `/bin/bash -lc '…'` (or the whole command when it is not one). */
void as_command_actions(buf *out, const char *script, size_t len);

#endif
