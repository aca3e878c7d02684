#include "as_diff.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char tag; /* ' ', '-', '+', or '\\' ("\ No newline at end of file") */
    const char *text;
    size_t len;    /* without the tag and the newline */
    long old_no;   /* the old line it is (or, for '+', the next old line) */
    long new_no;   /* likewise in the new file */
    unsigned hunk; /* which git hunk it came from */
} entry;

/* The line at *at: [*at, eol), *next after its newline. */
static bool next_line(const char *d, size_t len, size_t *at, size_t *eol, size_t *next) {
    if (*at >= len) return false;
    const char *nl = memchr(d + *at, '\n', len - *at);
    *eol = nl ? (size_t)(nl - d) : len;
    *next = nl ? *eol + 1 : len;
    return true;
}

static bool starts(const char *d, size_t at, size_t eol, const char *pfx) {
    size_t n = strlen(pfx);
    return eol - at >= n && !memcmp(d + at, pfx, n);
}

/* [*from, *to): the lines after `diff --git a/PATH b/PATH` up to the next file's header. */
static bool find_section(const char *d, size_t len, const char *path, size_t pl, size_t *from,
                         size_t *to) {
    size_t at = 0, eol, next;
    bool in = false;
    while (next_line(d, len, &at, &eol, &next)) {
        if (starts(d, at, eol, "diff --git ")) {
            if (in) {
                *to = at;
                return true;
            }
            size_t n = eol - at;
            in = n == 11 + 2 + pl + 3 + pl && !memcmp(d + at + 11, "a/", 2) &&
                 !memcmp(d + at + 13, path, pl) && !memcmp(d + at + 13 + pl, " b/", 3) &&
                 !memcmp(d + at + 16 + pl, path, pl);
            if (in) *from = next;
        }
        at = next;
    }
    if (in) *to = len;
    return in;
}

/* "@@ -a[,b] +c[,d] @@": the next old and new line numbers. */
static void hunk_start(const char *d, size_t at, size_t eol, long *old_next, long *new_next) {
    char tmp[128];
    size_t n = eol - at < sizeof tmp - 1 ? eol - at : sizeof tmp - 1;
    memcpy(tmp, d + at, n);
    tmp[n] = '\0';
    char *p = strchr(tmp, '-'), *end;
    long a = p ? strtol(p + 1, &end, 10) : 1, b = 1, c = 1, e = 1;
    if (p && *end == ',') b = strtol(end + 1, &end, 10);
    p = strchr(tmp, '+');
    if (p) c = strtol(p + 1, &end, 10);
    if (p && *end == ',') e = strtol(end + 1, &end, 10);
    *old_next = b == 0 ? a + 1 : a;
    *new_next = e == 0 ? c + 1 : c;
}

/* The hunks' lines of a section; the caller frees *out. */
static size_t read_entries(const char *d, size_t from, size_t to, entry **out) {
    size_t cap = 16, n = 0, at = from, eol, next;
    entry *v = xmalloc(cap * sizeof *v);
    long old_next = 0, new_next = 0;
    unsigned hunk = 0;
    bool in_hunk = false;
    while (at < to && next_line(d, to, &at, &eol, &next)) {
        if (starts(d, at, eol, "@@ ")) {
            hunk_start(d, at, eol, &old_next, &new_next);
            hunk++;
            in_hunk = true;
        } else if (in_hunk && eol > at &&
                   (d[at] == ' ' || d[at] == '-' || d[at] == '+' || d[at] == '\\')) {
            if (n == cap) v = xrealloc(v, (cap *= 2) * sizeof *v);
            entry *e = &v[n++];
            *e = (entry){d[at], d + at + 1, eol - at - 1, old_next, new_next, hunk};
            if (e->tag != '+' && e->tag != '\\') old_next++;
            if (e->tag != '-' && e->tag != '\\') new_next++;
        } else if (in_hunk && eol == at) { /* an empty context line whose space was trimmed */
            if (n == cap) v = xrealloc(v, (cap *= 2) * sizeof *v);
            v[n++] = (entry){' ', d + at, 0, old_next++, new_next++, hunk};
        }
        at = next;
    }
    *out = v;
    return n;
}

static void put_range(buf *out, long start, long len) {
    if (len == 1)
        buf_printf(out, "%ld", start);
    else
        buf_printf(out, "%ld,%ld", len ? start : start - 1, len);
}

static bool is_change(const entry *e) {
    return e->tag == '-' || e->tag == '+';
}

/* Hunks with one line of context around the changes. */
static void put_update(buf *out, const entry *v, size_t n) {
    bool *keep = xcalloc(n ? n : 1, sizeof *keep);
    for (size_t i = 0; i < n; i++) {
        if (v[i].tag == '\\') {
            keep[i] = i > 0 && keep[i - 1];
            continue;
        }
        keep[i] = is_change(&v[i]) ||
                  (i > 0 && v[i - 1].hunk == v[i].hunk && is_change(&v[i - 1])) ||
                  (i + 1 < n && v[i + 1].hunk == v[i].hunk && is_change(&v[i + 1]));
    }
    for (size_t i = 0; i < n;) {
        if (!keep[i]) {
            i++;
            continue;
        }
        size_t j = i;
        long ol = 0, nl = 0;
        while (j < n && keep[j] && v[j].hunk == v[i].hunk) {
            if (v[j].tag == ' ' || v[j].tag == '-') ol++;
            if (v[j].tag == ' ' || v[j].tag == '+') nl++;
            j++;
        }
        buf_puts(out, "@@ -");
        put_range(out, v[i].old_no, ol);
        buf_puts(out, " +");
        put_range(out, v[i].new_no, nl);
        buf_puts(out, " @@\n");
        for (size_t k = i; k < j; k++) {
            buf_putc(out, v[k].tag);
            buf_append(out, v[k].text, v[k].len);
            buf_putc(out, '\n');
        }
        i = j;
    }
    free(keep);
}

bool as_diff_for(buf *out, const char *git_diff, size_t len, const char *path, size_t path_len,
                 change_kind kind) {
    size_t from, to;
    if (!git_diff || !find_section(git_diff, len, path, path_len, &from, &to)) return false;
    entry *v;
    size_t n = read_entries(git_diff, from, to, &v);
    if (kind == CHANGE_UPDATE) {
        put_update(out, v, n);
    } else {
        /* the whole file: the added lines of a new one, the removed lines of a deleted one */
        char want = kind == CHANGE_ADD ? '+' : '-';
        bool last = false;
        for (size_t i = 0; i < n; i++) {
            if (v[i].tag == '\\') {
                if (last && out->len) out->len--; /* no newline at the end of the file */
                if (last && out->data) out->data[out->len] = '\0';
                continue;
            }
            last = v[i].tag == want;
            if (!last) continue;
            buf_append(out, v[i].text, v[i].len);
            buf_putc(out, '\n');
        }
    }
    free(v);
    return true;
}
