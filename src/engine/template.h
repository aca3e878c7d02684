/* template — `{{prompt}}`, `{{thread_id}}`, `{{cwd}}`, `{{cwd_parent}}` (cwd's folder),
 * `{{env.NAME}}`, `{{invocation}}`, `{{now}}` in scenario strings: substituted when played, never executed. `{{braces}}` is a
 * literal `{{` (the expansion is one pass: `{{braces}}cwd}}` plays as `{{cwd}}`).
 *
 * template_check() validates a string at load time: 0, or -1 with *bad / *bad_len naming the
 * offending placeholder (the loader turns that into a FILE:LINE:COL error). A `{{` without a
 * closing `}}` is plain text. template_expand() appends the expansion to a caller-owned buf;
 * unknown environment variables expand to nothing. */
#ifndef CODEX_MOCK_TEMPLATE_H
#define CODEX_MOCK_TEMPLATE_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *prompt;
    const char *thread_id;
    const char *cwd;
    const char *const *envp; /* NAME=value strings, NULL-terminated (or NULL) */
    long invocation;         /* 1-based count of invocations in this state dir */
    const char *now;         /* RFC 3339 UTC time the run started */
} template_vars;

bool template_present(const char *s, size_t len);
int template_check(const char *s, size_t len, const char **bad, size_t *bad_len);
void template_expand(buf *out, const char *s, size_t len, const template_vars *v);

#endif
