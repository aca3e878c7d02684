/* buf — a growable byte buffer (in the spirit of redis's sds, but a plain struct).
 *
 * Owns: `data` (heap, always NUL-terminated after any append so it can be printed).
 * The caller owns the struct itself and calls buf_free() when done.
 * Errors: allocation failure is not a user error; it prints a message and aborts (like jq's
 * jv_mem_alloc), so no function here returns an error. */
#ifndef CODEX_MOCK_BUF_H
#define CODEX_MOCK_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b); /* len = 0, keeps the allocation */
void buf_reserve(buf *b, size_t extra);
/* Inline: every JSON line is assembled from many small appends, most of them literals whose
 * length the compiler then knows. */
static inline void buf_append(buf *b, const void *p, size_t n) {
    if (b->len + n + 1 > b->cap) buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}
static inline void buf_putc(buf *b, char c) {
    if (b->len + 2 > b->cap) buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
static inline void buf_puts(buf *b, const char *s) {
    buf_append(b, s, strlen(s));
}
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Hands the data to the caller (free() it); the buffer is left empty. */
char *buf_detach(buf *b);

/* Allocation helpers that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string (caller frees): the one place a va_list becomes text. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
