#include "template.h"

#include <stdio.h>
#include <string.h>

bool template_present(const char *s, size_t len) {
    /* memchr: every string of every step is asked, and most have no brace at all */
    if (len < 2) return false;
    const char *end = s + len, *p = s;
    while ((p = memchr(p, '{', (size_t)(end - p))) && p + 1 < end) {
        if (p[1] == '{') return true;
        p += 2;
    }
    return false;
}

/* Finds the next placeholder at or after `from`: [*start, *end) spans `{{ … }}`, and
 * [*name, *name + *name_len) the trimmed name inside. False when there is none. */
static bool next_placeholder(const char *s, size_t len, size_t from, size_t *start, size_t *end,
                             const char **name, size_t *name_len) {
    for (size_t i = from; i + 1 < len; i++) {
        if (s[i] != '{' || s[i + 1] != '{') continue;
        for (size_t j = i + 2; j + 1 < len; j++) {
            if (s[j] == '}' && s[j + 1] == '}') {
                size_t a = i + 2, b = j;
                while (a < b && s[a] == ' ')
                    a++;
                while (b > a && s[b - 1] == ' ')
                    b--;
                *start = i;
                *end = j + 2;
                *name = s + a;
                *name_len = b - a;
                return true;
            }
        }
        return false; /* an unclosed {{ is text */
    }
    return false;
}

static bool is(const char *name, size_t n, const char *want) {
    return strlen(want) == n && memcmp(name, want, n) == 0;
}

static bool env_name_ok(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

static bool known(const char *name, size_t n) {
    if (is(name, n, "prompt") || is(name, n, "thread_id") || is(name, n, "cwd") ||
        is(name, n, "cwd_parent") || is(name, n, "invocation") || is(name, n, "now") ||
        is(name, n, "braces"))
        return true;
    return n > 4 && memcmp(name, "env.", 4) == 0 && env_name_ok(name + 4, n - 4);
}

int template_check(const char *s, size_t len, const char **bad, size_t *bad_len) {
    size_t at = 0, start, end, n;
    const char *name;
    while (next_placeholder(s, len, at, &start, &end, &name, &n)) {
        if (!known(name, n)) {
            *bad = s + start;
            *bad_len = end - start;
            return -1;
        }
        at = end;
    }
    return 0;
}

void template_expand(buf *out, const char *s, size_t len, const template_vars *v) {
    size_t at = 0, start, end, n;
    const char *name;
    while (next_placeholder(s, len, at, &start, &end, &name, &n)) {
        buf_append(out, s + at, start - at);
        if (is(name, n, "prompt")) {
            if (v->prompt) buf_puts(out, v->prompt);
        } else if (is(name, n, "thread_id")) {
            if (v->thread_id) buf_puts(out, v->thread_id);
        } else if (is(name, n, "cwd")) {
            if (v->cwd) buf_puts(out, v->cwd);
        } else if (is(name, n, "cwd_parent")) {
            /* the folder holding the work dir: a path outside the workspace */
            if (v->cwd) {
                const char *slash = strrchr(v->cwd, '/');
                size_t keep = slash ? (size_t)(slash - v->cwd) : 0;
                if (slash && keep == 0) keep = 1; /* "/x" → "/" */
                buf_append(out, v->cwd, keep);
            }
        } else if (is(name, n, "invocation")) {
            buf_printf(out, "%ld", v->invocation);
        } else if (is(name, n, "now")) {
            if (v->now) buf_puts(out, v->now);
        } else if (is(name, n, "braces")) {
            buf_puts(out, "{{"); /* literal: what follows is not read as a placeholder */
        } else if (n > 4 && !memcmp(name, "env.", 4) && v->envp) {
            for (const char *const *e = v->envp; *e; e++)
                if (!strncmp(*e, name + 4, n - 4) && (*e)[n - 4] == '=') {
                    buf_puts(out, *e + n - 3);
                    break;
                }
        } else {
            buf_append(out, s + start, end - start); /* unknown: left as written */
        }
        at = end;
    }
    buf_append(out, s + at, len - at);
}
