/* select — which scenario answers this invocation (docs/architecture.md#scenarios-and-selection).
 *
 * CODEX_MOCK_SCENARIO is a built-in name (looked up as NAME.yaml in each directory of
 * CODEX_MOCK_SCENARIO_PATH, then in the built-in library beside the binary) or a path (it
 * contains a '/' or ends in .yaml/.yml). Unset, empty or `default`: the built-in `default`, and
 * when even the library is missing, the copy of it compiled into the binary.
 *
 * On success fills *out (caller calls choice_free()). Errors (no such name or file, a name
 * that tries to leave its directory) fill *err and return -1. */
#ifndef CODEX_MOCK_SELECT_H
#define CODEX_MOCK_SELECT_H

#include "diag.h"

#include <stdbool.h>

typedef struct {
    char *path; /* file to load, or NULL for the embedded default */
    char *name; /* what the user asked for (or "default") */
} scenario_choice;

/* Whether `requested` names a file rather than a scenario (a '/' in it, or .yaml/.yml at
 * the end): then no directory is searched and the caller need not find the library. */
bool scenario_is_path(const char *requested);

/* `builtin_dir` may be NULL. `path_list` is CODEX_MOCK_SCENARIO_PATH (may be NULL). */
int select_scenario(const char *requested, const char *path_list, const char *builtin_dir,
                    scenario_choice *out, diag *err);
void choice_free(scenario_choice *c);

/* The built-in library beside the running binary: <exe dir>/../share/codex-mock/scenarios,
 * or for a binary in <prefix>/lib/codex-mock/bin <prefix>/share/codex-mock/scenarios
 * (layout.h; heap string, or NULL when it does not exist). */
char *builtin_scenario_dir(void);

/* Names of the scenarios in a directory (NULL-terminated, sorted; free with names_free). */
char **list_scenario_names(const char *dir);
void names_free(char **names);

/* The default scenario compiled into the binary. */
extern const char DEFAULT_SCENARIO_YAML[];
extern const unsigned long DEFAULT_SCENARIO_YAML_LEN;

#endif
