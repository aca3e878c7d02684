#include "completion.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char kind; /* 's'ub, 'o'pt, 'a'rg */
    char *path, *names, *value, *help;
} entry;

typedef struct {
    entry *v;
    size_t n;
    char *program; /* first word of the first path */
} spec;

static char *field(const char **p) {
    const char *s = *p, *e = s + strcspn(s, "\t\n");
    *p = *e == '\t' ? e + 1 : e;
    return xstrndup(s, (size_t)(e - s));
}

static void spec_parse(const char *text, spec *sp) {
    memset(sp, 0, sizeof *sp);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *next = nl ? nl + 1 : line + strlen(line);
        const char *p = line;
        char *kind = field(&p);
        entry e = {0};
        e.kind = !strcmp(kind, "sub")   ? 's'
                 : !strcmp(kind, "opt") ? 'o'
                 : !strcmp(kind, "arg") ? 'a'
                                        : 0;
        free(kind);
        if (e.kind && p < next) {
            e.path = field(&p);
            if (e.kind == 'a') {
                e.value = field(&p);
            } else {
                e.names = field(&p);
                if (e.kind == 'o') e.value = field(&p);
                e.help = field(&p);
            }
            if (*e.path) {
                sp->v = xrealloc(sp->v, (sp->n + 1) * sizeof *sp->v);
                sp->v[sp->n++] = e;
                if (!sp->program) sp->program = xstrndup(e.path, strcspn(e.path, " "));
            } else {
                free(e.path), free(e.names), free(e.value), free(e.help);
            }
        }
        line = next;
    }
}

static void spec_free(spec *sp) {
    for (size_t i = 0; i < sp->n; i++)
        free(sp->v[i].path), free(sp->v[i].names), free(sp->v[i].value), free(sp->v[i].help);
    free(sp->v);
    free(sp->program);
}

/* Shell single-quoted: ' → '\'' */
static void quoted(buf *b, const char *s) {
    buf_putc(b, '\'');
    for (; *s; s++)
        if (*s == '\'')
            buf_puts(b, "'\\''");
        else
            buf_putc(b, *s);
    buf_putc(b, '\'');
}

static void func_name(buf *b, const char *program) {
    buf_puts(b, "_codex_mock_complete_");
    for (const char *p = program; *p; p++)
        buf_putc(b, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
                        ? *p
                        : '_');
}

