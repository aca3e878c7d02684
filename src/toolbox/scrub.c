#include "scrub.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MIN_SECRET_LEN = 6 };

void scrub_init(scrubber *s) {
    memset(s, 0, sizeof *s);
}

void scrub_free(scrubber *s) {
    for (size_t i = 0; i < s->n_rules; i++) {
        free(s->rules[i].name);
        regfree(&s->rules[i].re);
    }
    free(s->rules);
    for (size_t i = 0; i < s->n_lits; i++) {
        free(s->lits[i].name);
        free(s->lits[i].value);
    }
    free(s->lits);
    memset(s, 0, sizeof *s);
}

static bool contains_ci(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && toupper((unsigned char)hay[i]) == needle[i])
            i++;
        if (i == n) return true;
    }
    return false;
}

bool scrub_sensitive_name(const char *name) {
    return contains_ci(name, "KEY") || contains_ci(name, "TOKEN") || contains_ci(name, "SECRET") ||
           contains_ci(name, "PASSWORD");
}

static int add_rule(scrubber *s, const char *name, size_t name_len, const char *pattern,
                    diag *err) {
    regex_t re;
    int rc = regcomp(&re, pattern, REG_EXTENDED);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &re, msg, sizeof msg);
        diag_set(err, NULL, 0, 0, "bad filter pattern '%s': %s", pattern, msg);
        return -1;
    }
    s->rules = xrealloc(s->rules, (s->n_rules + 1) * sizeof *s->rules);
    scrub_rule *r = &s->rules[s->n_rules++];
    r->name = xstrndup(name, name_len);
    r->re = re;
    r->group = re.re_nsub > 0;
    return 0;
}

void scrub_add_literal(scrubber *s, const char *name, const char *value) {
    size_t n = strlen(value);
    if (n < MIN_SECRET_LEN) return;
    for (size_t i = 0; i < s->n_lits; i++)
        if (!strcmp(s->lits[i].value, value)) return;
    s->lits = xrealloc(s->lits, (s->n_lits + 1) * sizeof *s->lits);
    size_t at = 0; /* keep longest first so a value inside another is not cut short */
    while (at < s->n_lits && strlen(s->lits[at].value) >= n)
        at++;
    memmove(&s->lits[at + 1], &s->lits[at], (s->n_lits - at) * sizeof *s->lits);
    s->lits[at].name = xstrdup(name);
    s->lits[at].value = xstrdup(value);
    s->n_lits++;
}

void scrub_defaults(scrubber *s, char *const *env) {
    diag d;
    diag_init(&d);
    add_rule(s, "SECRET", 6, "sk-[A-Za-z0-9_-]{16,}", &d);
    add_rule(s, "SECRET", 6, "[Bb]earer ([A-Za-z0-9._~+/=-]{8,})", &d);
    diag_free(&d);
    for (size_t i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        if (!eq) continue;
        char *name = xstrndup(env[i], (size_t)(eq - env[i]));
        if (scrub_sensitive_name(name)) scrub_add_literal(s, name, eq + 1);
        free(name);
    }
}

int scrub_add_filter(scrubber *s, const char *spec, diag *err) {
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        diag_set(err, NULL, 0, 0, "a filter is NAME=REGEX, got '%s'", spec);
        return -1;
    }
    for (const char *p = spec; p < eq; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
            diag_set(err, NULL, 0, 0, "a filter NAME is letters, digits, '_' or '-', got '%.*s'",
                     (int)(eq - spec), spec);
            return -1;
        }
    return add_rule(s, spec, (size_t)(eq - spec), eq + 1, err);
}

int scrub_add_file(scrubber *s, const char *path, diag *err) {
    FILE *f = fopen(path, "r");
    if (!f) {
        diag_set(err, path, 0, 0, "cannot read the filter file");
        return -1;
    }
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#') continue;
        if (scrub_add_filter(s, p, err) < 0) {
            char *msg = err->msg ? xstrdup(err->msg) : xstrdup("bad filter");
            diag_set(err, path, lineno, 1, "%s", msg);
            free(msg);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

/* Applies the rules to one NUL-free segment. */
static void apply_segment(const scrubber *s, const char *seg, size_t len, buf *out) {
    buf cur;
    buf_init(&cur);
    buf_append(&cur, seg, len);
    if (!cur.data) buf_puts(&cur, "");
    /* literals */
    for (size_t i = 0; i < s->n_lits; i++) {
        const char *v = s->lits[i].value;
        size_t vn = strlen(v);
        if (!strstr(cur.data, v)) continue;
        buf next;
        buf_init(&next);
        const char *p = cur.data, *hit;
        while ((hit = strstr(p, v))) {
            buf_append(&next, p, (size_t)(hit - p));
            buf_printf(&next, "<%s>", s->lits[i].name);
            p = hit + vn;
        }
        buf_puts(&next, p);
        buf_free(&cur);
        cur = next;
    }
    /* patterns */
    for (size_t i = 0; i < s->n_rules; i++) {
        const scrub_rule *r = &s->rules[i];
        buf next;
        buf_init(&next);
        const char *p = cur.data;
        regmatch_t m[2];
        int flags = 0;
        bool any = false;
        while (*p && regexec(&r->re, p, 2, m, flags) == 0) {
            regmatch_t hit = r->group && m[1].rm_so >= 0 ? m[1] : m[0];
            if (m[0].rm_eo == m[0].rm_so) { /* empty match: step over one byte */
                if (!p[m[0].rm_so]) break;
                buf_append(&next, p, (size_t)m[0].rm_so + 1);
                p += m[0].rm_so + 1;
                flags = REG_NOTBOL;
                continue;
            }
            buf_append(&next, p, (size_t)hit.rm_so);
            buf_printf(&next, "<%s>", r->name);
            buf_append(&next, p + hit.rm_eo, (size_t)(m[0].rm_eo - hit.rm_eo));
            p += m[0].rm_eo;
            flags = REG_NOTBOL;
            any = true;
        }
        if (!any) {
            buf_free(&next);
            continue;
        }
        buf_puts(&next, p);
        buf_free(&cur);
        cur = next;
    }
    buf_append(out, cur.data, cur.len);
    buf_free(&cur);
}

char *scrub_apply(const scrubber *s, const char *in, size_t len, size_t *out_len) {
    buf out;
    buf_init(&out);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && in[i] != '\0') continue;
        apply_segment(s, in + start, i - start, &out);
        if (i < len) buf_putc(&out, '\0');
        start = i + 1;
    }
    if (!out.data) buf_puts(&out, "");
    if (out_len) *out_len = out.len;
    return buf_detach(&out);
}
