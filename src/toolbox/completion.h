/* completion — bash and zsh completion scripts from completion specs.
 *
 * A spec is the text cli_spec() writes (cli.h: `sub`, `opt` and `arg` lines, tab-separated),
 * one per program; the toolbox writes its own from its command table. Besides FILE and DIR, an
 * `arg` or `opt` VALUE of SCENARIO completes the names `codex-mock list` prints, and files.
 *
 * completion_script() appends to *out a script that, sourced, completes every program whose
 * spec is given (the program is the first word of the spec's paths). For zsh the script is also
 * an autoloadable `_codex-mock` function file (`#compdef` names `compdef_names`). Returns 0, or
 * -1 for a shell other than `bash` and `zsh` (nothing appended). Malformed spec lines are
 * skipped. */
#ifndef CODEX_MOCK_COMPLETION_H
#define CODEX_MOCK_COMPLETION_H

#include "buf.h"

#include <stddef.h>

int completion_script(const char *shell, const char *const *specs, size_t n_specs,
                      const char *compdef_names, buf *out);

#endif
