#include "as_cmdactions.h"

#include "jsonw.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_TOKENS = 256, MAX_COMMANDS = 32 };

typedef struct {
    char *tok[MAX_TOKENS];
    size_t n;
} words;

typedef enum { PC_UNKNOWN, PC_LIST, PC_SEARCH } pc_kind;

typedef struct {
    pc_kind kind;
    size_t first, n; /* its words: tok[first .. first + n) */
    char *cmd;       /* the words joined as a shell would read them back */
    char *query, *path;
} parsed;

/* Shell words of a plain script: blanks separate, '…' and "…" quote. false for what this
 * reader does not follow (substitutions, redirections, subshells, background jobs, …). */
static bool split_words(const char *s, size_t len, words *w) {
    w->n = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
            i++;
        if (i == len) break;
        if (w->n == MAX_TOKENS) return false;
        buf b;
        buf_init(&b);
        bool quoted = false;
        while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') {
            char c = s[i];
            if (c == '$' || c == '`' || c == '<' || c == '>' || c == '(' || c == ')' || c == '{' ||
                c == '}' || c == '\\' ||
                (c == '&' && !(i + 1 < len && s[i + 1] == '&') && !(i > 0 && s[i - 1] == '&'))) {
                buf_free(&b);
                return false;
            }
            if (c == '\'' || c == '"') {
                const char *end = memchr(s + i + 1, c, len - i - 1);
                if (!end) {
                    buf_free(&b);
                    return false;
                }
                if (c == '"' && (memchr(s + i + 1, '$', (size_t)(end - s) - i - 1) ||
                                 memchr(s + i + 1, '`', (size_t)(end - s) - i - 1) ||
                                 memchr(s + i + 1, '\\', (size_t)(end - s) - i - 1))) {
                    buf_free(&b);
                    return false;
                }
                buf_append(&b, s + i + 1, (size_t)(end - s) - i - 1);
                i = (size_t)(end - s) + 1;
                quoted = true;
                continue;
            }
            if (c == ';' && !quoted) { /* `a;` ends the word, then the connector */
                break;
            }
            buf_putc(&b, c);
            i++;
        }
        if (b.len || quoted) w->tok[w->n++] = b.data ? buf_detach(&b) : xstrdup("");
        buf_free(&b);
        if (i < len && s[i] == ';') {
            if (w->n == MAX_TOKENS) return false;
            w->tok[w->n++] = xstrdup(";");
            i++;
        }
    }
    return true;
}

static void free_words(words *w) {
    for (size_t i = 0; i < w->n; i++)
        free(w->tok[i]);
    w->n = 0;
}

static bool is_connector(const char *t) {
    return !strcmp(t, "&&") || !strcmp(t, "||") || !strcmp(t, "|") || !strcmp(t, ";");
}

/* A word as a shell reads it back: bare, or in double quotes with $ ` " \ escaped. */
static void put_word(buf *b, const char *t) {
    bool plain = *t != '\0';
    for (const char *p = t; *p; p++)
        if (strchr("|&;<>()$`\\\"' \t\r\n*?[#~=%", *p)) plain = false;
    if (plain) {
        buf_puts(b, t);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = t; *p; p++) {
        if (*p == '$' || *p == '`' || *p == '"' || *p == '\\') buf_putc(b, '\\');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

static char *join(char *const *tok, size_t n) {
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(&b, ' ');
        put_word(&b, tok[i]);
    }
    return b.data ? buf_detach(&b) : xstrdup("");
}

/* The last path component worth showing (not build, dist, node_modules or src). */
static char *short_path(const char *p) {
    char *s = xstrdup(p);
    for (char *c = s; *c; c++)
        if (*c == '\\') *c = '/';
    size_t n = strlen(s);
    while (n && s[n - 1] == '/')
        s[--n] = '\0';
    size_t end = n;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && s[start - 1] != '/')
            start--;
        size_t l = end - start;
        const char *part = s + start;
        bool skip = l == 0 || (l == 5 && !memcmp(part, "build", 5)) ||
                    (l == 4 && !memcmp(part, "dist", 4)) ||
                    (l == 12 && !memcmp(part, "node_modules", 12)) ||
                    (l == 3 && !memcmp(part, "src", 3));
        if (!skip) {
            char *r = xstrndup(part, l);
            free(s);
            return r;
        }
        end = start ? start - 1 : 0;
    }
    return s; /* nothing better: the trimmed path */
}

static bool is_sed_n_range(const char *a) {
    size_t n = a ? strlen(a) : 0;
    if (n < 2 || a[n - 1] != 'p') return false;
    size_t digits = 0, commas = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (a[i] == ',') {
            if (!digits || commas++) return false;
            digits = 0;
        } else if (a[i] >= '0' && a[i] <= '9') {
            digits++;
        } else {
            return false;
        }
    }
    return digits > 0;
}

/* A pipeline's formatting helper (dropped in favour of the main command). */
static bool is_formatting(char *const *t, size_t n) {
    static const char *const always[] = {"wc",  "tr",     "cut", "sort", "uniq",   "xargs",
                                         "tee", "column", "awk", "yes",  "printf", NULL};
    for (size_t i = 0; always[i]; i++)
        if (!strcmp(t[0], always[i])) return true;
    if (!strcmp(t[0], "head") || !strcmp(t[0], "tail")) return n < 3;
    if (!strcmp(t[0], "sed")) return n < 4 || !(!strcmp(t[1], "-n") && is_sed_n_range(t[2]));
    return false;
}