/* `'PATH|-s'|'PATH|--long'` for each name of an entry. */
static void case_words(buf *b, const entry *e) {
    char *names = xstrdup(e->names), *save = NULL;
    bool first = true;
    for (char *w = strtok_r(names, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (!first) buf_putc(b, '|');
        first = false;
        char *pat = xasprintf("%s|%s", e->path, w);
        quoted(b, pat);
        free(pat);
    }
    free(names);
}

static bool takes_value(const entry *e) {
    return e->kind == 'o' && e->value && *e->value;
}

/* The distinct paths, in order of first appearance. */
static size_t paths_of(const spec *sp, const char ***out) {
    const char **v = xcalloc(sp->n + 2, sizeof *v);
    size_t n = 0;
    v[n++] = sp->program;
    for (size_t i = 0; i < sp->n; i++) {
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = !strcmp(v[k], sp->v[i].path);
        if (!seen) v[n++] = sp->v[i].path;
    }
    *out = v;
    return n;
}

/* The shell code completing a value of kind `value` (FILE, DIR, SCENARIO, a|b|c, -). */
static void complete_value(buf *b, const char *shell, const char *value) {
    bool zsh = !strcmp(shell, "zsh");
    if (!strcmp(value, "FILE") || !strcmp(value, "SCENARIO")) {
        if (!strcmp(value, "SCENARIO")) {
            if (zsh)
                buf_puts(b,
                         "compadd -- ${(f)\"$(codex-mock list 2>/dev/null | cut -d' ' -f1)\"}; ");
            else
                buf_puts(b, "COMPREPLY+=($(compgen -W \"$(codex-mock list 2>/dev/null | cut -d' ' "
                            "-f1)\" -- \"$cur\")); ");
        }
        buf_puts(b,
                 zsh ? "_files"
                     : "compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- \"$cur\"))");
    } else if (!strcmp(value, "DIR")) {
        buf_puts(b,
                 zsh ? "_files -/"
                     : "compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- \"$cur\"))");
    } else if (strchr(value, '|') ||
               (*value && strcmp(value, "-") && value[0] >= 'a' && value[0] <= 'z')) {
        char *words = xstrdup(value);
        for (char *p = words; *p; p++)
            if (*p == '|') *p = ' ';
        if (zsh) {
            buf_puts(b, "compadd -- ");
            buf_puts(b, words);
        } else {
            buf_puts(b, "COMPREPLY+=($(compgen -W ");
            quoted(b, words);
            buf_puts(b, " -- \"$cur\"))");
        }
        free(words);
    } else {
        buf_puts(b, ":");
    }
}

static void zsh_item(buf *b, const char *word, const char *help) {
    buf s;
    buf_init(&s);
    for (const char *p = word; *p; p++) {
        if (*p == ':') buf_putc(&s, '\\');
        buf_putc(&s, *p);
    }
    buf_putc(&s, ':');
    buf_puts(&s, help ? help : "");
    buf_putc(b, ' ');
    quoted(b, s.data);
    buf_free(&s);
}

static void gen_program(buf *b, const char *shell, const spec *sp) {
    bool zsh = !strcmp(shell, "zsh");
    const char **paths;
    size_t np = paths_of(sp, &paths);
    func_name(b, sp->program);
    buf_puts(b, "() {\n");
    if (zsh)
        buf_puts(b, "    local cur=\"${words[CURRENT]}\" prev=\"${words[CURRENT-1]}\" skip=0 i w "
                    "first=2 last=$CURRENT\n");
    else
        buf_puts(b, "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" "
                    "prev=\"${COMP_WORDS[COMP_CWORD-1]}\" skip=0 i w first=1 last=$COMP_CWORD\n"
                    "    COMPREPLY=()\n");
    buf_puts(b, "    local cpath=");
    quoted(b, sp->program);
    buf_puts(b, "\n    for ((i = first; i < last; i++)); do\n");
    buf_puts(b, zsh ? "        w=\"${words[i]}\"\n" : "        w=\"${COMP_WORDS[i]}\"\n");
    buf_puts(b, "        if ((skip)); then skip=0; continue; fi\n        case \"$cpath|$w\" in\n");
    for (size_t i = 0; i < sp->n; i++) {
        const entry *e = &sp->v[i];
        if (e->kind == 's') {
            buf_puts(b, "        ");
            case_words(b, e);
            char *to = xasprintf("%s %.*s", e->path, (int)strcspn(e->names, " "), e->names);
            buf_puts(b, ") cpath=");
            quoted(b, to);
            buf_puts(b, " ;;\n");
            free(to);
        } else if (takes_value(e)) {
            buf_puts(b, "        ");
            case_words(b, e);
            buf_puts(b, ") skip=1 ;;\n");
        }
    }
    buf_puts(b, "        esac\n    done\n");
    /* an option's value */
    buf_puts(b, "    if ((skip)); then\n        case \"$cpath|$prev\" in\n");
    for (size_t i = 0; i < sp->n; i++) {
        const entry *e = &sp->v[i];
        if (!takes_value(e)) continue;
        buf_puts(b, "        ");
        case_words(b, e);
        buf_puts(b, ") ");
        complete_value(b, shell, e->value);
        buf_puts(b, " ;;\n");
    }
    buf_puts(b, "        esac\n        return 0\n    fi\n");
    /* options */
    buf_puts(b, "    if [[ $cur == -* ]]; then\n        case \"$cpath\" in\n");
    for (size_t k = 0; k < np; k++) {
        buf w;
        buf_init(&w);
        for (size_t i = 0; i < sp->n; i++) {
            const entry *e = &sp->v[i];
            if (e->kind != 'o' || strcmp(e->path, paths[k])) continue;
            char *names = xstrdup(e->names), *save = NULL;
            for (char *t = strtok_r(names, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                if (zsh) {
                    zsh_item(&w, t, e->help);
                } else {
                    buf_puts(&w, w.len ? " " : "");
                    buf_puts(&w, t);
                }
            }
            free(names);
        }
        if (w.len) {
            buf_puts(b, "        ");
            quoted(b, paths[k]);
            if (zsh) {
                buf_printf(b, ") local -a o; o=(%s); _describe -t options option o ;;\n", w.data);
            } else {
                buf_puts(b, ") COMPREPLY=($(compgen -W ");
                quoted(b, w.data);
                buf_puts(b, " -- \"$cur\")) ;;\n");
            }
        }
        buf_free(&w);
    }
    buf_puts(b, "        esac\n        return 0\n    fi\n");
    /* subcommands and positionals */
    buf_puts(b, "    case \"$cpath\" in\n");
    for (size_t k = 0; k < np; k++) {
        buf w, a;
        buf_init(&w);
        buf_init(&a);
        for (size_t i = 0; i < sp->n; i++) {
            const entry *e = &sp->v[i];
            if (strcmp(e->path, paths[k])) continue;
            if (e->kind == 's') {
                size_t len = strcspn(e->names, " ");
                char *word = xstrndup(e->names, len);
                if (zsh) {
                    zsh_item(&w, word, e->help);
                } else {
                    buf_puts(&w, w.len ? " " : "");
                    buf_puts(&w, word);
                }
                free(word);
            } else if (e->kind == 'a' && strcmp(e->value, "-") && !a.len) {
                complete_value(&a, shell, e->value);
            }
        }
        if (w.len || a.len) {
            buf_puts(b, "    ");
            quoted(b, paths[k]);
            buf_puts(b, ")");
            if (w.len && zsh) {
                buf_printf(b, " local -a s; s=(%s); _describe -t commands command s;", w.data);
            } else if (w.len) {
                buf_puts(b, " COMPREPLY=($(compgen -W ");
                quoted(b, w.data);
                buf_puts(b, " -- \"$cur\"));");
            }
            if (a.len) buf_printf(b, " %s;", a.data);
            buf_puts(b, " ;;\n");
        }
        buf_free(&w);
        buf_free(&a);
    }
    buf_puts(b, "    esac\n    return 0\n}\n\n");
    free(paths);
}

int completion_script(const char *shell, const char *const *specs, size_t n_specs,
                      const char *compdef_names, buf *out) {
    bool zsh = !strcmp(shell, "zsh");
    if (!zsh && strcmp(shell, "bash") != 0) return -1;
    spec *sp = xcalloc(n_specs + 1, sizeof *sp);
    if (zsh) buf_printf(out, "#compdef %s\n", compdef_names ? compdef_names : "codex-mock");
    buf_printf(out,
               "# %s completion for codex-mock (generated by `codex-mock completion %s`: the "
               "same tables as --help)\n\n",
               shell, shell);
    for (size_t i = 0; i < n_specs; i++) {
        spec_parse(specs[i], &sp[i]);
        if (sp[i].program) gen_program(out, shell, &sp[i]);
    }
    if (zsh) {
        buf_puts(out, "_codex_mock_dispatch() {\n    case $service in\n");
        for (size_t i = 0; i < n_specs; i++) {
            if (!sp[i].program) continue;
            buf_puts(out, "    ");
            quoted(out, sp[i].program);
            buf_puts(out, ") ");
            func_name(out, sp[i].program);
            buf_puts(out, " ;;\n");
        }
        buf_puts(out, "    esac\n}\n\nif [ \"$funcstack[1]\" = \"_codex-mock\" ]; then\n"
                      "    _codex_mock_dispatch \"$@\"\nelse\n    compdef _codex_mock_dispatch");
        for (size_t i = 0; i < n_specs; i++)
            if (sp[i].program) buf_printf(out, " %s", sp[i].program);
        buf_puts(out, "\nfi\n");
    } else {
        for (size_t i = 0; i < n_specs; i++) {
            if (!sp[i].program) continue;
            buf_puts(out, "complete -F ");
            func_name(out, sp[i].program);
            buf_printf(out, " %s\n", sp[i].program);
        }
    }
    for (size_t i = 0; i < n_specs; i++)
        spec_free(&sp[i]);
    free(sp);
    return 0;
}
