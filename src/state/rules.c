#include "rules.h"
#include "buf.h"
#include "yread.h"

#include <stdlib.h>
#include <string.h>

static const char *const TOP[] = {"codex_mock_rules", "rules", NULL};
static const char *const RULE_KEYS[] = {"name", "match", "scenario", "sequence", "per", NULL};
static const char *const MATCH_KEYS[] = {"prompt", "command",    "flags", "cwd",
                                         "env",    "invocation", NULL};

typedef struct {
    const char *file;
    diag *err;
} ctx;

static bool is(const ynode *k, const char *s) {
    return k->kind == YN_SCALAR && strlen(s) == k->len && !memcmp(k->value, s, k->len);
}

static int known_keys(ctx *c, const ynode *map, const char *const *keys, const char *what) {
    for (size_t i = 0; i < map->n; i += 2) {
        const ynode *k = map->items[i];
        bool ok = false;
        for (size_t j = 0; keys[j]; j++)
            ok = ok || is(k, keys[j]);
        if (!ok) {
            const char *hint = k->kind == YN_SCALAR ? did_you_mean(k->value, k->len, keys) : NULL;
            if (hint)
                return ynode_fail(c->err, c->file, k, "unknown key '%s' in %s (did you mean '%s'?)",
                                  k->value, what, hint);
            return ynode_fail(c->err, c->file, k, "unknown key '%s' in %s",
                              k->kind == YN_SCALAR ? k->value : "?", what);
        }
    }
    return 0;
}

static const ynode *get(const ynode *map, const char *key) {
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (is(map->items[i], key)) return map->items[i + 1];
    return NULL;
}

static int text(ctx *c, const ynode *n, const char *what, char **out) {
    if (n->kind != YN_SCALAR || n->type == YS_NULL || n->type == YS_BOOL)
        return ynode_fail(c->err, c->file, n, "'%s' must be a string", what);
    *out = xstrndup(n->value, n->len);
    return 0;
}

static int regex(ctx *c, const ynode *n, const char *what, regex_t *re) {
    char *s = NULL;
    if (text(c, n, what, &s) < 0) return -1;
    int rc = regcomp(re, s, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[256];
        regerror(rc, re, msg, sizeof msg);
        free(s);
        return ynode_fail(c->err, c->file, n, "bad regular expression for '%s': %s", what, msg);
    }
    free(s);
    return 0;
}

static int string_list(ctx *c, const ynode *n, const char *what, char ***out, size_t *count) {
    if (n->kind == YN_SCALAR) {
        *out = xcalloc(1, sizeof(char *));
        *count = 1;
        return text(c, n, what, &(*out)[0]);
    }
    if (n->kind != YN_SEQUENCE)
        return ynode_fail(c->err, c->file, n, "'%s' must be a list of strings", what);
    *out = xcalloc(n->n ? n->n : 1, sizeof(char *));
    *count = n->n;
    for (size_t i = 0; i < n->n; i++)
        if (text(c, n->items[i], what, &(*out)[i]) < 0) return -1;
    return 0;
}

static int load_rule(ctx *c, const ynode *n, size_t index, rule *r) {
    r->line = n->line;
    r->col = n->col;
    if (n->kind != YN_MAPPING)
        return ynode_fail(c->err, c->file, n, "a rule must be a mapping (match, scenario)");
    if (known_keys(c, n, RULE_KEYS, "a rule") < 0) return -1;
    const ynode *v;
    if ((v = get(n, "name"))) {
        if (text(c, v, "name", &r->name) < 0) return -1;
    } else {
        r->name = xasprintf("rule-%zu", index + 1);
    }
    const ynode *scn = get(n, "scenario"), *seq = get(n, "sequence");
    if (!!scn == !!seq)
        return ynode_fail(c->err, c->file, n,
                          "a rule names a 'scenario' or a 'sequence' (one of them)");
    if (string_list(c, scn ? scn : seq, scn ? "scenario" : "sequence", &r->scenarios,
                    &r->n_scenarios) < 0)
        return -1;
    if (r->n_scenarios == 0)
        return ynode_fail(c->err, c->file, seq, "a 'sequence' needs at least one scenario");
    if ((v = get(n, "per"))) {
        if (is(v, "thread"))
            r->per_thread = true;
        else if (!is(v, "rule"))
            return ynode_fail(c->err, c->file, v, "'per' is rule or thread");
    }
    const ynode *m = get(n, "match");
    if (!m) return 0; /* matches everything: a catch-all */
    if (m->kind != YN_MAPPING) return ynode_fail(c->err, c->file, m, "'match' must be a mapping");
    if (known_keys(c, m, MATCH_KEYS, "match") < 0) return -1;
    if ((v = get(m, "prompt"))) {
        if (regex(c, v, "prompt", &r->prompt) < 0) return -1;
        r->has_prompt = true;
    }
    if ((v = get(m, "cwd"))) {
        if (regex(c, v, "cwd", &r->cwd) < 0) return -1;
        r->has_cwd = true;
    }
    if ((v = get(m, "command"))) {
        if (!(is(v, "exec") || is(v, "resume") || is(v, "fork") || is(v, "review") ||
              is(v, "app-server")))
            return ynode_fail(c->err, c->file, v,
                              "'command' is exec, resume, fork, review or app-server");
        if (text(c, v, "command", &r->command) < 0) return -1;
    }
    if ((v = get(m, "flags")) && string_list(c, v, "flags", &r->flags, &r->n_flags) < 0) return -1;
    if ((v = get(m, "invocation"))) {
        if (v->kind != YN_SCALAR || v->type != YS_INT || v->i < 1)
            return ynode_fail(c->err, c->file, v, "'invocation' is a number from 1 (the Nth call)");
        r->invocation = (long)v->i;
        r->has_invocation = true;
    }
    if ((v = get(m, "env"))) {
        if (v->kind != YN_MAPPING)
            return ynode_fail(c->err, c->file, v,
                              "'env' maps variable names to values (or null for 'set')");
        r->n_env = v->n / 2;
        r->env_names = xcalloc(r->n_env ? r->n_env : 1, sizeof(char *));
        r->env_values = xcalloc(r->n_env ? r->n_env : 1, sizeof(char *));
        for (size_t i = 0; i < r->n_env; i++) {
            if (text(c, v->items[2 * i], "env", &r->env_names[i]) < 0) return -1;
            const ynode *val = v->items[2 * i + 1];
            if (!(val->kind == YN_SCALAR && val->type == YS_NULL) &&
                text(c, val, "env", &r->env_values[i]) < 0)
                return -1;
        }
    }
    return 0;
}

