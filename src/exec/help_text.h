/* help_text — the real CLI's help texts, as data: help/codex-<version>/ holds what `--help` and
 * `-h` print for every command of that release (the long texts copied from the real traces in
 * tests/corpus, the short ones recorded from the same binary), embedded at build time by
 * cmake/embed_help.cmake. Only the 0.171.0 profile has them; older profiles generate their help
 * from cli.c's tables.
 *
 * help_text_find() looks a command up by its path without `codex` ("" for the root,
 * "exec resume", "mcp add") and returns the entry (static, never freed) or NULL. */
#ifndef CODEX_MOCK_HELP_TEXT_H
#define CODEX_MOCK_HELP_TEXT_H

#include <stddef.h>

typedef struct {
    const char *path;
    const char *long_text; /* `--help` and `help COMMAND` */
    size_t long_len;
    const char *short_text; /* `-h` */
    size_t short_len;
} help_entry;

extern const help_entry HELP_171[];
extern const unsigned long HELP_171_COUNT;

const help_entry *help_text_find(const char *path);

#endif