static parsed summarize(words *w, size_t first, size_t n) {
    parsed p = {PC_UNKNOWN, first, n, NULL, NULL, NULL};
    char *const *t = w->tok + first;
    p.cmd = join(t, n);
    if (!strcmp(t[0], "ls")) {
        static const char *const with_value[] = {
            "-I",           "-w",      "--block-size",    "--format",
            "--time-style", "--color", "--quoting-style", NULL};
        p.kind = PC_LIST;
        for (size_t i = 1; i < n; i++) {
            if (!strcmp(t[i], "--")) {
                if (i + 1 < n) p.path = short_path(t[i + 1]);
                break;
            }
            if (!strncmp(t[i], "--", 2) && strchr(t[i], '=')) continue;
            bool takes = false;
            for (size_t k = 0; with_value[k]; k++)
                if (!strcmp(t[i], with_value[k])) takes = true;
            if (takes) {
                i++;
                continue;
            }
            if (t[i][0] != '-') {
                p.path = short_path(t[i]);
                break;
            }
        }
    } else if (!strcmp(t[0], "rg") || !strcmp(t[0], "grep")) {
        p.kind = PC_SEARCH;
        bool files = false;
        const char *nf[2] = {NULL, NULL};
        size_t k = 0;
        for (size_t i = 1; i < n; i++) {
            if (!strcmp(t[0], "rg") && !strcmp(t[i], "--files")) files = true;
            if (t[i][0] != '-' && k < 2) nf[k++] = t[i];
        }
        if (files) {
            if (nf[0]) p.path = short_path(nf[0]);
        } else {
            if (nf[0]) p.query = xstrdup(nf[0]);
            if (nf[1]) p.path = short_path(nf[1]);
        }
    }
    return p;
}

static void free_parsed(parsed *p) {
    free(p->cmd);
    free(p->query);
    free(p->path);
}

static void put_nullable(buf *b, const char *s) {
    if (s)
        jsonw_cstring(b, s);
    else
        buf_puts(b, "null");
}

static void put_unknown(buf *out, const char *script, size_t len) {
    buf_puts(out, "[{\"type\":\"unknown\",\"command\":");
    jsonw_string(out, script, len);
    buf_puts(out, "}]");
}

static bool first_word_is(const words *w, const parsed *p, const char *word) {
    return p->kind == PC_UNKNOWN && !strcmp(w->tok[p->first], word);
}

void as_command_actions(buf *out, const char *script, size_t len) {
    words w;
    if (!split_words(script, len, &w) || w.n == 0) {
        free_words(&w);
        put_unknown(out, script, len);
        return;
    }
    /* the simple commands, formatting helpers dropped */
    parsed pc[MAX_COMMANDS];
    size_t n = 0;
    bool ok = true;
    for (size_t i = 0; i < w.n && ok;) {
        size_t j = i;
        while (j < w.n && !is_connector(w.tok[j]))
            j++;
        if (j > i && !is_formatting(w.tok + i, j - i)) {
            if (n == MAX_COMMANDS)
                ok = false;
            else
                pc[n++] = summarize(&w, i, j - i);
        }
        i = j + 1;
    }
    if (ok && n > 1) {
        /* `true` drops out; then a leading echo, a cd followed by more */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (first_word_is(&w, &pc[i], "true") && pc[i].n == 1)
                free_parsed(&pc[i]);
            else
                pc[k++] = pc[i];
        }
        n = k;
        for (bool again = true; again && n > 1;) {
            again = false;
            size_t drop = n;
            if (first_word_is(&w, &pc[0], "echo")) drop = 0;
            for (size_t i = 0; drop == n && i + 1 < n; i++)
                if (first_word_is(&w, &pc[i], "cd")) drop = i;
            if (drop < n) {
                free_parsed(&pc[drop]);
                memmove(pc + drop, pc + drop + 1, (n - drop - 1) * sizeof pc[0]);
                n--;
                again = true;
            }
        }
    }
    bool unknown = !ok || n == 0;
    for (size_t i = 0; i < n; i++)
        if (pc[i].kind == PC_UNKNOWN) unknown = true;
    if (unknown) {
        put_unknown(out, script, len);
    } else {
        buf_putc(out, '[');
        for (size_t i = 0; i < n; i++) {
            if (i) buf_putc(out, ',');
            buf_puts(out, pc[i].kind == PC_LIST ? "{\"type\":\"listFiles\",\"command\":"
                                                : "{\"type\":\"search\",\"command\":");
            jsonw_cstring(out, pc[i].cmd);
            if (pc[i].kind == PC_SEARCH) {
                buf_puts(out, ",\"query\":");
                put_nullable(out, pc[i].query);
            }
            buf_puts(out, ",\"path\":");
            put_nullable(out, pc[i].path);
            buf_putc(out, '}');
        }
        buf_putc(out, ']');
    }
    for (size_t i = 0; i < n; i++)
        free_parsed(&pc[i]);
    free_words(&w);
}
