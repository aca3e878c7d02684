/* as_diff — the per-file diffs of a fileChange item (reference §5, corpus 13), derived from the
 * `git diff` a scenario's file_change gives in `diff:` (the text human mode prints and the real
 * server sends in turn/diff/updated): an added file's content, a deleted file's old content,
 * an update's hunks with one line of context around each change (what apply_patch reports:
 * `@@ -2,2 +2,2 @@` then the lines).
 *
 * Pure functions over the caller's bytes; nothing is allocated but what `out` grows. */
#ifndef CODEX_MOCK_AS_DIFF_H
#define CODEX_MOCK_AS_DIFF_H

#include "buf.h"
#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends the diff of `path` (as the git diff names it: `diff --git a/PATH b/PATH`) to `out`.
 * false, and `out` untouched, when the git diff has no section for the path. */
bool as_diff_for(buf *out, const char *git_diff, size_t len, const char *path, size_t path_len,
                 change_kind kind);

#endif