int rules_load(const char *path, rules *out, diag *err) {
    memset(out, 0, sizeof *out);
    out->file = xstrdup(path);
    ctx c = {path, err};
    yread r;
    int rc = -1;
    if (yread_open(&r, path, err) < 0) goto done;
    ynode *doc = NULL;
    if (yread_expect(&r, YAML_STREAM_START_EVENT, "the start of the file") < 0 ||
        yread_expect(&r, YAML_DOCUMENT_START_EVENT, "a rules document") < 0 ||
        yread_node(&r, &doc) < 0)
        goto done;
    if (doc->kind != YN_MAPPING) {
        ynode_fail(c.err, c.file, doc,
                   "a rules file is a mapping with 'codex_mock_rules: 1' and 'rules'");
        goto done;
    }
    if (known_keys(&c, doc, TOP, "a rules file") < 0) goto done;
    const ynode *ver = get(doc, "codex_mock_rules");
    if (!ver || ver->kind != YN_SCALAR || ver->type != YS_INT || ver->i != 1) {
        ynode_fail(c.err, c.file, ver ? ver : doc,
                   "a rules file starts with 'codex_mock_rules: 1'");
        goto done;
    }
    const ynode *list = get(doc, "rules");
    if (!list || list->kind != YN_SEQUENCE) {
        ynode_fail(c.err, c.file, list ? list : doc, "'rules' must be a list of rules");
        goto done;
    }
    out->v = xcalloc(list->n ? list->n : 1, sizeof(rule));
    for (size_t i = 0; i < list->n; i++) {
        out->n = i + 1;
        if (load_rule(&c, list->items[i], i, &out->v[i]) < 0) goto done;
    }
    rc = 0;
done:
    yread_close(&r);
    if (rc < 0) rules_free(out);
    return rc;
}

void rules_free(rules *r) {
    for (size_t i = 0; i < r->n; i++) {
        rule *x = &r->v[i];
        free(x->name);
        free(x->command);
        if (x->has_prompt) regfree(&x->prompt);
        if (x->has_cwd) regfree(&x->cwd);
        for (size_t j = 0; j < x->n_flags; j++)
            free(x->flags[j]);
        free(x->flags);
        for (size_t j = 0; j < x->n_env; j++) {
            free(x->env_names[j]);
            free(x->env_values[j]);
        }
        free(x->env_names);
        free(x->env_values);
        for (size_t j = 0; j < x->n_scenarios; j++)
            free(x->scenarios[j]);
        free(x->scenarios);
    }
    free(r->v);
    free(r->file);
    memset(r, 0, sizeof *r);
}

/* `--flag` present, or `--flag=value` given as `--flag value` or `--flag=value`. */
static bool has_flag(const rule_input *in, const char *want) {
    const char *eq = strchr(want, '=');
    size_t name_len = eq ? (size_t)(eq - want) : strlen(want);
    for (int i = 0; i < in->argc; i++) {
        const char *a = in->argv[i];
        if (strncmp(a, want, name_len) != 0) continue;
        if (!eq && a[name_len] == '\0') return true;
        if (eq && a[name_len] == '=' && !strcmp(a + name_len + 1, eq + 1)) return true;
        if (eq && a[name_len] == '\0' && i + 1 < in->argc && !strcmp(in->argv[i + 1], eq + 1))
            return true;
    }
    return false;
}

static const char *env_get(const rule_input *in, const char *name) {
    size_t n = strlen(name);
    for (const char *const *e = in->envp; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

static bool matches(const rule *r, const rule_input *in) {
    if (r->has_prompt && regexec(&r->prompt, in->prompt ? in->prompt : "", 0, NULL, 0) != 0)
        return false;
    if (r->has_cwd && regexec(&r->cwd, in->cwd ? in->cwd : "", 0, NULL, 0) != 0) return false;
    if (r->command && (!in->command || strcmp(r->command, in->command) != 0)) return false;
    if (r->has_invocation && r->invocation != in->invocation) return false;
    for (size_t i = 0; i < r->n_flags; i++)
        if (!has_flag(in, r->flags[i])) return false;
    for (size_t i = 0; i < r->n_env; i++) {
        const char *v = env_get(in, r->env_names[i]);
        if (!v || (r->env_values[i] && strcmp(v, r->env_values[i]) != 0)) return false;
    }
    return true;
}

const rule *rules_match(const rules *r, const rule_input *in) {
    for (size_t i = 0; i < r->n; i++)
        if (matches(&r->v[i], in)) return &r->v[i];
    return NULL;
}
