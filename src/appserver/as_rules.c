/* as_rules — see as_rules.h. */
#include "as_rules.h"

#include "buf.h"
#include "diag.h"
#include "run.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int as_rules_open(as_server *s, const mock_settings *set) {
    s->settings = set;
    if (!set->rules) return 0;
    diag err;
    diag_init(&err);
    if (rules_load(set->rules, &s->rules, &err) < 0) {
        diag_print(&err, stderr);
        diag_free(&err);
        return -1;
    }
    diag_free(&err);
    s->have_rules = true;
    return 0;
}

/* The scenario `name`, loaded once (whole: every turn of a thread plays from it). */
static const scenario *load(as_server *s, const char *name, diag *err) {
    for (size_t i = 0; i < s->n_scenarios; i++)
        if (!strcmp(s->scenarios[i].name, name)) return &s->scenarios[i].sc;
    mock_settings whole = *s->settings;
    whole.stream_above = SIZE_MAX;
    scenario sc;
    if (run_load_scenario(name, &whole, &sc, err) < 0) return NULL;
    s->scenarios = xrealloc(s->scenarios, (s->n_scenarios + 1) * sizeof *s->scenarios);
    s->scenarios[s->n_scenarios].name = xstrdup(name);
    s->scenarios[s->n_scenarios].sc = sc;
    return &s->scenarios[s->n_scenarios++].sc;
}

const scenario *as_rules_pick(as_server *s, as_thread *th, const char *text, char **why) {
    *why = NULL;
    s->turn_starts++;
    if (!s->have_rules) {
        th->sc = NULL;
        th->scenario_name = th->rule_name = NULL;
        return &s->sc;
    }
    rule_input in = {.prompt = text,
                     .cwd = th->cwd,
                     .command = "app-server",
                     .argv = (const char *const *)s->argv,
                     .argc = s->argc,
                     .envp = (const char *const *)environ,
                     .invocation = s->turn_starts};
    const rule *r = rules_match(&s->rules, &in);
    diag err;
    diag_init(&err);
    if (!r) {
        *why =
            xasprintf("codex-mock: %s: no rule matches this turn/start (command app-server, prompt "
                      "\"%.60s\")",
                      s->rules.file, text);
        return NULL;
    }
    size_t pick = 0;
    if (r->n_scenarios > 1) {
        if (!s->have_state) {
            *why = xasprintf("codex-mock: %s: rule '%s': a sequence needs the state directory",
                             s->rules.file, r->name);
            return NULL;
        }
        char *key = r->per_thread ? xasprintf("rule:%s:thread:%s", r->name, th->id)
                                  : xasprintf("rule:%s", r->name);
        long pos = 0;
        int rc = state_next(&s->state, (const char *const *)&key, 1, NULL, &pos, &err);
        free(key);
        if (rc < 0) {
            *why = diag_format(&err);
            diag_free(&err);
            return NULL;
        }
        pick = (size_t)pos < r->n_scenarios ? (size_t)pos : r->n_scenarios - 1;
    }
    const char *name = r->scenarios[pick];
    const scenario *sc = load(s, name, &err);
    if (!sc) {
        /* a name that does not resolve: point at the rule that names it */
        *why = err.file ? diag_format(&err)
                        : xasprintf("codex-mock: %s:%d:%d: rule '%s': %s", s->rules.file, r->line,
                                    r->col, r->name, err.msg ? err.msg : "");
        diag_free(&err);
        return NULL;
    }
    diag_free(&err);
    th->sc = sc;
    th->scenario_name = name;
    th->rule_name = r->name;
    return sc;
}

void as_rules_free(as_server *s) {
    for (size_t i = 0; i < s->n_scenarios; i++) {
        free(s->scenarios[i].name);
        scenario_free(&s->scenarios[i].sc);
    }
    free(s->scenarios);
    s->scenarios = NULL;
    s->n_scenarios = 0;
    if (s->have_rules) rules_free(&s->rules);
    s->have_rules = false;
}
