#include "diag.h"
#include "buf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void diag_init(diag *d) {
    d->file = NULL;
    d->line = 0;
    d->col = 0;
    d->msg = NULL;
}

void diag_free(diag *d) {
    free(d->file);
    free(d->msg);
    diag_init(d);
}

/* A message quotes the user's value back; a 10 MB value must not become a 10 MB message. */
enum { DIAG_MAX_MSG = 4096, DIAG_KEEP = 1500 };

static bool utf8_cont(char c) {
    return ((unsigned char)c & 0xC0) == 0x80;
}

static void elide_middle(buf *b) {
    if (b->len <= DIAG_MAX_MSG) return;
    size_t head = DIAG_KEEP, tail = b->len - DIAG_KEEP;
    while (head > 0 && utf8_cont(b->data[head])) /* never split a UTF-8 sequence */
        head--;
    while (tail < b->len && utf8_cont(b->data[tail]))
        tail++;
    buf out;
    buf_init(&out);
    buf_append(&out, b->data, head);
    buf_printf(&out, " … [%zu bytes left out] … ", tail - head);
    buf_append(&out, b->data + tail, b->len - tail);
    buf_free(b);
    *b = out;
}

void diag_vset(diag *d, const char *file, int line, int col, const char *fmt, va_list ap) {
    diag_free(d);
    d->file = file ? xstrdup(file) : NULL;
    d->line = line;
    d->col = col;
    buf b;
    buf_init(&b);
    buf_vprintf(&b, fmt, ap);
    elide_middle(&b);
    d->msg = buf_detach(&b);
}

void diag_set(diag *d, const char *file, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_vset(d, file, line, col, fmt, ap);
    va_end(ap);
}

char *diag_format(const diag *d) {
    buf b;
    buf_init(&b);
    buf_puts(&b, "codex-mock: ");
    if (d->file) {
        buf_puts(&b, d->file);
        if (d->line > 0) buf_printf(&b, ":%d:%d", d->line, d->col > 0 ? d->col : 1);
        buf_puts(&b, ": ");
    }
    buf_puts(&b, d->msg ? d->msg : "unknown error");
    return buf_detach(&b);
}

void diag_print(const diag *d, FILE *out) {
    char *s = diag_format(d);
    fprintf(out, "%s\n", s);
    free(s);
}

static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb) {
    if (la > 64 || lb > 64) return (size_t)-1;
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof(size_t));
    }
    return prev[lb];
}

const char *did_you_mean(const char *word, size_t len, const char *const *candidates) {
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; candidates[i]; i++) {
        size_t d = edit_distance(word, len, candidates[i], strlen(candidates[i]));
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    if (!best || best_d == 0) return NULL;
    if (best_d <= 2 || best_d * 3 <= len) return best;
    return NULL;
}
