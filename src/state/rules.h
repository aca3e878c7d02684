/* rules — which scenario answers an invocation (CODEX_MOCK_RULES;
 * docs/architecture.md#scenarios-and-selection, docs/rules.md).
 *
 * A rules file is YAML: `codex_mock_rules: 1` and a list of `rules`, first match wins. A rule
 * matches on the prompt (POSIX extended regex), the command (exec, resume, fork, review, or
 * app-server: one `turn/start` of `codex app-server`, its prompt the input text), flags
 * present in argv (`--json`, or `--sandbox=workspace-write` for a flag with that value), the
 * cwd (regex), environment variables (set, or equal to a value) and the invocation number; it
 * names a scenario, or a `sequence` of scenarios given one per call ("first call 429, second
 * call succeeds"; the last one repeats), counted per rule or per thread.
 *
 * rules_load() validates everything (unknown keys, bad regexes, missing scenarios are left to
 * the caller) and fills *err with FILE:LINE:COL on error. rules_free() releases it all. */
#ifndef CODEX_MOCK_RULES_H
#define CODEX_MOCK_RULES_H

#include "diag.h"

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;
    int line, col;
    bool has_prompt, has_cwd, has_invocation;
    regex_t prompt, cwd;
    char *command;
    char **flags;
    size_t n_flags;
    char **env_names, **env_values; /* value NULL: the variable must be set */
    size_t n_env;
    long invocation;
    char **scenarios; /* one scenario, or a sequence */
    size_t n_scenarios;
    bool per_thread;
} rule;

typedef struct {
    char *file;
    rule *v;
    size_t n;
} rules;

typedef struct {
    const char *prompt;
    const char *cwd;
    const char *command; /* "exec", "resume", "fork", "review", "app-server" */
    const char *const *argv;
    int argc;
    const char *const *envp;
    long invocation;
} rule_input;

int rules_load(const char *path, rules *out, diag *err);
void rules_free(rules *r);
/* The first rule that matches, or NULL. */
const rule *rules_match(const rules *r, const rule_input *in);

#endif
