/* as_lines — see as_lines.h. */
#include "as_lines.h"

#include "json_check.h"

#include <string.h>

void as_lines_init(as_lines *r) {
    memset(r, 0, sizeof *r);
    buf_init(&r->data);
}

void as_lines_free(as_lines *r) {
    buf_free(&r->data);
}

void as_lines_feed(as_lines *r, const char *p, size_t n) {
    /* Drop consumed bytes once they are the larger part, so the buffer stays bounded. */
    if (r->head > 0 && r->head >= r->data.len - r->head) {
        memmove(r->data.data, r->data.data + r->head, r->data.len - r->head);
        r->data.len -= r->head;
        r->head = 0;
    }
    buf_append(&r->data, p, n);
}

void as_lines_eof(as_lines *r) {
    r->eof = true;
}

int as_lines_next(as_lines *r, const char **line, size_t *len) {
    const char *base = r->data.data + r->head;
    size_t avail = r->data.len - r->head;
    const char *nl = avail > r->scan ? memchr(base + r->scan, '\n', avail - r->scan) : NULL;
    size_t n, consumed;
    if (nl) {
        n = (size_t)(nl - base);
        consumed = n + 1;
    } else if (r->eof && avail > 0) {
        n = avail;
        consumed = avail;
    } else {
        r->scan = avail;
        return 0;
    }
    if (!json_utf8_valid(base, n)) return -1;
    if (n > 0 && base[n - 1] == '\r') n--;
    *line = base;
    *len = n;
    r->head += consumed;
    r->scan = 0;
    return 1;
}
